import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodesV2, formatSummary, parsePipeline, readSummary, readWorkspace } from '../src/index.mjs';

type Json = Record<string, any>;

const PIPELINE = {
  name: 'fashion-mnist',
  runDir: 'runs/fashion_mnist_experiment_1',
  stages: { ingest: { package: '@x/ingest' }, train: { package: '@x/train', inputs: { data: 'ingest' }, params: { lr: 0.01 } } },
};
const SWEEP = {
  runDir: 'runs/sweep/{run}',
  stages: PIPELINE.stages,
  runs: { 'lr-0.1': { train: { lr: 0.1 } }, 'lr-0.01': { train: { lr: 0.01 } } },
};

describe('the board targets (<pipeline>:board, pipeline:board)', () => {
  let root: string;
  const write = async (path: string, value: unknown) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  };
  const infer = async (pipelines: Record<string, unknown>, options: Json = {}): Promise<Record<string, Json>> => {
    const files = [];
    for (const [name, json] of Object.entries(pipelines)) {
      await write(`pipelines/${name}/pipeline.json`, json);
      files.push(`pipelines/${name}/pipeline.json`);
    }
    const results = await createNodesV2[1](files, options, { workspaceRoot: root, nxJsonConfiguration: {} } as any);
    const byName: Record<string, Json> = {};
    for (const [, result] of results) for (const project of Object.values(result.projects ?? {})) byName[(project as Json).name] = project as Json;
    return byName;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-board-target-'));
    await write('package.json', { name: 'ws', private: true, workspaces: ['packages/*'] });
    await write('package-lock.json', { lockfileVersion: 3, packages: { 'node_modules/tsx': { version: '1.0.0' } } });
    await write('packages/ingest/package.json', { name: '@x/ingest', bin: './bin/ingest.mjs' });
    await write('packages/train/package.json', { name: '@x/train', bin: './bin/train.mjs' });
    await write('packages/board/package.json', { name: '@tbpipe/board', bin: { 'tbpipe-board': './bin/tbpipe-board.mjs' } });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serves the pipeline’s run directory with tbpipe-board, not cached and continuous, for <name>:board and pipeline:board', async () => {
    const projects = await infer({ 'fashion-mnist': PIPELINE });
    for (const name of ['fashion-mnist', 'pipeline']) {
      const board = projects[name].targets.board;
      assert.deepEqual(board.options, {
        command: 'node packages/board/bin/tbpipe-board.mjs --logdir runs/fashion_mnist_experiment_1',
        cwd: '{workspaceRoot}',
      });
      assert.equal(board.cache, false);
      assert.equal(board.continuous, true);
      assert.deepEqual(board.inputs, []);
      assert.equal(board.dependsOn, undefined, 'serving does not run the pipeline');
    }
  });

  it('serves the folder holding every run of a sweep', async () => {
    const projects = await infer({ sweep: SWEEP });
    assert.equal(projects.sweep.targets.board.options.command, 'node packages/board/bin/tbpipe-board.mjs --logdir runs/sweep');
  });

  it('tells pipeline:all’s summary to name pipeline:board, and <name>:all’s its own', async () => {
    const projects = await infer({ 'fashion-mnist': PIPELINE });
    assert.match(projects.pipeline.targets.all.options.command, / --board pipeline$/);
    assert.doesNotMatch(projects['fashion-mnist'].targets.all.options.command, /--board/);
  });

  it('makes no board target in a workspace without @tbpipe/board', async () => {
    await rm(join(root, 'packages/board'), { recursive: true });
    try {
      const projects = await infer({ 'fashion-mnist': PIPELINE });
      assert.equal(projects['fashion-mnist'].targets.board, undefined);
      assert.ok(projects['fashion-mnist'].targets.all);
    } finally {
      await write('packages/board/package.json', { name: '@tbpipe/board', bin: { 'tbpipe-board': './bin/tbpipe-board.mjs' } });
    }
  });

  it('ends the summary with the board first and TensorBoard second', async () => {
    const pipeline = parsePipeline('pipelines/fashion-mnist/pipeline.json', PIPELINE, readWorkspace(root));
    const lines = formatSummary(readSummary(root, pipeline, undefined, 'pipeline'));
    assert.deepEqual(lines.slice(-3), [
      '  TensorBoard     runs/fashion_mnist_experiment_1',
      '  open with       npx nx run pipeline:board',
      '                  tensorboard --logdir runs',
    ]);
  });
});
