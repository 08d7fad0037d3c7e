/**
 * Where a plan's training step spends its time, op by op: builds the engine for a built-in network, runs a few real
 * steps (so gradients and sparsity are realistic), then times each op of the train program alone (copied with an
 * OP_END after it into scratch memory and run repeatedly), with GFLOP/s for the matrix-product ops.
 *
 *   node --import tsx packages/train/bench/plan-profile.ts [--networks wide,mlp] [--batches 4,64] [--binary auto|plan|plan-fma]
 *
 * CPU time of this process (steadier under load). Ops that update state (optimizer) keep updating; timing only.
 */
import { createRandom } from '@tbpipe/core';
import { builtinNetwork, type BuiltinNetwork } from '../src/network/builtins.ts';
import { resolveNetwork } from '../src/network/resolve.ts';
import { createFusedStep, type PlanBinary } from '../src/kernels/plan.ts';
import { ARGS, OP } from '../src/kernels/plan-ops.ts';
import { benchInput } from './side-by-side.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1]! : d;
};
const NAMES = Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k]));

/** Multiply-adds × 2 of the matrix-product ops, from their arguments. */
function flops(op: number, a: number[]): number {
  switch (op) {
    case OP.CONV: // x Hp Wp Ci w b y B Ho Wo Co KH KW S relu
      return 2 * a[7]! * a[8]! * a[9]! * a[10]! * a[11]! * a[12]! * a[3]!;
    case OP.CONV_WINO: // x Hp Wp Ci w b y B Ho Wo Co relu V M U zb: the direct conv's count (effective GFLOP/s)
      return 2 * a[7]! * a[8]! * a[9]! * a[10]! * 9 * a[3]!;
    case OP.CONV_DW: // x Hp Wp Ci dy gw gb B Ho Wo Co KH KW S gt list
      return 2 * a[7]! * a[8]! * a[9]! * a[10]! * a[11]! * a[12]! * a[3]!;
    case OP.CONV_DX: // dy w wt dx Hp Wp Ci B Ho Wo Co KH KW S list
      return 2 * a[7]! * a[8]! * a[9]! * a[10]! * a[11]! * a[12]! * a[6]!;
    case OP.DENSE: // x nin w b nout y B relu
      return 2 * a[1]! * a[4]! * a[6]!;
    case OP.DENSE_DW:
    case OP.DENSE_DW_SGD: // x nin dy nout ...  B at 6
      return 2 * a[1]! * a[3]! * a[6]!;
    case OP.DENSE_DX: // dy nout w nin dx B
      return 2 * a[1]! * a[3]! * a[5]!;
    default:
      return 0;
  }
}

for (const name of opt('networks', 'wide,lenet5-rgb,mlp').split(',') as BuiltinNetwork[]) {
  const input = benchInput(name);
  const net = resolveNetwork(builtinNetwork(name), input, 10);
  for (const batch of opt('batches', '4,64').split(',').map(Number)) {
    const r = createRandom(1);
    const binary = opt('binary', 'auto') as 'auto' | PlanBinary;
    const e = createFusedStep(net, { seed: 0, optimizer: { type: 'sgd', learningRate: 0.001, momentum: 0.9 }, binary });
    e.setParams(net.params.map((p) => Float32Array.from({ length: p.tfShape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) / Math.sqrt(p.fanIn))));
    const per = net.inputShape.reduce((a, b) => a * b, 1);
    const images = Float32Array.from({ length: batch * per }, () => (r() + r() + r() - 1.5) * 2);
    const labels = Int32Array.from({ length: batch }, () => Math.floor(r() * 10));
    for (let i = 0; i < 5; i++) e.step(images, labels);
    const inner = e as unknown as { layouts: Map<number, { trainAt: number; labels: number }>; plan: { run(p: number, l: number, s: bigint, t: number): number }; host: { alloc(n: number): number; memory: { buffer: ArrayBuffer } } };
    const lay = inner.layouts.get(batch)!;
    const scratch = inner.host.alloc(64 * 4);
    const i32 = () => new Int32Array(inner.host.memory.buffer);
    // Walk the train program.
    const ops: { op: number; args: number[] }[] = [];
    for (let pc = lay.trainAt >>> 2; i32()[pc] !== OP.END; ) {
      const op = i32()[pc]!;
      const n = ARGS[op]!;
      ops.push({ op, args: Array.from(i32().subarray(pc + 1, pc + 1 + n)) });
      pc += 1 + n;
    }
    // Whole step, for the total.
    const timeIt = (f: () => void, budgetMs = 150) => {
      f();
      let n = 0;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      while (performance.now() - t0 < budgetMs) {
        f();
        n++;
      }
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1e3 / n; // ms per call
    };
    const total = timeIt(() => e.step(images, labels), 600);
    const rows: [string, number, number][] = [];
    let sum = 0;
    for (const { op, args: a } of ops) {
      i32().set([op, ...a, OP.END], scratch >>> 2);
      const ms = timeIt(() => inner.plan.run(scratch, lay.labels, 0n, 1));
      sum += ms;
      rows.push([NAMES[op]!, ms, flops(op, a)]);
    }
    console.log(`\n${name} batch ${batch} (${e.binary}): step ${total.toFixed(3)} ms, ops sum ${sum.toFixed(3)} ms`);
    for (const [n, ms, f] of rows) {
      if (ms / sum < 0.01) continue;
      console.log(`  ${n.padEnd(14)} ${ms.toFixed(4).padStart(8)} ms ${((100 * ms) / sum).toFixed(1).padStart(5)} %${f ? `  ${(f / ms / 1e6).toFixed(1)} GFLOP/s` : ''}`);
    }
  }
}
