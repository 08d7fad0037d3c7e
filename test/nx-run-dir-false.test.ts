import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createToyWorkspace, TOY_PIPELINE, type ToyWorkspace } from './helpers/toy-workspace.ts';

/**
 * The shape of the real pipelines' project-pixels → project split: a second stage of evaluate's package ("side",
 * `"runDir": false`) reads only ingest, so Nx runs it beside train, and evaluate reads its output.
 */
const SPLIT = () => {
  const pipeline = structuredClone(TOY_PIPELINE) as { stages: Record<string, Record<string, any>> };
  pipeline.stages = {
    ingest: pipeline.stages.ingest,
    train: pipeline.stages.train,
    side: { package: '@toy/evaluate', runDir: false, inputs: { data: 'ingest' }, params: { numThresholds: 7 } },
    evaluate: { ...pipeline.stages.evaluate, inputs: { side: 'side', model: 'train' } },
  };
  return pipeline;
};

describe('nx run <pipeline>:all with a "runDir": false stage (a package serving two stages)', () => {
  let ws: ToyWorkspace;
  const eventFiles = async () => (await readdir(join(ws.root, 'runs/toy'))).filter((f) => f.startsWith('events.')).sort();

  before(async () => {
    ws = await createToyWorkspace();
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(SPLIT(), null, 2));
  });
  after(async () => {
    if (ws) await rm(ws.root, { recursive: true, force: true });
  });

  it('runs every stage once, the side stage without a run directory', async () => {
    const { ran } = await ws.nx('run', 'toy:all');
    assert.deepEqual([...ran].sort(), ['evaluate', 'ingest', 'side', 'train']);
    assert.ok(ran.indexOf('side') < ran.indexOf('evaluate') && ran.indexOf('train') < ran.indexOf('evaluate'));
    assert.deepEqual(await eventFiles(), ['events.out.tfevents.0.tbpipe.evaluate', 'events.out.tfevents.0.tbpipe.ingest', 'events.out.tfevents.0.tbpipe.train']);
    const { output } = await ws.nx('show', 'project', 'toy-side', '--json');
    const target = JSON.parse(output.slice(output.indexOf('{'))).targets.run;
    assert.deepEqual(target.outputs, ['{workspaceRoot}/artifacts/toy/side']);
    assert.doesNotMatch(target.options.command, /--run-dir/);
  });

  it('reruns train and evaluate, not the side stage, when only a train param changes', async () => {
    const pipeline = SPLIT();
    pipeline.stages.train.params.epochs = 2;
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(pipeline, null, 2));
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['train', 'evaluate']);
  });

  it('reruns the side stage and evaluate, not train, when only a side param changes', async () => {
    const pipeline = SPLIT();
    pipeline.stages.train.params.epochs = 2;
    pipeline.stages.side.params.numThresholds = 9;
    await ws.write('pipelines/toy/pipeline.json', JSON.stringify(pipeline, null, 2));
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, ['side', 'evaluate']);
  });

  it('restores both stages of the package from the cache after artifacts and runs are deleted, each with its own files', async () => {
    const events = await eventFiles();
    await rm(join(ws.root, 'artifacts'), { recursive: true });
    await rm(join(ws.root, 'runs'), { recursive: true });
    assert.deepEqual((await ws.nx('run', 'toy:all')).ran, []);
    assert.deepEqual(await eventFiles(), events);
    assert.match(await ws.read('artifacts/toy/side/result.txt'), /^evaluate /);
  });
});
