import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatSummary, parsePipeline, readSummary, readWorkspace } from '../src/index.mjs';

describe('the summary of <pipeline>:all', () => {
  let root: string;
  const write = async (path: string, value: unknown, mtime?: number) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), typeof value === 'string' ? value : JSON.stringify(value));
    if (mtime !== undefined) await utimes(join(root, path), mtime / 1000, mtime / 1000);
  };
  const STARTED = Date.parse('2030-01-01T12:00:00Z');
  const sweep = () =>
    parsePipeline('pipelines/sweep/pipeline.json', {
      runDir: 'runs/sweep',
      stages: {
        ingest: { package: '@x/ingest' },
        train: { package: '@x/train', inputs: { data: 'ingest' }, params: { learningRate: 0.001 } },
        evaluate: { package: '@x/evaluate', inputs: { model: 'train' } },
      },
      runs: { 'lr-0.001': { train: { learningRate: 0.001 } }, 'lr-0.01': { train: { learningRate: 0.01 } } },
    }, readWorkspace(root));

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-summary-'));
    await write('package.json', { name: 'ws', workspaces: ['packages/*'] });
    for (const s of ['ingest', 'train', 'evaluate']) await write(`packages/${s}/package.json`, { name: `@x/${s}`, bin: `./bin/${s}.mjs` });
    // ingest restored from the cache (its manifest keeps the old modification time), the rest ran after the start.
    await write('artifacts/sweep/ingest/manifest.json', {}, STARTED - 60_000);
    await write('artifacts/sweep/ingest/volatile/ingest.json', { totalMillis: 552 });
    for (const [run, accuracy] of [['lr-0.001', 0.8345], ['lr-0.01', 0.8712]] as const) {
      await write(`artifacts/sweep/${run}/train/manifest.json`, {}, STARTED + 5_000);
      await write(`artifacts/sweep/${run}/train/volatile/timings.json`, { startedAt: 'x', totalSeconds: 9.795 });
      await write(`artifacts/sweep/${run}/evaluate/manifest.json`, {}, STARTED + 9_000);
      await write(`artifacts/sweep/${run}/evaluate/metrics.json`, { count: 10000, accuracy });
    }
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('says which stages ran after the invocation started and which came from the cache, with times, accuracies and run dirs', async () => {
    const lines = formatSummary(readSummary(root, sweep(), STARTED));
    assert.deepEqual(lines, [
      'tbpipe · sweep: 4 stages ran, 1 restored from the Nx cache; each time is how long the stage took when it ran',
      '  ingest             cached   0.55 s',
      '  lr-0.001/train     ran      9.79 s',
      '  lr-0.01/train      ran      9.79 s',
      '  lr-0.001/evaluate  ran           —',
      '  lr-0.01/evaluate   ran           —',
      '  test accuracy   lr-0.001  0.8345',
      '                  lr-0.01   0.8712',
      '  TensorBoard     runs/sweep/lr-0.001, runs/sweep/lr-0.01',
      '  open with       tensorboard --logdir runs/sweep',
    ]);
  });

  it('calls every stage cached when all finished before the invocation started', async () => {
    const summary = readSummary(root, sweep(), STARTED + 3_600_000);
    assert.deepEqual(summary.tasks.map((t) => t.status), ['cached', 'cached', 'cached', 'cached', 'cached']);
    assert.match(formatSummary(summary)[0], /: 0 stages ran, 5 restored from the Nx cache;/);
  });

  it('says ran or cached is unknown without the start time, and "missing" for a stage with no artifacts', async () => {
    await rm(join(root, 'artifacts/sweep/lr-0.01/evaluate'), { recursive: true });
    const summary = readSummary(root, sweep(), undefined);
    assert.deepEqual(summary.tasks.map((t) => t.status), ['unknown', 'unknown', 'unknown', 'unknown', 'missing']);
    assert.match(formatSummary(summary)[0], /ran or cached unknown: TBPIPE_NX_STARTED_AT is not set/);
  });

  it('names a plain pipeline’s one run directory and opens its parent', async () => {
    const plain = parsePipeline('pipelines/plain/pipeline.json', { runDir: 'runs/plain_1', stages: { ingest: { package: '@x/ingest' } } }, readWorkspace(root));
    const lines = formatSummary(readSummary(root, plain, STARTED));
    assert.deepEqual(lines.slice(-2), ['  TensorBoard     runs/plain_1', '  open with       tensorboard --logdir runs']);
  });
});
