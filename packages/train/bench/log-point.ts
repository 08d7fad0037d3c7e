/**
 * What a `training loss` log point costs at batch 64, the figure's share of it, and whether it grows with the batch.
 *
 *   node --import tsx packages/train/bench/log-point.ts [--data artifacts/fashion-mnist/ingest] [--repeats 5]
 *       [--steps 938]
 *
 * 1. Parts, in one process: the median time one `predictions vs. actuals` figure holds up the training loop
 *    (predict the images shown, titles, draw; the PNG encoding then runs on libuv's pool) and the time until it is
 *    encoded and added, for 4 and 16 images of a batch of 64, and for all 64 in one row encoded in line (what the
 *    stage did before `--figure-images`), next to the median time of 100 training steps at batch 64.
 * 2. The whole stage: `train()` at batch 64 for `--steps` steps (938 = one epoch), without log points
 *    (`logEverySteps` above the run), with `--log-every-steps 100` and `histograms: false`, and with
 *    `--log-every-steps 100` and the defaults (histograms on). Variants are interleaved within each repeat, so load
 *    from other work hits all of them alike; the overhead is the loop-time difference (volatile/timings.json) over
 *    the loop time with log points, per repeat, then the median. Target: the figure's share ≤ 5 %.
 *
 * Needs the ingest stage's output (`npx nx run fashion-mnist-ingest:run` writes artifacts/fashion-mnist/ingest).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { SummaryWriter } from '@tbpipe/eventlog';
import { renderPredictionsFigure } from '@tbpipe/figures';
import { createCnnTrainer } from '../src/engine/index.ts';
import { readTrainingSet } from '../src/dataset.ts';
import { normalizeImages, IMAGE_PIXELS } from '../src/normalize.ts';
import { describePredictions } from '../src/predictions.ts';
import { TrainingReport } from '../src/report.ts';
import { train } from '../src/train.ts';
import type { RunTimings } from '../src/run-record.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const DATA = resolve(option('data', 'artifacts/fashion-mnist/ingest'));
const REPEATS = Number(option('repeats', '5'));
const STEPS = Number(option('steps', '938'));
const BATCH = 64;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

if (!existsSync(join(DATA, 'manifest.json'))) {
  console.error(`bench: ${DATA} has no manifest.json, expected the ingest stage's output; run npx nx run fashion-mnist-ingest:run`);
  process.exit(1);
}
console.log(`# load average (1, 5, 15 min) at start: ${loadavg()}; ${os.cpus().length} cores`);
const tmp = await mkdtemp(join(os.tmpdir(), 'tbpipe-log-point-'));

async function parts(): Promise<void> {
  const data = await readTrainingSet(DATA);
  const pixels = data.images.subarray(0, BATCH * IMAGE_PIXELS);
  const images = normalizeImages(pixels);
  const labels = Int32Array.from(data.labels.subarray(0, BATCH));
  const trainer = await createCnnTrainer({ seed: 0, learningRate: 0.001, momentum: 0.9 });
  const report = await TrainingReport.open(join(tmp, 'parts'));
  const old = new SummaryWriter(join(tmp, 'parts-old'));
  /** [ms the training loop is held up, ms until the PNG is encoded and added] for one figure of `shown` images. */
  const figure = async (shown: number, before: boolean): Promise<[number, number]> => {
    const t0 = performance.now();
    const { probabilities } = trainer.predict(images.subarray(0, shown * IMAGE_PIXELS), shown);
    const titles = describePredictions(probabilities, labels.subarray(0, shown), data.classNames);
    const shownPixels = pixels.subarray(0, shown * IMAGE_PIXELS);
    if (before) {
      // The stage before --figure-images: the whole batch predicted, drawn in one row, and waited for.
      old.addFigure('old', await renderPredictionsFigure({ images: shownPixels, titles }), 0);
      const t = performance.now() - t0;
      return [t, t];
    }
    await report.addPredictions(shownPixels, titles, 0);
    const blocked = performance.now() - t0;
    await (report as unknown as { queue?: Promise<void> }).queue; // the encode finishing on libuv's pool
    return [blocked, performance.now() - t0];
  };
  const hundredSteps = () => {
    const t0 = performance.now();
    for (let s = 0; s < 100; s++) trainer.trainStep(images, labels);
    return performance.now() - t0;
  };
  const cases = [
    { label: `4 of 64 (default)`, run: () => figure(4, false) },
    { label: `16 of 64 (rows of 4)`, run: () => figure(16, false) },
    { label: `64 of 64 in one row, encoded in line (before)`, run: () => figure(64, true) },
  ];
  const times = new Map<string, number[]>();
  const push = (k: string, v: number) => times.set(k, [...(times.get(k) ?? []), v]);
  hundredSteps();
  for (const c of cases) await c.run(); // warm-up: fonts, wasm scratch per count
  for (let r = 0; r < Math.max(REPEATS, 5); r++) {
    push('100 steps', hundredSteps());
    for (const c of cases) {
      const [blocked, done] = await c.run();
      push(`${c.label}|blocked`, blocked);
      push(`${c.label}|done`, done);
    }
  }
  await report.close();
  await old.close();
  trainer.dispose();
  const steps100 = median(times.get('100 steps')!);
  console.log(`\n## One log point's figure at batch 64 vs 100 training steps (medians of ${times.get('100 steps')!.length})`);
  console.log(`100 training steps at batch 64: ${steps100.toFixed(0)} ms (${spread(times.get('100 steps')!, 0)})`);
  console.log(`| figure | training loop held up, ms (min–max) | % of 100 steps | until encoded and added, ms (min–max) |`);
  console.log('| --- | --- | --- | --- |');
  for (const c of cases) {
    const [b, d] = [times.get(`${c.label}|blocked`)!, times.get(`${c.label}|done`)!];
    console.log(
      `| ${c.label} | ${median(b).toFixed(1)} (${spread(b, 1)}) | ${((median(b) / steps100) * 100).toFixed(1)} % | ${median(d).toFixed(1)} (${spread(d, 1)}) |`,
    );
  }
}

async function stage(): Promise<void> {
  const variants = [
    { label: 'no log points', options: { logEverySteps: 1e9 } },
    { label: 'log every 100, histograms off', options: { logEverySteps: 100, histograms: false } },
    { label: 'log every 100, defaults (histograms on)', options: { logEverySteps: 100 } },
  ];
  const seconds = new Map<string, number[]>();
  for (let r = 0; r < REPEATS; r++) {
    for (const v of variants) {
      const dir = join(tmp, `stage-${r}-${variants.indexOf(v)}`);
      await train({ dataDir: DATA, outDir: join(dir, 'out'), runDir: join(dir, 'run'), batchSize: BATCH, maxSteps: STEPS, ...v.options });
      const timings = JSON.parse(await readFile(join(dir, 'out', 'volatile', 'timings.json'), 'utf8')) as RunTimings;
      seconds.set(v.label, [...(seconds.get(v.label) ?? []), timings.trainSeconds]);
      await rm(dir, { recursive: true, force: true });
    }
  }
  const base = seconds.get(variants[0]!.label)!;
  console.log(`\n## The stage at batch 64, ${STEPS} steps, ${REPEATS} interleaved repeats (loop time, volatile/timings.json)`);
  console.log('| variant | loop s median (min–max) | steps/s | log-point overhead, per-repeat median (min–max) |');
  console.log('| --- | --- | --- | --- |');
  for (const v of variants) {
    const xs = seconds.get(v.label)!;
    const overhead = xs.map((x, r) => ((x - base[r]!) / x) * 100);
    console.log(
      `| ${v.label} | ${median(xs).toFixed(2)} (${spread(xs, 2)}) | ${(STEPS / median(xs)).toFixed(0)} | ` +
        `${v === variants[0] ? '–' : `${median(overhead).toFixed(1)} % (${spread(overhead, 1)})`} |`,
    );
  }
}

try {
  await parts();
  await stage();
} finally {
  await rm(tmp, { recursive: true, force: true });
}
console.log(`\n# load average at end: ${loadavg()}`);
