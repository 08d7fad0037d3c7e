/**
 * Steps/s of the fused engine per built-in network, A/B interleaved: the plan once per plan binary of --binaries (default
 * `auto`, what the engine picks; `plan,plan-fma` compares mul + add against fused multiply-add). Random data.
 *
 *   node --import tsx packages/train/bench/plan-speed.ts [--repeats 5] [--steps 400] [--batches 4,64] [--networks tutorial,wide]
 *       [--binaries plan,plan-fma] [--cpu]
 *
 * --cpu: steps per second of the process's own CPU time instead of wall time (steadier on a loaded machine).
 *
 * Prints medians and min–max over repeats, the load average before and after, and GFLOP/s of the step (forward +
 * both backward products ≈ 3 × the forward multiply-adds × 2).
 */
import os from 'node:os';
import { createRandom } from '@tbpipe/core';
import { builtinNetwork, BUILTIN_NETWORKS, type BuiltinNetwork } from '../src/network/builtins.ts';
import { resolveNetwork, type ResolvedNetwork } from '../src/network/resolve.ts';
import { createFusedStep, planBinary, type PlanBinary } from '../src/kernels/plan.ts';
import { benchInput } from './side-by-side.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1]! : d;
};
const repeats = Number(opt('repeats', '5'));
const steps = Number(opt('steps', '400'));
const batches = opt('batches', '4,64').split(',').map(Number);
const cpuTime = args.includes('--cpu');
const networks = opt('networks', BUILTIN_NETWORKS.join(',')).split(',') as BuiltinNetwork[];
const binaries = opt('binaries', 'auto').split(',') as ('auto' | PlanBinary)[];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Multiply-adds of one image's forward pass. */
function macs(net: ResolvedNetwork): number {
  let m = 0;
  for (const l of net.layers) {
    if (l.type === 'conv2d') m += l.outShape.reduce((a, b) => a * b, 1) * l.inShape[0]! * l.kernelSize! ** 2;
    if (l.type === 'dense') m += l.inShape[0]! * l.units!;
  }
  return m;
}

function time(net: ResolvedNetwork, binary: 'auto' | PlanBinary, batch: number, n: number): number {
  const r = createRandom(1);
  const e = createFusedStep(net, { seed: 0, optimizer: { type: 'sgd', learningRate: 0.001, momentum: 0.9 }, binary });
  e.setParams(net.params.map((p) => Float32Array.from({ length: p.tfShape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) / Math.sqrt(p.fanIn))));
  const per = net.inputShape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: 64 * 8 * per }, () => r() * 2 - 1);
  const labels = Int32Array.from({ length: 64 * 8 }, () => Math.floor(r() * 10));
  const slots = Math.floor((64 * 8) / batch);
  for (let i = 0; i < 20; i++) e.step(data.subarray(0, batch * per), labels.subarray(0, batch));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const s = (i % slots) * batch;
    e.step(data.subarray(s * per, (s + batch) * per), labels.subarray(s, s + batch));
  }
  const wall = n / ((performance.now() - t0) / 1000);
  const c = process.cpuUsage(c0);
  // Under load, steps per second of this process's own CPU time is the steadier figure (--cpu).
  return cpuTime ? n / ((c.user + c.system) / 1e6) : wall;
}

console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; auto binary: ${planBinary()}`);
for (const name of networks) {
  const input = benchInput(name);
  const net = resolveNetwork(builtinNetwork(name), input, 10);
  for (const batch of batches) {
    const n = Math.max(20, Math.round((steps * 4) / batch));
    const runs = binaries.map(() => [] as number[]);
    for (let rep = 0; rep < repeats; rep++) binaries.forEach((b, i) => runs[i]!.push(time(net, b, batch, n)));
    for (const [i, b] of binaries.entries()) {
      const xs = runs[i]!;
      const label = b === 'auto' ? planBinary() : b;
      const gflops = (median(xs) * batch * macs(net) * 2 * 3) / 1e9;
      console.log(`${name.padEnd(11)} batch ${String(batch).padStart(2)} ${label.padEnd(12)} ${median(xs).toFixed(0).padStart(6)} steps/s (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}), ~${gflops.toFixed(2)} GFLOP/s`);
    }
  }
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
