// Two pipelines of one workspace running at the same time keep to their own artifacts and run directories.
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { verifyManifest } from '@tbpipe/core';
import { createPipelineNodes } from '../../packages/nx-plugin/src/index.mjs';
import { createToyWorkspace, TOY_PIPELINE } from '../helpers/toy-workspace.ts';
import { duplicatePoints, pipelineDirs, readRunPoints, runPipeline, STAGES, tempRoot } from './helpers.ts';

describe('two pipelines running at once in one workspace', () => {
  it('both complete, every stage output verifies, and neither run directory holds the other’s points', async (t) => {
    const root = await tempRoot(t);
    // Different seeds, so a file one pipeline took from the other would show.
    const alpha = pipelineDirs(root, 'alpha');
    const beta = pipelineDirs(root, 'beta');
    await Promise.all([runPipeline(alpha), runPipeline(beta, { train: ['--seed', '1'], project: ['--seed', '1'] })]);

    const trainManifests: string[] = [];
    for (const p of [alpha, beta]) {
      for (const stage of STAGES) {
        const { contract } = JSON.parse(await readFile(join(p.out(stage), 'manifest.json'), 'utf8'));
        await verifyManifest(p.out(stage), contract);
      }
      trainManifests.push(await readFile(join(p.out('train'), 'manifest.json'), 'utf8'));

      // One event file per stage (and evaluate's hparams sub-run), each point once, and the training curve is this
      // pipeline's own: its last point is the final loss its train stage recorded.
      const names = (await readdir(p.runDir)).filter((n) => n.startsWith('events.out.tfevents.')).sort();
      assert.deepEqual(names.map((n) => n.split('.').pop()), ['evaluate', 'project', 'train']);
      const points = await readRunPoints(p.runDir);
      assert.deepEqual(duplicatePoints(points), []);
      const loss = points.filter((q) => q.stage === 'train' && q.tag === 'training loss');
      const run = JSON.parse(await readFile(join(p.out('train'), 'run.json'), 'utf8'));
      assert.equal(loss.at(-1)!.value, run.finalLoss, `${p.name}: the curve in ${p.runDir} is its own`);
    }
    assert.notEqual(trainManifests[0], trainManifests[1], 'the two pipelines really trained different networks');
  });
});

describe('the Nx plugin, given two pipelines whose run directories overlap', () => {
  /** Plugin validation over the toy workspace with a second pipeline `other` whose runDir is `runDir`. */
  async function validate(runDir: string): Promise<unknown> {
    const ws = await createToyWorkspace();
    await ws.write('pipelines/other/pipeline.json', JSON.stringify({ ...TOY_PIPELINE, name: 'other', runDir }, null, 2));
    try {
      await createPipelineNodes(['pipelines/toy/pipeline.json', 'pipelines/other/pipeline.json'], { defaultPipeline: 'toy' }, { workspaceRoot: ws.root });
      return undefined;
    } catch (err) {
      return err;
    } finally {
      await rm(ws.root, { recursive: true, force: true });
    }
  }

  // Two pipelines writing one run directory delete and overwrite each other's event files (each stage replaces its
  // own `.train`, `.evaluate`… files there), and a runDir inside another's is inside that pipeline's Nx output globs
  // (`<runDir>/**/events.out.tfevents.*.train`), so one pipeline's cache entry would capture and restore the other's.
  it('rejects two pipelines with the same runDir, naming both files', async () => {
    const err = (await validate('runs/toy')) as Error | undefined;
    assert.ok(err, 'accepted');
    assert.match(err.message, /^pipelines\/(toy|other)\/pipeline\.json: runDir .*"runs\/toy"/);
    assert.match(err.message, /pipelines\/toy\/pipeline\.json.*pipelines\/other\/pipeline\.json|pipelines\/other\/pipeline\.json.*pipelines\/toy\/pipeline\.json/);
  });
  it('rejects a runDir inside another pipeline’s runDir', async () => {
    const err = (await validate('runs/toy/other')) as Error | undefined;
    assert.ok(err, 'accepted');
    assert.match(err.message, /^pipelines\/(toy|other)\/pipeline\.json: runDir .*"runs\/toy(\/other)?"/);
  });
});
