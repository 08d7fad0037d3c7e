/**
 * The batch split across two threads (src/kernels/plan-split.ts) against the one-thread fused step and PyTorch, in one
 * interleaved run:
 *
 *   node --import tsx packages/train/bench/split.ts [--networks mlp,lenet5-rgb,wide,tutorial] [--batches 32,64]
 *       [--repeats 3] [--steps 1000] [--no-torch]
 *
 * Per repeat and network: ours with threads 1, ours with threads 2 (createCnnTrainer on wasm, fused), then
 * `torch_reference.py speed --network <file> --input C,H,W --threads 1` for the same batches, so each repeat is a
 * triple under the same load (steps as bench/networks.ts: max(steps·8/batch, 50), after a tenth as warm-up). Prints
 * medians (min–max), the ratios to PyTorch with and without the split, the split's speed-up, and the split's own cost
 * per step (copies, waiting for the worker, the update) from its timings. Load average printed. Never run by tests.
 *
 *   node --import tsx packages/train/bench/split.ts --sync
 *       the handshake alone: a 4 → 2 dense net at batch 2 (no work to speak of), one thread vs split, µs per step.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { createCnnTrainer, type EngineTrainer } from '../src/engine/index.ts';
import { builtinNetwork, resolveNetwork, type ResolvedNetwork } from '../src/network/index.ts';
import type { SplitTimings } from '../src/kernels/plan-split.ts';
import { benchInput, syntheticSteps, TORCH_REFERENCE, torchSpeed } from './side-by-side.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const names = (option('networks') ?? 'mlp,lenet5-rgb,wide,tutorial').split(',');
const batches = (option('batches') ?? '32,64').split(',').map(Number);
const repeats = Number(option('repeats') ?? 3);
const steps = Number(option('steps') ?? 1000);
const torch = !args.includes('--no-torch') && existsSync(TORCH_REFERENCE);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const stepsFor = (batch: number) => Math.max(Math.floor((steps * 8) / batch), 50);

/** Steps/s on synthetic inputs, and the split's timings over the timed steps when it ran. */
function ourSpeed(trainer: EngineTrainer, net: ResolvedNetwork, batch: number, n: number): { sps: number; split?: SplitTimings } {
  const step = syntheticSteps(trainer, net, batch, 16);
  for (let i = 0; i < Math.ceil(n / 10); i++) step(i);
  const timings = splitTimings(trainer);
  const before = timings ? { ...timings } : undefined;
  const t = performance.now();
  for (let i = 0; i < n; i++) step(i);
  const sps = (n * 1000) / (performance.now() - t);
  if (!timings || !before) return { sps };
  const d = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, (v as number) - (before as unknown as Record<string, number>)[k]!])) as unknown as SplitTimings;
  return { sps, split: d };
}

/** The split step's timings, reached through the trainer's private fused step (bench only). */
function splitTimings(trainer: EngineTrainer): SplitTimings | undefined {
  const fused = (trainer as unknown as { fused?: { split?: () => { timings: SplitTimings } | undefined } }).fused;
  return fused?.split?.()?.timings;
}

if (args.includes('--sync')) {
  const net = resolveNetwork({ layers: [{ type: 'flatten' }, { type: 'dense', units: 2 }] } as never, { height: 2, width: 2, channels: 1 }, 2);
  for (let r = 0; r < repeats; r++) {
    const us: number[] = [];
    for (const threads of [1, 2] as const) {
      const trainer = await createCnnTrainer({ backend: 'wasm', seed: 0, learningRate: 0.001, momentum: 0.9, network: net, threads });
      const images = new Float32Array(8).fill(0.5);
      const labels = Int32Array.from([0, 1]);
      for (let i = 0; i < 2000; i++) trainer.trainStep(images, labels);
      const t = performance.now();
      for (let i = 0; i < 20000; i++) trainer.trainStep(images, labels);
      us.push(((performance.now() - t) * 1000) / 20000);
      trainer.dispose();
    }
    console.log(`sync: one thread ${us[0]!.toFixed(1)} µs/step, split ${us[1]!.toFixed(1)} µs/step (handshake + copies ≈ ${(us[1]! - us[0]!).toFixed(1)} µs); load ${loadavg()}`);
  }
  process.exit(0);
}
console.log(`# split bench: ${repeats} repeats, batches ${batches.join(',')}, torch ${torch ? 'on' : 'off'}; ${os.availableParallelism()} cores; load ${loadavg()}`);
const rows: string[] = [];
const costs: string[] = [];
for (const name of names) {
  const net = resolveNetwork(builtinNetwork(name as never), benchInput(name), 10);
  const one = new Map<number, number[]>(batches.map((b) => [b, []]));
  const two = new Map<number, number[]>(batches.map((b) => [b, []]));
  const theirs = new Map<number, number[]>(batches.map((b) => [b, []]));
  const cost = new Map<number, SplitTimings[]>(batches.map((b) => [b, []]));
  for (let r = 0; r < repeats; r++) {
    for (const batch of batches) {
      for (const threads of [1, 2] as const) {
        const trainer = await createCnnTrainer({ backend: 'wasm', seed: 0, learningRate: 0.001, momentum: 0.9, network: net, threads });
        const got = ourSpeed(trainer, net, batch, stepsFor(batch));
        (threads === 1 ? one : two).get(batch)!.push(got.sps);
        if (got.split) cost.get(batch)!.push(got.split);
        trainer.dispose();
      }
    }
    if (torch) for (const [b, v] of torchSpeed(name, batches, steps)) theirs.get(b)?.push(v);
  }
  for (const batch of batches) {
    const o1 = median(one.get(batch)!);
    const o2 = median(two.get(batch)!);
    const t = theirs.get(batch)!;
    const tm = t.length ? median(t) : NaN;
    // Per-repeat ratios (each repeat is a triple under the same load), their median.
    const pair = (xs: number[]) => (t.length === xs.length ? ` (pairs ${median(xs.map((x, i) => x / t[i]!)).toFixed(2)}×)` : '');
    const ratio = (x: number, xs: number[]) => (t.length ? `${(x / tm).toFixed(2)}×${pair(xs)}` : '–');
    rows.push(
      `| ${name} | ${batch} | ${o1.toFixed(0)} (${spread(one.get(batch)!)}) | ${o2.toFixed(0)} (${spread(two.get(batch)!)}) | ${t.length ? `${tm.toFixed(0)} (${spread(t)})` : '–'} | ${ratio(o1, one.get(batch)!)} | ${ratio(o2, two.get(batch)!)} | ${(o2 / o1).toFixed(2)}× (pairs ${median(two.get(batch)!.map((x, i) => x / one.get(batch)![i]!)).toFixed(2)}×) |`,
    );
    const cs = cost.get(batch)!;
    if (cs.length) {
      const per = (k: keyof SplitTimings) => median(cs.map((c) => (c[k] as number) / c.steps)).toFixed(3);
      costs.push(`| ${name} | ${batch} | ${per('copyIn')} | ${per('mainHalf')} | ${per('wait')} | ${per('copyBack')} | ${per('update')} | ${(1000 / o2).toFixed(3)} |`);
    }
  }
  console.log(`${name} done; load ${loadavg()}`);
}
console.log('\n| network | batch | 1 thread steps/s | 2 threads steps/s | PyTorch steps/s | 1 thread / PyTorch | 2 threads / PyTorch | split speed-up |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
console.log('\nSplit step, ms per step (medians over repeats): copy in (params + inputs) | main half | waiting for the worker | copy back (gradients) | sum + optimizer | whole step');
console.log('| network | batch | copy in | main half | wait | copy back | update | step |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const c of costs) console.log(c);
console.log(`\nload after: ${loadavg()}`);
