import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createToyWorkspace, TOY_PIPELINE, type ToyWorkspace } from './helpers/toy-workspace.ts';

// One workspace, one sequence: each step starts from the cache state the previous step left.
describe('nx run <pipeline>:all on a toy pipeline (ingest → train → evaluate)', () => {
  let ws: ToyWorkspace;
  const results: Record<string, string> = {};
  const readResults = async () =>
    Object.fromEntries(
      await Promise.all(
        ['ingest', 'train', 'evaluate'].map(async (s) => [s, await ws.read(`artifacts/toy/${s}/result.txt`)] as const),
      ),
    );
  const eventFiles = async () => (await readdir(join(ws.root, 'runs/toy'))).filter((f) => f.startsWith('events.')).sort();
  const eventContents = async () => Promise.all((await eventFiles()).map((f) => ws.read(`runs/toy/${f}`)));

  before(async () => {
    ws = await createToyWorkspace();
  });
  after(async () => {
    if (ws) await rm(ws.root, { recursive: true, force: true });
  });

  it('runs every stage in dependency order the first time', async () => {
    const { ran } = await ws.nx('run', 'toy:all');
    assert.deepEqual(ran, ['ingest', 'train', 'evaluate']);
    Object.assign(results, await readResults());
    assert.equal((await eventFiles()).length, 3);
  });

  it('restores every stage from the cache when nothing changed, also through pipeline:all', async () => {
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, []);
    assert.deepEqual((await ws.nx('run', 'pipeline:all')).ran, []);
  });

  it('restores deleted artifacts and event files from the cache without running a stage', async () => {
    const events = await eventFiles();
    await rm(join(ws.root, 'artifacts'), { recursive: true });
    await rm(join(ws.root, 'runs'), { recursive: true });
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, []);
    assert.deepEqual(await readResults(), results);
    assert.deepEqual(await eventFiles(), events);
  });

  it('reruns a stage whose params changed and the stages that read it, not the ones upstream', async () => {
    const pipeline = structuredClone(TOY_PIPELINE);
    pipeline.stages.train.params.epochs = 2;
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(pipeline, null, 2));
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['train', 'evaluate']);
    const now = await readResults();
    assert.equal(now.ingest, results.ingest);
    assert.notEqual(now.train, results.train);
    Object.assign(results, now);
  });

  it('stops the rerun at a stage whose output bytes did not change, although its volatile and event files did', async () => {
    // ingest's implementation, which train and evaluate do not load (they import only @toy/ingest/contract)
    const source = await ws.read('packages/ingest/src/stage.mjs');
    await ws.write('packages/ingest/src/stage.mjs', `${source}// a comment-only edit\n`);
    const events = await eventContents();
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['ingest']);
    assert.deepEqual(await readResults(), results);
    assert.notDeepEqual(await eventContents(), events, 'ingest rewrote its event file');
  });

  it('restores an older cache entry over the stage’s files after a param is changed back, one event file per stage', async () => {
    const events = await eventContents();
    const pipeline = structuredClone(TOY_PIPELINE);
    pipeline.stages.train.params.epochs = 3;
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(pipeline, null, 2));
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['train', 'evaluate']);
    pipeline.stages.train.params.epochs = 2;
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(pipeline, null, 2));
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, []);
    assert.deepEqual(await readResults(), results);
    assert.deepEqual(await eventContents(), events);
    assert.equal((await eventFiles()).length, 3);
  });

  it('ignores edits to a stage package’s tests (not a production input)', async () => {
    await ws.write('packages/train/test/stage.test.mjs', '// edited\n');
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, []);
  });

  it('reruns the stages that load an edited contract file of an upstream package', async () => {
    const source = await ws.read('packages/ingest/src/contract.mjs');
    await ws.write('packages/ingest/src/contract.mjs', `${source}// a comment-only edit, but in code train and evaluate load\n`);
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['ingest', 'train', 'evaluate']);
    assert.deepEqual(await readResults(), results);
  });

  it('ignores a file no stage loads, even inside a stage package', async () => {
    await ws.write('packages/train/src/unused.mjs', 'export const unused = 1;\n');
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, []);
  });

  it('reruns every stage that loads an edited workspace dependency', async () => {
    await ws.write('packages/core/src/index.mjs', 'export const VERSION = 2;\n');
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['ingest', 'train', 'evaluate']);
  });
});
