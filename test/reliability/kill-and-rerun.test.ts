// kill -9 every stage at a random moment, rerun it, and compare with an uninterrupted run of the same seed.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRandom } from '@tbpipe/core';
import {
  deterministicOutputs,
  duplicatePoints,
  findDebris,
  pipelineDirs,
  pointSteps,
  readRunPoints,
  runBin,
  runPipeline,
  runStage,
  stageArgs,
  STAGES,
  type PipelineDirs,
  type RunOptions,
  type Stage,
} from './helpers.ts';

/** Seeds of the kill moments; each picks one moment per stage. */
const SEEDS = [1, 2, 3];
/** Roughly how long each stage runs on the fixture data with SMALL_PARAMS (ms), the range a random kill falls in. */
const TYPICAL_MS: Record<Stage, number> = { ingest: 550, train: 3000, evaluate: 2000, project: 2500 };
const CHECKPOINTS = 7; // --max-steps 150 with --checkpoint-every-steps 20: at 20, 40, …, 140

/** A kill moment: a random delay, or (train, mostly) a random delay after its n-th checkpoint, so resuming is exercised. */
function killMoment(stage: Stage, random: () => number): RunOptions & { label: string } {
  if (stage === 'train' && random() < 0.8) {
    const times = 1 + Math.floor(random() * CHECKPOINTS);
    const killAfterMs = Math.floor(random() * 40);
    return { killOnLog: { pattern: /"msg":"checkpoint"/, times }, killAfterMs, label: `${killAfterMs} ms after checkpoint ${times}` };
  }
  const killAfterMs = Math.floor(random() * TYPICAL_MS[stage]);
  return { killAfterMs, label: `${killAfterMs} ms after start` };
}

/** Plant what an atomic write cut short by a kill leaves, so the rerun's cleanup is checked on every seed. */
async function plantDebris(p: PipelineDirs, stage: Stage): Promise<void> {
  await mkdir(join(p.out(stage), 'volatile'), { recursive: true });
  await writeFile(join(p.out(stage), '.manifest.json.tmp-0123456789ab'), '{"contract":');
  await writeFile(join(p.out(stage), 'volatile', '.timings.json.tmp-0123456789ab'), '{');
  if (stage === 'project') {
    await mkdir(p.runDir, { recursive: true });
    await writeFile(join(p.runDir, '.projector_config.pbtxt.tmp-0123456789ab'), 'embeddings {');
  }
}

describe('a stage killed with SIGKILL at a random moment', () => {
  let root: string;
  let reference: PipelineDirs;
  const expected = {} as Record<Stage, Record<string, string>>;
  let expectedPoints: Record<string, number[]>;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-kill-'));
    reference = pipelineDirs(root, 'reference');
    await runPipeline(reference);
    for (const stage of STAGES) expected[stage] = await deterministicOutputs(reference.out(stage));
    expectedPoints = pointSteps(await readRunPoints(reference.runDir));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('leaves an uninterrupted reference run with each TensorBoard point once and the training-loss curve complete', () => {
    // 75 steps per epoch; a window never spans epochs (the tutorial's i % 1000 == 999 with i counted per epoch).
    const perEpoch = [9, 19, 29, 39, 49, 59, 69];
    assert.deepEqual(expectedPoints['|train|training loss'], [...perEpoch, ...perEpoch.map((s) => 75 + s)]);
    for (const [key, steps] of Object.entries(expectedPoints)) assert.equal(new Set(steps).size, steps.length, key);
  });

  for (const seed of SEEDS) {
    it(`is rerun to artifacts byte-equal to an uninterrupted run, each point once, no .tmp- debris (kill seed ${seed})`, async (t) => {
      const random = createRandom(seed);
      const p = pipelineDirs(root, `seed-${seed}`);
      const story: string[] = [];
      for (const stage of STAGES) {
        const moment = killMoment(stage, random);
        const killed = await runBin(`tbpipe-${stage}`, stageArgs(stage, p), moment);
        story.push(`${stage}: ${moment.label} → ${killed.signal ?? `exit ${killed.code}`}`);
        assert.ok(killed.signal === 'SIGKILL' || killed.code === 0, `${story.at(-1)}\n${killed.stderr.slice(-1500)}`);
        await plantDebris(p, stage);

        const rerun = await runStage(stage, p);
        if (stage === 'train' && moment.killOnLog && killed.signal === 'SIGKILL') {
          assert.match(rerun.stderr, /"msg":"resuming from checkpoint"/, `${story.join('; ')}: the rerun resumes`);
        }
        assert.deepEqual(await deterministicOutputs(p.out(stage)), expected[stage], `${stage} after ${story.join('; ')}`);
        assert.deepEqual(await findDebris(p.out(stage)), [], `${stage}'s out dir after ${story.join('; ')}`);
      }
      t.diagnostic(story.join('; '));
      const points = await readRunPoints(p.runDir);
      assert.deepEqual(duplicatePoints(points), [], story.join('; '));
      assert.deepEqual(pointSteps(points), expectedPoints, story.join('; '));
      assert.deepEqual(await findDebris(p.runDir), [], `run dir after ${story.join('; ')}`);
    });
  }
});
