import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import {
  checkOptionValue,
  closestName,
  formatStageHelp,
  inputDir,
  outputDir,
  resolveStageOptions,
  runStageCli,
  stageJsonSchema,
  stageOptionInfo,
  UsageError,
  type StageSpec,
} from '../src/index.ts';
import { captureOutput } from './helpers/capture.ts';

const DEMO = {
  package: '@tbpipe/demo',
  bin: 'tbpipe-demo',
  summary: 'Trains nothing, quickly.',
  notes: 'exit codes: 0 done, 2 bad usage.',
  options: v.object({
    dataDir: inputDir('data', 'the ingest output'),
    outDir: outputDir('out', 'artifacts'),
    batchSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description('images per batch')), 4),
    momentum: v.optional(v.pipe(v.number(), v.minValue(0), v.ltValue(1), v.description('SGD momentum')), 0.9),
    init: v.optional(v.pipe(v.picklist(['pytorch', 'glorot']), v.description('weight init')), 'pytorch'),
    maxSteps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description('stop early'))),
    dryRun: v.optional(v.pipe(v.boolean(), v.description('do nothing')), false),
    figures: v.optional(v.pipe(v.boolean(), v.description('draw figures')), true),
  }),
} as const satisfies StageSpec;

async function capture(argv: string[]) {
  let received: unknown;
  const { result: code, out, err } = await captureOutput(() => runStageCli(DEMO, async (options) => void (received = options), argv));
  return { code, out, err, received };
}

test('resolveStageOptions applies the schema defaults and keeps keys the schema does not declare', () => {
  const logger = { fake: true };
  const resolved = resolveStageOptions(DEMO, { dataDir: 'd', outDir: 'o', batchSize: 8, logger });
  assert.deepEqual(resolved, { dataDir: 'd', outDir: 'o', batchSize: 8, momentum: 0.9, init: 'pytorch', dryRun: false, figures: true, logger });
});

test('resolveStageOptions names the flag, the value and what the schema accepts', () => {
  const cases: [object, string][] = [
    [{ batchSize: 0 }, '--batch-size is 0, expected an integer ≥ 1'],
    [{ batchSize: 1.5 }, '--batch-size is 1.5, expected an integer ≥ 1'],
    [{ momentum: 1 }, '--momentum is 1, expected a number ≥ 0 < 1'],
    [{ momentum: Number.NaN }, '--momentum is NaN, expected a number ≥ 0 < 1'],
    [{ init: 'he' }, '--init is "he", expected one of pytorch, glorot'],
    [{ outDir: '' }, '--out is required'],
    [{ dataDir: undefined }, '--data is required'],
  ];
  for (const [over, message] of cases) {
    assert.throws(() => resolveStageOptions(DEMO, { dataDir: 'd', outDir: 'o', ...over } as never), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, message);
      return true;
    });
  }
});

test('the CLI parses kebab-case flags into typed options with defaults', async () => {
  const r = await capture(['--data', 'd', '--out', 'o', '--batch-size', '16', '--init', 'glorot', '--dry-run']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.received, { dataDir: 'd', outDir: 'o', batchSize: 16, momentum: 0.9, init: 'glorot', dryRun: true, figures: true });
});

test('a boolean is a switch: --flag sets it, --no-flag clears it', async () => {
  const r = await capture(['--data', 'd', '--out', 'o', '--no-figures']);
  assert.equal(r.code, 0, r.err);
  assert.equal((r.received as { figures: boolean }).figures, false);
});

test('a bad flag value is one line quoting what was typed, exit 2', async () => {
  const r = await capture(['--data', 'd', '--out', 'o', '--batch-size', '0']);
  assert.deepEqual([r.code, r.out, r.err], [2, '', 'tbpipe-demo: --batch-size is "0", expected an integer ≥ 1; see tbpipe-demo --help\n']);
  const missing = await capture(['--data', 'd']);
  assert.deepEqual([missing.code, missing.err], [2, 'tbpipe-demo: --out is required; see tbpipe-demo --help\n']);
});

test('--help is generated: usage from the required flags, inputs / outputs / params, choices and defaults', async () => {
  const r = await capture(['--help']);
  assert.equal(r.code, 0);
  assert.equal(r.out, formatStageHelp(DEMO));
  assert.equal(
    r.out,
    `usage: tbpipe-demo --data <dir> --out <dir> [params]

Trains nothing, quickly.

inputs
  --data <dir>             the ingest output
outputs
  --out <dir>              artifacts
params (pipeline.json names in camelCase)
  --batch-size <n>         images per batch (≥ 1; default 4)
  --momentum <x>           SGD momentum (≥ 0, < 1; default 0.9)
  --init <name>            pytorch | glorot: weight init (default pytorch)
  --max-steps <n>          stop early (≥ 1)
  --dry-run                do nothing
  --figures, --no-figures  draw figures (default on; --no-figures turns it off)
  -h, --help               this text

exit codes: 0 done, 2 bad usage.
`,
  );
});

test('the JSON Schema carries types, ranges, defaults, descriptions and roles', () => {
  const json = stageJsonSchema(DEMO);
  assert.deepEqual(json.required, ['dataDir', 'outDir']);
  assert.equal(json.additionalProperties, false);
  assert.deepEqual(json.properties.momentum, { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'SGD momentum', default: 0.9 });
  assert.deepEqual(json.properties.dataDir, { type: 'string', minLength: 1, description: 'the ingest output', 'x-role': 'input', 'x-flag': 'data' });
});

test("the plain-JavaScript check (the Nx plugin's) agrees with valibot's on values around every bound", () => {
  const probes = [-1, 0, 0.5, 0.999, 1, 1.5, 2, 4, 1e9, Number.NaN, Number.POSITIVE_INFINITY, '', '4', 'pytorch', 'he', true, null];
  for (const option of stageOptionInfo(DEMO)) {
    for (const value of probes) {
      assert.equal(checkOptionValue(option.json, value), v.is(option.schema, value), `${option.name} = ${String(value)}`);
    }
  }
});

test('closestName suggests a near miss and nothing for an unrelated name', () => {
  assert.equal(closestName('learningRat', ['learningRate', 'momentum']), 'learningRate');
  assert.equal(closestName('batchsize', ['batchSize', 'epochs']), 'batchSize');
  assert.equal(closestName('mometnum', ['learningRate', 'momentum']), 'momentum');
  assert.equal(closestName('colour', ['learningRate', 'momentum']), undefined);
});
