/**
 * What the weight and gradient histograms cost the train stage: per logged step, the extra work (two `getState()`
 * calls, the gradients recovered from the momentum buffers, 20 histograms with TensorFlow's default bins) next to the
 * time of one training step, measured alternately in the same process (medians of --repeats, default 40).
 * At `--log-every-steps 1000` the share of training time is extra / (1000 × step).
 *
 *   npx tsx packages/train/bench/histogram-cost.ts [--repeats 40] [--backend auto]
 */
import os from 'node:os';
import { makeHistogram } from '@tbpipe/eventlog';
import { createCnnTrainer } from '../src/engine/index.ts';
import type { BackendChoice } from '../src/engine/types.ts';
import { gradientsFromMomentum } from '../src/histograms.ts';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const repeats = Number(option('repeats') ?? 40);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const trainer = await createCnnTrainer({ seed: 0, learningRate: 0.001, momentum: 0.9, backend: (option('backend') ?? 'auto') as BackendChoice });
const images = new Float32Array(4 * 784).map((_, i) => Math.sin(i));
const labels = Int32Array.from([1, 2, 3, 4]);
const stepMs: number[] = [];
const extraMs: number[] = [];
console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
for (let r = 0; r < repeats; r++) {
  let t0 = performance.now();
  for (let k = 0; k < 20; k++) trainer.trainStep(images, labels);
  const step = (performance.now() - t0) / 20;
  stepMs.push(step);
  t0 = performance.now();
  const before = trainer.getState();
  trainer.trainStep(images, labels);
  const after = trainer.getState();
  for (const w of after.weights) makeHistogram(w.data);
  for (const g of gradientsFromMomentum(before, after, 0.9)) makeHistogram(g.data);
  extraMs.push(performance.now() - t0 - step);
}
const step = median(stepMs);
const extra = median(extraMs);
console.log(`backend ${trainer.backend}: train step ${step.toFixed(3)} ms, histograms per logged step +${extra.toFixed(2)} ms; ` +
  `at --log-every-steps 1000: +${((100 * extra) / (1000 * step)).toFixed(1)} % of training time`);
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
trainer.dispose();
