/**
 * A/B two builds of the plan interpreter on the same engine and memory, alternating step batches (CPU time):
 *
 *   node --import tsx packages/train/bench/plan-ab.ts A.wasm B.wasm [C.wasm …] [--networks wide,mlp] [--batches 4,64] [--rounds 7]
 *
 * Median ms per step of each and how many times as fast as the first. For kernel work: keep a copy of the old
 * binary, rebuild, compare; or an old commit's binary (`git show <commit>:packages/train/wasm/plan.wasm`). All must
 * share the op codes (src/kernels/plan-ops.ts).
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { createRandom } from '@tbpipe/core';
import { builtinNetwork, type BuiltinNetwork } from '../src/network/builtins.ts';
import { resolveNetwork } from '../src/network/resolve.ts';
import { createFusedStep } from '../src/kernels/plan.ts';
import { benchInput } from './side-by-side.ts';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const args = process.argv.slice(2);
const opt = (n: string, d: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1]! : d;
};
const files = args.filter((a) => a.endsWith('.wasm'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const W = globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: object } } };
const modules = files.map((f) => new W.WebAssembly.Module(readFileSync(f)));
for (const name of opt('networks', 'wide,lenet5-rgb,mlp').split(',') as BuiltinNetwork[]) {
  const input = benchInput(name);
  const net = resolveNetwork(builtinNetwork(name), input, 10);
  for (const batch of opt('batches', '4,64').split(',').map(Number)) {
    const r = createRandom(1);
    const e = createFusedStep(net, { seed: 0, optimizer: { type: 'sgd', learningRate: 0.001, momentum: 0.9 } });
    e.setParams(net.params.map((p) => Float32Array.from({ length: p.tfShape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) / Math.sqrt(p.fanIn))));
    const per = net.inputShape.reduce((a, b) => a * b, 1);
    const images = Float32Array.from({ length: batch * per }, () => (r() + r() + r() - 1.5) * 2);
    const labels = Int32Array.from({ length: batch }, () => Math.floor(r() * 10));
    const env = { memory: e.host.memory, exp: Math.exp, log: Math.log };
    const plans = modules.map((m) => new W.WebAssembly.Instance(m, { env }).exports);
    const inner = e as unknown as { plan: object };
    const times = plans.map(() => [] as number[]);
    const n = Math.max(5, Math.round(400 / batch));
    for (let round = 0; round < Number(opt('rounds', '7')); round++) {
      plans.forEach((p, k) => {
        inner.plan = p;
        e.step(images, labels);
        const c0 = process.cpuUsage();
        for (let i = 0; i < n; i++) e.step(images, labels);
        const c = process.cpuUsage(c0);
        times[k]!.push((c.user + c.system) / 1e3 / n);
      });
    }
    const base = median(times[0]!);
    console.log(`${name} b${batch}: ${files.map((f, k) => `${f.split('/').at(-1)} ${median(times[k]!).toFixed(3)} ms${k ? ` (${(base / median(times[k]!)).toFixed(2)}× as fast)` : ''}`).join(' | ')}`);
  }
}
