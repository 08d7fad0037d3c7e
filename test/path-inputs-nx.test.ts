import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createToyWorkspace, TOY_PIPELINE, type ToyWorkspace } from './helpers/toy-workspace.ts';

/** The toy train stage's options: an input directory and a network param marked as a path (core's pathParam). */
const TRAIN_OPTIONS = {
  properties: {
    dataDir: { type: 'string', minLength: 1, 'x-role': 'input', 'x-flag': 'data' },
    outDir: { type: 'string', 'x-role': 'output', 'x-flag': 'out' },
    runDir: { type: 'string', 'x-role': 'output', 'x-flag': 'run-dir' },
    epochs: { type: 'integer', minimum: 1 },
    learningRate: { type: 'number' },
    network: { type: 'string', minLength: 1, format: 'path', 'x-inline': 'json' },
  },
};

// One workspace, one sequence, through real Nx: a data file that is git-ignored (as pipelines/*/data/ is) and a tracked
// network file, each named in pipeline.json; editing either reruns exactly the stages that read it and those after.
describe('nx run <pipeline>:all with pipeline.json naming files (a file input and a path param)', () => {
  let ws: ToyWorkspace;

  before(async () => {
    ws = await createToyWorkspace();
    await ws.write('.gitignore', 'node_modules/\nartifacts/\nruns/\n.nx/\npipelines/toy/data/\n');
    const manifest = JSON.parse(await ws.read('packages/train/package.json'));
    manifest.tbpipe = { options: 'options.schema.json' };
    await ws.write('packages/train/package.json', JSON.stringify(manifest));
    await ws.write('packages/train/options.schema.json', JSON.stringify(TRAIN_OPTIONS));
    await ws.write('pipelines/toy/data/preds.bin', 'first');
    await ws.write('pipelines/toy/net.json', '{"layers":[]}');
    const pipeline = structuredClone(TOY_PIPELINE) as any;
    pipeline.stages.train.params.network = 'net.json';
    pipeline.stages.evaluate.inputs = { data: 'ingest', model: 'train', predictions: { path: 'data/preds.bin' } };
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(pipeline, null, 2));
  });
  after(async () => {
    if (ws) await rm(ws.root, { recursive: true, force: true });
  });

  it('runs every stage, then restores every stage from the cache', async () => {
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['ingest', 'train', 'evaluate']);
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, []);
  });

  it('reruns only the stage that reads a git-ignored data file when its content changes', async () => {
    await ws.write('pipelines/toy/data/preds.bin', 'second');
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['evaluate']);
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, []);
  });

  it('reruns train when the network file it names is edited, not ingest', async () => {
    await ws.write('pipelines/toy/net.json', '{"layers":[{"type":"flatten"}]}');
    // The toy train's result depends on the path, not the file's content, so its bytes stay the same and evaluate stays
    // cached (a real train writes a different model, and evaluate follows).
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['train']);
  });

  it('fails the stage whose file went missing with one line naming the pipeline, stage, input and path', async () => {
    await rm(`${ws.root}/pipelines/toy/data/preds.bin`);
    await assert.rejects(ws.nx('run', 'toy:all'), (err: Error) => {
      assert.match(
        err.message,
        /pipelines\/toy\/pipeline\.json: stages\.evaluate\.inputs\.predictions\.path is "data\/preds\.bin", which names nothing \(no pipelines\/toy\/data\/preds\.bin\), expected a file or folder; create it or correct the path/,
      );
      return true;
    });
  });
});
