/**
 * PyTorch layout ↔ tfjs layout of every parameter and buffer of a resolved network, and PyTorch's default
 * initialisation drawn from core's seeded RNG in PyTorch layout (so the numbers never depend on the backend).
 * tfjs layout (what the variables and the saved LayersModel hold, NHWC): conv kernels [kh, kw, in, out], dense
 * kernels [in, out], features after a flatten in (h, w, c) order. PyTorch layout (what getState/setState and
 * checkpoints speak): conv [out, in, kh, kw], linear [out, in], flattened features in (c, h, w) order.
 */
import { createRandom } from '@tbpipe/core';
import { sizeOf, type ParamSpec, type ResolvedNetwork } from './resolve.ts';

/** A parameter or a buffer (a buffer has no kind: it is a vector). */
type Tensorlike = Pick<ParamSpec, 'torchShape' | 'flattenedFrom'> & { kind?: ParamSpec['kind'] };

const maps = new WeakMap<object, Uint32Array>();

/** tfjs index of flattened feature `i` (PyTorch order c·HW + hw) of a [C, H, W] map: hw·C + c. */
const flatIndex = (i: number, [c, h, w]: [number, number, number]) => (i % (h * w)) * c + Math.floor(i / (h * w));

/** For every PyTorch-layout index of `spec`, the index of the same value in tfjs layout (memoized per spec). */
export function tfIndexMap(spec: Tensorlike): Uint32Array {
  let map = maps.get(spec);
  if (map) return map;
  map = new Uint32Array(sizeOf(spec.torchShape));
  const from = spec.flattenedFrom;
  if (spec.kind === 'conv') {
    // torch [out, in, kh, kw]; tfjs [kh, kw, in, out].
    const [co, ci, kh, kw] = spec.torchShape as [number, number, number, number];
    for (let o = 0; o < co; o++)
      for (let i = 0; i < ci; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) map[((o * ci + i) * kh + y) * kw + x] = ((y * kw + x) * ci + i) * co + o;
  } else if (spec.kind === 'dense') {
    // torch [out, in]; tfjs [in', out] where in' is the input feature's tfjs position.
    const [o, n] = spec.torchShape as [number, number];
    for (let c = 0; c < n; c++) {
      const t = from ? flatIndex(c, from) : c;
      for (let r = 0; r < o; r++) map[r * n + c] = t * o + r;
    }
  } else for (let k = 0; k < map.length; k++) map[k] = from ? flatIndex(k, from) : k;
  maps.set(spec, map);
  return map;
}

/** Convert one parameter, optimizer slot or buffer from PyTorch layout to tfjs layout. */
export function torchToTf(spec: Tensorlike, src: Float32Array): Float32Array {
  const map = tfIndexMap(spec);
  const dst = new Float32Array(src.length);
  for (let k = 0; k < map.length; k++) dst[map[k]!] = src[k]!;
  return dst;
}

/** Convert one parameter, optimizer slot or buffer from tfjs layout to PyTorch layout. */
export function tfToTorch(spec: Tensorlike, src: Float32Array): Float32Array {
  const map = tfIndexMap(spec);
  const dst = new Float32Array(src.length);
  for (let k = 0; k < map.length; k++) dst[k] = src[map[k]!]!;
  return dst;
}

/** Weight initialisation: PyTorch's defaults per layer type, or tfjs's glorot-uniform with zero biases. */
export type InitScheme = 'pytorch' | 'glorot';

/**
 * Initial parameters in tfjs layout, in `net.params` order, drawn in PyTorch layout from `createRandom(seed)`, one
 * parameter after the other. `pytorch`: conv and linear weights kaiming_uniform(a=√5), i.e. uniform ±1/√fan_in,
 * biases uniform ±1/√fan_in, batch-norm weight 1 and bias 0 (no draws). `glorot`: weights uniform
 * ±√(6/(fan_in + fan_out)), biases 0, batch norm as PyTorch.
 */
export function initialParams(net: ResolvedNetwork, seed: number, scheme: InitScheme): Float32Array[] {
  const random = createRandom(seed);
  return net.params.map((spec) => {
    const n = sizeOf(spec.torchShape);
    const out = new Float32Array(n);
    if (spec.kind === 'gamma') out.fill(1);
    if (spec.kind === 'gamma' || spec.kind === 'beta') return out;
    let limit: number;
    if (scheme === 'pytorch') limit = spec.kind === 'bias' ? 1 / Math.sqrt(spec.fanIn) : Math.sqrt(3 * (1 / 3) / spec.fanIn);
    else limit = spec.kind === 'bias' ? 0 : Math.sqrt(6 / (spec.fanIn + spec.fanOut));
    for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * limit;
    return torchToTf(spec, out);
  });
}

/** Initial batch-norm buffers (running mean 0, running variance 1), in `net.buffers` order. */
export function initialBuffers(net: ResolvedNetwork): Float32Array[] {
  return net.buffers.map((b) => new Float32Array(b.shape[0]).fill(b.initial));
}

/**
 * The dropout masks of training step `step` (0-based count of steps this trainer has run, restored on resume):
 * one Float32Array per dropout layer in layer order, in the activation's tfjs layout (batch × H × W × C or
 * batch × N), each element `1 / (1 − rate)` (kept, inverted scaling) or 0 (dropped, probability `rate`), drawn
 * from `createRandom(maskSeed(seed, step))`, layer after layer. The stock step and the fused engine both take these
 * masks, so they train identically.
 */
export function dropoutMasks(net: ResolvedNetwork, seed: number, step: number, batch: number): Float32Array[] {
  const layers = net.layers.filter((l) => l.type === 'dropout');
  if (layers.length === 0) return [];
  const random = createRandom(maskSeed(seed, step));
  return layers.map((l) => {
    const rate = l.rate!;
    const keep = 1 / (1 - rate);
    const out = new Float32Array(batch * sizeOf(l.inShape));
    for (let i = 0; i < out.length; i++) out[i] = random() < rate ? 0 : keep;
    return out;
  });
}

/** The RNG seed of step `step`'s dropout masks (a 32-bit mix of the run's seed and the step). */
export function maskSeed(seed: number, step: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (step >>> 0), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
