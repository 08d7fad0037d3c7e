// Inputs that name a file instead of a stage (`"predictions": { "path": "data/preds.parquet" }`) and params whose option
// is marked `"format": "path"` (core's pathParam): resolved against the pipeline folder, passed workspace-relative,
// hashed by content, and a missing one reported by the stage's command rather than by the whole graph.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodesV2, hashPaths } from '../src/index.mjs';

type Json = Record<string, any>;

/** A stage package's options.schema.json as scripts/option-schemas.ts writes it (the parts the plugin reads). */
const OPTIONS: Record<string, Json> = {
  train: {
    properties: {
      dataDir: { type: 'string', minLength: 1, 'x-role': 'input', 'x-flag': 'data' },
      outDir: { type: 'string', 'x-role': 'output', 'x-flag': 'out' },
      runDir: { type: 'string', 'x-role': 'output', 'x-flag': 'run-dir' },
      epochs: { type: 'integer', minimum: 1 },
      network: { type: 'string', minLength: 1, format: 'path', 'x-inline': 'json', 'x-names': ['tutorial', 'lenet5-rgb'], default: 'tutorial' },
    },
  },
  evaluate: {
    properties: {
      dataDir: { type: 'string', minLength: 1, 'x-role': 'input', 'x-flag': 'data' },
      modelDir: { type: 'string', minLength: 1, 'x-role': 'input', 'x-flag': 'model' },
      outDir: { type: 'string', 'x-role': 'output', 'x-flag': 'out' },
      runDir: { type: 'string', 'x-role': 'output', 'x-flag': 'run-dir' },
      predictions: { type: 'string', minLength: 1, format: 'path' },
      numThresholds: { type: 'integer', minimum: 2 },
    },
  },
};

const PIPELINE = (): Json => ({
  stages: {
    train: { package: '@t/train', params: { epochs: 1, network: 'net.json' } },
    evaluate: { package: '@t/evaluate', inputs: { predictions: { path: 'data/preds.parquet' } }, params: { numThresholds: 7 } },
  },
});

describe('pipeline.json paths: file inputs and path params', () => {
  let root: string;
  const write = async (path: string, value: unknown) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  };
  const infer = async (json: Json, name = 'x'): Promise<Record<string, Json>> => {
    const file = `pipelines/${name}/pipeline.json`;
    await write(file, json);
    const results = await createNodesV2[1]([file], {}, { workspaceRoot: root, nxJsonConfiguration: {} } as any);
    return Object.fromEntries(results.flatMap(([, r]) => Object.values(r.projects ?? {}).map((p: Json) => [p.name, p])));
  };
  const error = async (json: Json) => {
    try {
      await infer(json);
    } catch (err) {
      return (err as Error).message;
    }
    return undefined;
  };
  const target = (projects: Record<string, Json>, name: string) => projects[name]!.targets.run;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-paths-'));
    await write('package.json', { name: 'ws', private: true, workspaces: ['packages/*'] });
    for (const stage of ['train', 'evaluate']) {
      await write(`packages/${stage}/package.json`, {
        name: `@t/${stage}`,
        type: 'module',
        bin: { [`tbpipe-${stage}`]: `./bin/tbpipe-${stage}.mjs` },
        tbpipe: { options: 'options.schema.json' },
      });
      await write(`packages/${stage}/bin/tbpipe-${stage}.mjs`, '');
      await write(`packages/${stage}/options.schema.json`, OPTIONS[stage]);
    }
    await write('pipelines/x/net.json', { layers: [] });
    await write('pipelines/x/data/preds.parquet', 'PAR1');
    await write('shared/net.json', { layers: [] });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('passes a file input and a path param to the stage relative to the workspace, with no dependency on a stage', async () => {
    const projects = await infer(PIPELINE());
    assert.equal(
      target(projects, 'x-evaluate').options.command,
      'node packages/evaluate/bin/tbpipe-evaluate.mjs --out artifacts/x/evaluate --run-dir runs/x --predictions pipelines/x/data/preds.parquet --num-thresholds 7',
    );
    assert.deepEqual(target(projects, 'x-evaluate').dependsOn, []);
    assert.equal(
      target(projects, 'x-train').options.command,
      'node packages/train/bin/tbpipe-train.mjs --out artifacts/x/train --run-dir runs/x --epochs 1 --network pipelines/x/net.json',
    );
  });

  it('hashes each named file by content: a fileset for Nx’s view and a runtime input that also sees git-ignored files', async () => {
    const projects = await infer(PIPELINE());
    const inputs = target(projects, 'x-evaluate').inputs;
    assert.ok(inputs.includes('{workspaceRoot}/pipelines/x/data/preds.parquet'));
    assert.ok(
      inputs.some((i: Json) => i.runtime === 'node node_modules/@tbpipe/nx-plugin/bin/tbpipe-hash-paths.mjs pipelines/x/data/preds.parquet') ||
        inputs.some((i: Json) => /bin\/tbpipe-hash-paths\.mjs pipelines\/x\/data\/preds\.parquet$/.test(i.runtime ?? '')),
      JSON.stringify(inputs),
    );
    const train = target(projects, 'x-train').inputs;
    assert.ok(train.includes('{workspaceRoot}/pipelines/x/net.json'));
    assert.ok(!train.includes('{workspaceRoot}/pipelines/x/data/preds.parquet'), 'only the stage that reads a file hashes it');
  });

  it('hashes a folder as every file under it', async () => {
    await write('pipelines/x/data/images/cat/1.png', 'png');
    const json = PIPELINE();
    json.stages.evaluate.inputs = { predictions: { path: 'data/images' } };
    const inputs = target(await infer(json), 'x-evaluate').inputs;
    assert.ok(inputs.includes('{workspaceRoot}/pipelines/x/data/images/**/*'), JSON.stringify(inputs));
  });

  it('passes a built-in name through and gives an inline object as its JSON text', async () => {
    const json = PIPELINE();
    json.stages.train.params.network = 'lenet5-rgb';
    let command = target(await infer(json), 'x-train').options.command;
    assert.match(command, / --network lenet5-rgb$/);
    json.stages.train.params.network = { layers: [{ type: 'flatten' }, { type: 'dense', units: 10 }] };
    command = target(await infer(json), 'x-train').options.command;
    assert.match(command, / --network '\{"layers":\[\{"type":"flatten"\},\{"type":"dense","units":10\}\]\}'$/);
    const hashed = target(await infer(json), 'x-train').inputs.filter((i: Json) => /tbpipe-hash-paths/.test(i.runtime ?? ''));
    assert.deepEqual(hashed, [], 'nothing to hash beyond the command itself');
  });

  it('takes any value of a path param that is not a name the stage declares as a path, with or without a dot or slash', async () => {
    await write('pipelines/x/mynet', { layers: [] });
    const json = PIPELINE();
    json.stages.train.params.network = 'mynet';
    const projects = await infer(json);
    assert.match(target(projects, 'x-train').options.command, / --network pipelines\/x\/mynet$/);
    assert.ok(target(projects, 'x-train').inputs.some((i: Json) => /tbpipe-hash-paths\.mjs pipelines\/x\/mynet$/.test(i.runtime ?? '')));
    json.stages.evaluate.params.predictions = 'predictions';
    delete json.stages.evaluate.inputs.predictions;
    assert.match(target(await infer(json), 'x-evaluate').options.command, /tbpipe-missing-path\.mjs .*pipelines\/x\/predictions/);
  });

  it('resolves a path that leaves the pipeline folder but stays in the workspace', async () => {
    const json = PIPELINE();
    json.stages.train.params.network = '../../shared/net.json';
    assert.match(target(await infer(json), 'x-train').options.command, / --network shared\/net\.json$/);
  });

  it('turns a missing file into a stage that fails with one line naming the pipeline, stage, input and path, and keeps the graph', async () => {
    const json = PIPELINE();
    json.stages.evaluate.inputs.predictions.path = 'data/nope.parquet';
    const projects = await infer(json);
    const command: string = target(projects, 'x-evaluate').options.command;
    assert.match(command, /^node \S*bin\/tbpipe-missing-path\.mjs '/);
    assert.ok(
      command.endsWith(
        `'pipelines/x/pipeline.json: stages.evaluate.inputs.predictions.path is "data/nope.parquet", which names nothing (no pipelines/x/data/nope.parquet), expected a file or folder; create it or correct the path'`,
      ),
      command,
    );
    assert.match(target(projects, 'x-train').options.command, /^node packages\/train\/bin\/tbpipe-train\.mjs/, 'other stages are untouched');
  });

  it('points at the pipeline’s README when it has one', async () => {
    await write('pipelines/x/README.md', '# x\n');
    const json = PIPELINE();
    json.stages.train.params.network = 'gone.json';
    const command: string = target(await infer(json), 'x-train').options.command;
    assert.match(command, /stages\.train\.params\.network is "gone\.json", which names nothing \(no pipelines\/x\/gone\.json\), expected a file or folder; make it as pipelines\/x\/README\.md says'$/);
    await rm(join(root, 'pipelines/x/README.md'));
  });

  it('rejects absolute paths and paths out of the workspace when the graph is built', async () => {
    const json = PIPELINE();
    json.stages.evaluate.inputs.predictions.path = '/tmp/preds.parquet';
    assert.equal(
      await error(json),
      'pipelines/x/pipeline.json: stages.evaluate.inputs.predictions.path is "/tmp/preds.parquet", expected a path relative to the pipeline folder pipelines/x/ (Nx hashes files inside the workspace only)',
    );
    json.stages.evaluate.inputs.predictions.path = '../../../elsewhere.parquet';
    assert.match((await error(json)) ?? '', /path is "\.\.\/\.\.\/\.\.\/elsewhere\.parquet", which leaves the workspace/);
  });

  it('rejects a file input for an option that is neither an input nor a path param, and a malformed one', async () => {
    const json = PIPELINE();
    json.stages.evaluate.inputs = { numThresholds: { path: 'data/preds.parquet' } };
    assert.equal(
      await error(json),
      'pipelines/x/pipeline.json: stages.evaluate.inputs.numThresholds is not an input or a path param of @t/evaluate, expected one of data, model, predictions',
    );
    json.stages.evaluate.inputs = { predictions: { file: 'data/preds.parquet' } };
    assert.match((await error(json)) ?? '', /stages\.evaluate\.inputs\.predictions is an object with "file", expected \{ "path": "<file or folder relative to pipelines\/x\/>" \}/);
  });

  it('rejects an inline object for a path param that does not take one, and the same option as input and param', async () => {
    const json = PIPELINE();
    json.stages.evaluate.params.predictions = { rows: [] };
    delete json.stages.evaluate.inputs;
    assert.match((await error(json)) ?? '', /stages\.evaluate\.params\.predictions is an object, expected a string, a finite number or a boolean/);
    const both = PIPELINE();
    both.stages.evaluate.params.predictions = 'data/preds.parquet';
    assert.match((await error(both)) ?? '', /stages\.evaluate\.params\.predictions is also an input of this stage/);
  });

  it('gives a sweep run its own path param, hashed in its own tasks only', async () => {
    await write('pipelines/x/wide.json', { layers: [] });
    const json = PIPELINE();
    json.runs = { base: { train: { epochs: 2 } }, wide: { train: { network: 'wide.json' } } };
    const projects = await infer(json);
    assert.match(target(projects, 'x-base-train').options.command, / --epochs 2 --network pipelines\/x\/net\.json$/);
    assert.match(target(projects, 'x-wide-train').options.command, / --network pipelines\/x\/wide\.json$/);
    const files = (name: string) => target(projects, name).inputs.filter((i: unknown) => typeof i === 'string' && i.startsWith('{workspaceRoot}/pipelines/'));
    assert.deepEqual(files('x-wide-train'), ['{workspaceRoot}/pipelines/x/wide.json']);
    assert.deepEqual(files('x-base-train'), ['{workspaceRoot}/pipelines/x/net.json']);
  });
});

describe('hashPaths (the runtime input behind named files)', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-hash-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const put = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };

  it('changes a file’s line when its content changes, also at the same size, and says missing for nothing', async () => {
    await put('a.bin', 'one');
    const [first] = hashPaths(['a.bin'], root);
    assert.match(first!, /^[0-9a-f]{64} a\.bin$/);
    assert.deepEqual(hashPaths(['a.bin'], root), [first], 'the same content gives the same line (from the stat records)');
    await put('a.bin', 'two');
    assert.notEqual(hashPaths(['a.bin'], root)[0], first);
    assert.deepEqual(hashPaths(['b.bin'], root), ['missing b.bin']);
  });

  it('changes a folder’s line when a file under it is added, renamed or edited', async () => {
    await put('imgs/cat/1.png', 'x');
    await put('imgs/dog/2.png', 'y');
    const seen = new Set([hashPaths(['imgs'], root)[0]]);
    await put('imgs/dog/3.png', 'z');
    seen.add(hashPaths(['imgs'], root)[0]);
    await rm(join(root, 'imgs/dog/3.png'));
    await put('imgs/cat/3.png', 'z');
    seen.add(hashPaths(['imgs'], root)[0]);
    await put('imgs/cat/3.png', 'w');
    seen.add(hashPaths(['imgs'], root)[0]);
    assert.equal(seen.size, 4);
    assert.match([...seen][0]!, /^[0-9a-f]{64} imgs\/$/);
  });
});
