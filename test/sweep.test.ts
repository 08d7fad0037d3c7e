import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createToyWorkspace, TOY_PIPELINE, type ToyWorkspace } from './helpers/toy-workspace.ts';

/**
 * A toy stage like the real ones: deterministic artifacts, manifest.json written last, a volatile/timings.json with
 * its duration, an event file in its run directory; evaluate also writes metrics.json with an "accuracy". Train
 * sleeps, so two trains side by side overlap. Each run appends `<stage> <out> <start> <end>` to TOY_RAN_LOG.
 */
const STAGE_SOURCE = (stage: string) => `import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function run(argv) {
  const start = Date.now();
  const values = {};
  for (let i = 0; i < argv.length; i += 2) values[argv[i].slice(2)] = argv[i + 1];
  const { out, 'run-dir': runDir } = values;
  const hash = createHash('sha256');
  for (const [key, value] of Object.entries(values).sort()) {
    if (key === 'out' || key === 'run-dir') continue;
    const isInput = value.startsWith('artifacts/');
    hash.update(key + '=' + (isInput ? readFileSync(join(value, 'result.txt'), 'utf8') : value) + '\\n');
  }
  if (${JSON.stringify(stage)} === 'train') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
  const digest = hash.digest('hex');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'volatile'), { recursive: true });
  writeFileSync(join(out, 'result.txt'), ${JSON.stringify(stage)} + ' ' + digest + '\\n');
  if (${JSON.stringify(stage)} === 'evaluate') {
    writeFileSync(join(out, 'metrics.json'), JSON.stringify({ accuracy: parseInt(digest.slice(0, 4), 16) / 65536 }));
  }
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'events.out.tfevents.0.tbpipe.${stage}'), String(Math.random()));
  writeFileSync(join(out, 'volatile', 'timings.json'), JSON.stringify({ totalMillis: Date.now() - start, pid: process.pid }));
  writeFileSync(join(out, 'manifest.json'), JSON.stringify({ files: ['result.txt'] }));
  appendFileSync(process.env.TOY_RAN_LOG, [${JSON.stringify(stage)}, out, start, Date.now()].join(' ') + '\\n');
}
`;

const SWEEP = () => ({
  ...structuredClone(TOY_PIPELINE),
  runDir: 'runs/toy',
  runs: { 'lr-0.001': { train: { learningRate: 0.001 } }, 'lr-0.01': { train: { learningRate: 0.01 } } },
});

/** The summary's stage lines (`  <label>  <ran|cached|…>  <time>`) as label → status. */
const statuses = (output: string) =>
  Object.fromEntries([...output.matchAll(/^ {2}(\S+)\s+(ran|cached|missing|unknown)\s+\S+( s)?$/gm)].map((m) => [m[1], m[2]]));

describe('nx run <sweep>:all --parallel=2 on a toy two-run sweep (ingest shared, train → evaluate per run)', () => {
  let ws: ToyWorkspace;
  let ranLog: string;
  const ALL = ['ingest', 'lr-0.001/train', 'lr-0.01/train', 'lr-0.001/evaluate', 'lr-0.01/evaluate'];
  const only = (status: string, labels: string[]) => Object.fromEntries(ALL.map((l) => [l, labels.includes(l) ? status : status === 'ran' ? 'cached' : 'ran']));

  before(async () => {
    ws = await createToyWorkspace();
    ranLog = join(ws.root, '..', `${ws.root.split('/').pop()}.ran.log`);
    for (const stage of ['ingest', 'train', 'evaluate']) await ws.write(`packages/${stage}/src/stage.mjs`, STAGE_SOURCE(stage));
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(SWEEP(), null, 2));
  });
  after(async () => {
    if (ws) await rm(ws.root, { recursive: true, force: true });
    if (ranLog) await rm(ranLog, { force: true });
  });

  it('runs ingest once and each run’s train and evaluate, the two trains side by side, and says so in the summary', async () => {
    const { output } = await ws.nx('run', 'toy:all', '--parallel=2');
    const runs = (await readFile(ranLog, 'utf8')).split('\n').filter(Boolean).map((l) => l.split(' '));
    assert.deepEqual(runs.map(([stage, out]) => `${stage} ${out}`).sort(), [
      'evaluate artifacts/toy/lr-0.001/evaluate',
      'evaluate artifacts/toy/lr-0.01/evaluate',
      'ingest artifacts/toy/ingest',
      'train artifacts/toy/lr-0.001/train',
      'train artifacts/toy/lr-0.01/train',
    ]);
    const [a, b] = runs.filter(([stage]) => stage === 'train').map(([, , start, end]) => [Number(start), Number(end)]);
    assert.ok(a[0] < b[1] && b[0] < a[1], `the two trains overlap in time: ${a} vs ${b}`);

    assert.deepEqual(statuses(output), only('ran', ALL));
    assert.match(output, /^tbpipe · toy: 5 stages ran, 0 restored from the Nx cache;/m);
    const accuracy = async (run: string) => JSON.parse(await ws.read(`artifacts/toy/${run}/evaluate/metrics.json`)).accuracy.toFixed(4);
    assert.match(output, new RegExp(`^ {2}test accuracy {3}lr-0\\.001 {2}${await accuracy('lr-0.001')}$`, 'm'));
    assert.match(output, new RegExp(`^ {18}lr-0\\.01 {3}${await accuracy('lr-0.01')}$`, 'm'));
    assert.match(output, /^ {2}TensorBoard {5}runs\/toy\/lr-0\.001, runs\/toy\/lr-0\.01$/m);
    assert.match(output, /^ {2}open with {7}tensorboard --logdir runs\/toy$/m);
    assert.ok(output.trimEnd().split('\n').slice(-14).some((l) => l.startsWith('  open with')), 'the summary is at the end, before Nx’s few closing lines');
    assert.notEqual(await accuracy('lr-0.001'), undefined);
    assert.notEqual(await ws.read('runs/toy/lr-0.001/events.out.tfevents.0.tbpipe.train'), await ws.read('runs/toy/lr-0.01/events.out.tfevents.0.tbpipe.train'));
  });

  it('restores everything from the cache on the second invocation, and the summary says cached for every stage', async () => {
    const { ran, output } = await ws.nx('run', 'toy:all', '--parallel=2');
    assert.deepEqual(ran, []);
    assert.deepEqual(statuses(output), only('cached', ALL));
    assert.match(output, /^tbpipe · toy: 0 stages ran, 5 restored from the Nx cache;/m);
  });

  it('prints the same summary through pipeline:all, and calls restored files cached after artifacts/ and runs/ are deleted', async () => {
    await rm(join(ws.root, 'artifacts'), { recursive: true });
    await rm(join(ws.root, 'runs'), { recursive: true });
    const { ran, output } = await ws.nx('run', 'pipeline:all', '--parallel=2');
    assert.deepEqual(ran, []);
    assert.deepEqual(statuses(output), only('cached', ALL));
  });

  it('reruns only the chain of the run whose params changed, and the summary tells it apart', async () => {
    const sweep = SWEEP();
    sweep.runs['lr-0.01'].train.learningRate = 0.1;
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(sweep, null, 2));
    const { ran, output } = await ws.nx('run', 'toy:all', '--parallel=2');
    assert.deepEqual(ran.map((l) => l.split(' ').slice(0, 2).join(' ')), ['train artifacts/toy/lr-0.01/train', 'evaluate artifacts/toy/lr-0.01/evaluate']);
    assert.deepEqual(statuses(output), only('ran', ['lr-0.01/train', 'lr-0.01/evaluate']));
  });
});
