/**
 * The tutorial's CNN as data: parameter names and shapes in both layouts, conversions between them, and the
 * seeded initialisers. tfjs layout (what the variables and the saved LayersModel hold, NHWC):
 * conv kernels [kh, kw, in, out], dense kernels [in, out], fc1's input flattened as (h, w, c). PyTorch layout (what
 * getState/setState speak): conv [out, in, kh, kw], linear [out, in], fc1's input flattened as (c, h, w).
 */
import { createRandom } from '@tbpipe/core';
import { CLASS_COUNT, IMAGE_PIXELS } from '@tbpipe/ingest/contract';
import type { InitScheme } from './types.ts';

export interface ParamSpec {
  /** PyTorch name, e.g. `conv1.weight`. */
  torchName: string;
  /** tfjs LayersModel weight name, e.g. `conv1/kernel`. */
  tfName: string;
  torchShape: number[];
  tfShape: number[];
  /** Fan-in of the layer the parameter belongs to (PyTorch's definition). */
  fanIn: number;
  fanOut: number;
  kind: 'conv' | 'fc1' | 'dense' | 'bias';
}

const conv = (name: string, ci: number, co: number, k: number): ParamSpec[] => [
  {
    torchName: `${name}.weight`,
    tfName: `${name}/kernel`,
    torchShape: [co, ci, k, k],
    tfShape: [k, k, ci, co],
    fanIn: ci * k * k,
    fanOut: co * k * k,
    kind: 'conv',
  },
  bias(name, co, ci * k * k),
];
const dense = (name: string, i: number, o: number, kind: 'fc1' | 'dense'): ParamSpec[] => [
  { torchName: `${name}.weight`, tfName: `${name}/kernel`, torchShape: [o, i], tfShape: [i, o], fanIn: i, fanOut: o, kind },
  bias(name, o, i),
];
function bias(name: string, n: number, fanIn: number): ParamSpec {
  return { torchName: `${name}.bias`, tfName: `${name}/bias`, torchShape: [n], tfShape: [n], fanIn, fanOut: n, kind: 'bias' };
}

/** Parameters in PyTorch's `named_parameters()` order. */
export const PARAMS: readonly ParamSpec[] = [
  ...conv('conv1', 1, 6, 5),
  ...conv('conv2', 6, 16, 5),
  ...dense('fc1', 256, 120, 'fc1'),
  ...dense('fc2', 120, 84, 'dense'),
  ...dense('fc3', 84, CLASS_COUNT, 'dense'),
];

export const IMAGE_SIZE = 28;
export const IMAGE_FLOATS = IMAGE_PIXELS;
export const CLASSES = CLASS_COUNT;
export const FEATURES = 84;

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const tfIndexMaps = new WeakMap<ParamSpec, Uint32Array>();

/** For every PyTorch-layout index of `spec`, the index of the same value in tfjs layout (memoized per spec). */
function tfIndexMap(spec: ParamSpec): Uint32Array {
  let map = tfIndexMaps.get(spec);
  if (map) return map;
  map = new Uint32Array(sizeOf(spec.torchShape));
  if (spec.kind === 'conv') {
    // torch [out, in, kh, kw]; tfjs [kh, kw, in, out].
    const [co, ci, kh, kw] = spec.torchShape as [number, number, number, number];
    for (let o = 0; o < co; o++)
      for (let i = 0; i < ci; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) map[((o * ci + i) * kh + y) * kw + x] = ((y * kw + x) * ci + i) * co + o;
  } else if (spec.kind === 'fc1') {
    // torch input index c·16 + h·4 + w; tfjs Flatten of NHWC gives (h·4 + w)·16 + c.
    const [o, i] = spec.torchShape as [number, number];
    for (let r = 0; r < o; r++)
      for (let c = 0; c < 16; c++)
        for (let hw = 0; hw < 16; hw++) map[r * i + c * 16 + hw] = (hw * 16 + c) * o + r;
  } else if (spec.kind === 'dense') {
    // torch [out, in]; tfjs [in, out].
    const [o, i] = spec.torchShape as [number, number];
    for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) map[r * i + c] = c * o + r;
  } else for (let k = 0; k < map.length; k++) map[k] = k;
  tfIndexMaps.set(spec, map);
  return map;
}

/** Convert one parameter (or its momentum buffer) from PyTorch layout to tfjs layout. */
export function torchToTf(spec: ParamSpec, src: Float32Array): Float32Array {
  const map = tfIndexMap(spec);
  const dst = new Float32Array(src.length);
  for (let k = 0; k < map.length; k++) dst[map[k]!] = src[k]!;
  return dst;
}

/** Convert one parameter (or its momentum buffer) from tfjs layout to PyTorch layout. */
export function tfToTorch(spec: ParamSpec, src: Float32Array): Float32Array {
  const map = tfIndexMap(spec);
  const dst = new Float32Array(src.length);
  for (let k = 0; k < map.length; k++) dst[k] = src[map[k]!]!;
  return dst;
}

/**
 * Initial parameters in tfjs layout, drawn from core's seeded RNG in PyTorch layout (so the numbers don't depend
 * on the backend). `pytorch`: weights uniform ±sqrt(1/fan_in) — the same distribution as tfjs's
 * varianceScaling({ scale: 1/3, mode: 'fanIn', distribution: 'uniform' }), i.e. PyTorch's kaiming_uniform(a=√5) —
 * and biases uniform ±1/sqrt(fan_in). `glorot`: weights uniform ±sqrt(6/(fan_in + fan_out)), biases 0 (tfjs's
 * defaults).
 */
export function initialParams(seed: number, scheme: InitScheme): Float32Array[] {
  const random = createRandom(seed);
  return PARAMS.map((spec) => {
    const n = sizeOf(spec.torchShape);
    const out = new Float32Array(n);
    let limit: number;
    if (scheme === 'pytorch') limit = spec.kind === 'bias' ? 1 / Math.sqrt(spec.fanIn) : Math.sqrt(3 * (1 / 3) / spec.fanIn);
    else limit = spec.kind === 'bias' ? 0 : Math.sqrt(6 / (spec.fanIn + spec.fanOut));
    for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * limit;
    return torchToTf(spec, out);
  });
}
