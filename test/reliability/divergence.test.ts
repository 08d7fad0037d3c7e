// A learning rate of 10 makes the real network diverge; train must stop and say where, keeping what it logged.
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { duplicatePoints, humanLines, pipelineDirs, pointSteps, readRunPoints, runBin, runStage, stageArgs, type PipelineDirs } from './helpers.ts';

const DIVERGED = /^tbpipe-train: train: loss diverged at step (\d+) \(loss (\S+) > --max-loss 1e4, learning rate 10\); lower --learning-rate$/;

describe('training with --learning-rate 10 on the fixture data', () => {
  let root: string;
  let p: PipelineDirs;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-diverge-'));
    p = pipelineDirs(root, 'diverge');
    await runStage('ingest', p);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('stops with exit 1 and one line naming the step, the loss and the bound, after flushing every logged point', async () => {
    const r = await runBin('tbpipe-train', stageArgs('train', p, ['--learning-rate', '10', '--log-every-steps', '1']));
    assert.equal(r.code, 1, r.stderr);
    const lines = humanLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    const [, stepText, lossText] = DIVERGED.exec(lines[0]!) ?? assert.fail(lines[0]);
    const step = Number(stepText);
    assert.ok(Number(lossText) > 1e4, lossText);

    // One point per step before the divergent one, all in TensorBoard; the divergent step's loss is in the message.
    const points = await readRunPoints(p.runDir);
    assert.deepEqual(duplicatePoints(points), []);
    const steps = pointSteps(points);
    assert.deepEqual(steps['|train|training loss'] ?? [], Array.from({ length: step }, (_, k) => k));
    assert.deepEqual(steps['|train|four_fashion_mnist_images'], [0]);
    // No manifest: downstream stages refuse the half-trained output.
    await assert.rejects(access(join(p.out('train'), 'manifest.json')), { code: 'ENOENT' });
  });

  it('would train to the end on a dead network if only NaN counted: the loss stays finite (why --max-loss exists)', async () => {
    const other = pipelineDirs(root, 'unbounded');
    const q: PipelineDirs = { ...other, out: (stage) => (stage === 'ingest' ? p.out('ingest') : other.out(stage)) };
    const r = await runBin('tbpipe-train', stageArgs('train', q, ['--learning-rate', '10', '--max-loss', '1e300', '--max-steps', '75']));
    assert.equal(r.code, 0, humanLines(r.stderr).join('\n'));
    const run = JSON.parse(await readFile(join(root, 'artifacts', 'unbounded', 'train', 'run.json'), 'utf8'));
    assert.ok(Number.isFinite(run.finalLoss) && run.finalLoss > Math.log(10), `final loss ${run.finalLoss}: no better than chance`);
  });
});
