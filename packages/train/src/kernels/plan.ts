/**
 * The fused engine for any network spec: a PLAN built once from a `ResolvedNetwork` — every parameter, gradient,
 * optimizer slot, batch-norm buffer and activation laid out in one WebAssembly memory the engine owns — and a
 * program of layer ops that wasm/plan.wasm runs in ONE call per training step (forward, softmax cross-entropy,
 * backward, optimizer). Shapes come from the resolved network and are checked against the plan only.
 *
 * Layouts are tfjs's (what the LayersModel's weights hold): conv kernels [kh, kw, in, out], dense [in, out],
 * flattened features in (h, w, c) order (1-D batch norm after a flatten likewise); activations NHWC. So
 * `getParams()` returns exactly the model's weight values and the network helper's tf↔torch maps apply unchanged.
 *
 * Every network runs this plan, the tutorial's Net included (its hand-written fixed-shape kernel was removed when
 * plan-fma.wasm overtook it: issue 15).
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import type { ResolvedLayer, ResolvedNetwork } from '../network/resolve.ts';
import { ARGS, OP } from './plan-ops.ts';
import { Wasm, type WasmMemory, type WasmModule } from './webassembly.ts';

/** Optimizers as torch.optim defines them. */
export type FusedOptimizer =
  | { type: 'sgd'; learningRate: number; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { type: 'adam'; learningRate: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number };

export interface FusedStepOptions {
  /** Seeds the dropout masks drawn inside wasm (a fresh mask per step from (seed, step, layer)) when step() gets none. */
  seed: number;
  optimizer: FusedOptimizer;
  /**
   * The train program stops after the backward pass: gradients of the mean loss over this batch in
   * {@link FusedEngine.gradientAddresses}, no optimizer (a batch split across threads sums them, then updates once).
   */
  gradientsOnly?: boolean;
  /**
   * Which build of the plan interpreter runs: `auto` (default) plan-fma.wasm when this runtime compiles relaxed SIMD
   * ({@link planBinary}), else plan.wasm; `plan` / `plan-fma` force one (`plan-fma` throws where it cannot compile).
   */
  binary?: 'auto' | PlanBinary;
}

/**
 * The two builds of wasm/assembly/plan.ts: `plan` (multiply then add, two roundings) and `plan-fma` (relaxed SIMD's
 * fused multiply-add in the matrix-product kernels, one rounding, ~1.4× the arithmetic peak on an FMA CPU). Results
 * are deterministic per seed, backend and binary; the two binaries differ in the last bits.
 */
export type PlanBinary = 'plan' | 'plan-fma';

/**
 * Where the plan's memory and state tensors live. {@link ownHost}: a memory of the engine's own (tests, any
 * backend). The tfjs wasm backend's heap (src/kernels/fused-plan.ts): the trainer's variables, read in place.
 */
export interface PlanHost {
  readonly memory: WasmMemory;
  /** `bytes` of zeroed, 16-aligned memory that stays valid for the engine's life. */
  alloc(bytes: number): number;
  /** Current byte addresses of the parameters, optimizer slots (m2 unused by SGD) and batch-norm buffers. */
  addresses(): { params: number[]; m1: number[]; m2: number[]; buffers: number[] };
}

/**
 * A bump allocator over `memory`, from byte 1024 (never freed): 16-byte-aligned blocks with the SIMD loops' slack
 * after each, the memory grown as needed. What a host on a memory of its own hands the engine as `alloc`.
 */
export function bumpAllocator(memory: WasmMemory): (bytes: number) => number {
  let at = 1024;
  return (bytes) => {
    const p = at;
    at = align16(at + bytes + SLACK);
    if (at > memory.buffer.byteLength) memory.grow(Math.ceil((at - memory.buffer.byteLength) / PAGE));
    return p;
  };
}

/** A host on a memory of the engine's own; parameters, slots and buffers allocated once (buffers at their initial values). */
export function ownHost(net: ResolvedNetwork): PlanHost {
  const memory = new (Wasm.Memory as unknown as new (d: { initial: number }) => WasmMemory)({ initial: 2 });
  const alloc = bumpAllocator(memory);
  const params = net.params.map((p) => alloc(sizeOf(p.tfShape) * 4));
  const m1 = net.params.map((p) => alloc(sizeOf(p.tfShape) * 4));
  const m2 = net.params.map((p) => alloc(sizeOf(p.tfShape) * 4));
  const buffers = net.buffers.map((b) => alloc(b.shape[0] * 4));
  const f32 = new Float32Array(memory.buffer);
  net.buffers.forEach((b, i) => f32.fill(b.initial, buffers[i]! >>> 2, (buffers[i]! >>> 2) + b.shape[0]));
  const addrs = { params, m1, m2, buffers };
  return { memory, alloc, addresses: () => addrs };
}

/** Optimizer slots per parameter: SGD `momentum_buffer`; Adam `exp_avg`, `exp_avg_sq` (torch's state names). */
export interface FusedOptimizerState {
  /** Steps taken (Adam's bias correction; the dropout masks' step index). */
  step: number;
  slots: { name: 'momentum_buffer' | 'exp_avg' | 'exp_avg_sq'; values: Float32Array[] }[];
}

interface PlanWasm {
  run(prog: number, labels: number, seed: bigint, step: number): number;
}

const modules = new Map<string, WasmModule>();
const wasmBytes = (name: string) => readFileSync(new URL(`../../wasm/${name}.wasm`, import.meta.url));
/**
 * A compiled plan binary of the package's `wasm/` folder, compiled once per process: `plan.wasm` / `plan-fma.wasm`,
 * or with `shared` their `-shared` builds, the same code importing a shared memory (a module declares which kind it
 * imports; the batch split's worker half runs on a shared one).
 */
export function wasmModule(name: PlanBinary, shared = false): WasmModule {
  const file = shared ? `${name}-shared` : name;
  let m = modules.get(file);
  if (!m) {
    if (name === 'plan-fma' && !relaxedSimd()) throw new Error('train: this runtime does not compile relaxed SIMD, expected it for plan-fma.wasm; use binary plan');
    modules.set(file, (m = new Wasm.Module(wasmBytes(file))));
  }
  return m;
}

/** Whether `memory` is a shared `WebAssembly.Memory` (its buffer a SharedArrayBuffer): it takes the -shared builds. */
export function isShared(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

let relaxed: boolean | undefined;
/**
 * Whether this runtime compiles plan-fma.wasm. Node 20's V8 has relaxed SIMD behind `--experimental-wasm-relaxed-simd`;
 * the flag is set here, in-process, the first time it is needed (V8 flags are process-wide: worker threads see it
 * too). Runtimes with relaxed SIMD on by default validate without it; any that still refuse get plan.wasm.
 */
function relaxedSimd(): boolean {
  if (relaxed === undefined) {
    const bytes = wasmBytes('plan-fma');
    if (!Wasm.validate(bytes)) {
      try {
        v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      } catch {
        // not V8, or its flags frozen: plan.wasm then
      }
    }
    relaxed = Wasm.validate(bytes);
  }
  return relaxed;
}

/** The plan binary `binary: 'auto'` picks in this process: plan-fma when relaxed SIMD compiles, else plan. */
export function planBinary(): PlanBinary {
  return relaxedSimd() ? 'plan-fma' : 'plan';
}

const PAGE = 65536;
const SLACK = 64; // bytes after every buffer: SIMD loops read up to 3 lanes past a row
const align16 = (n: number) => (n + 15) & ~15;
const f32bits = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0]!;
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Why the fused engine cannot run `net` (null when it can). Today every layer type of the spec is supported. */
export function fusedUnsupportedReason(net: ResolvedNetwork): string | null {
  const known = new Set(['conv2d', 'maxPool2d', 'avgPool2d', 'relu', 'tanh', 'sigmoid', 'flatten', 'dense', 'dropout', 'batchNorm']);
  for (const l of net.layers) if (!known.has(l.type)) return `layer ${l.index} (${l.type}) has no fused kernel`;
  return null;
}

/** Where one batch size's buffers and programs live (byte addresses). */
interface BatchLayout {
  batch: number;
  base: number;
  size: number;
  /** The state addresses the programs were written for. */
  signature: string;
  x: number;
  labels: number;
  logits: number;
  features: number;
  masks: { layer: number; ptr: number; count: number }[];
  trainAt: number;
  predictAt: number;
}

type Addresses = ReturnType<PlanHost['addresses']>;

/** The fused engine: one plan, one memory, one wasm call per step. Create with {@link createFusedStep}. */
export class FusedEngine {
  /** The build of the plan interpreter this engine runs. */
  readonly binary: PlanBinary;
  readonly host: PlanHost;
  private plan: PlanWasm;
  private readonly grads: number[];
  private readonly layerScratch = new Map<number, { wt?: number; istd?: number; sums?: number }>();
  private layouts = new Map<number, BatchLayout>();
  private steps = 0;
  private readonly seed: bigint;

  constructor(readonly net: ResolvedNetwork, readonly options: FusedStepOptions & { externalMasks?: boolean }, host?: PlanHost) {
    const why = fusedUnsupportedReason(net);
    if (why) throw new Error(`train: ${why}, expected a layer type the fused engine implements; use the stock path`);
    this.seed = BigInt.asUintN(64, BigInt(Math.floor(options.seed)));
    this.host = host ?? ownHost(net);
    // Fixed regions: gradients and per-layer scratch.
    this.grads = net.params.map((p) => this.host.alloc(sizeOf(p.tfShape) * 4));
    for (const l of net.layers) {
      if (l.type === 'conv2d') {
        const k = l.kernelSize!;
        const L4 = (k * l.inShape[0]! + 3) & ~3;
        this.layerScratch.set(l.index, { wt: this.host.alloc(l.units! * k * L4 * 4) });
      } else if (l.type === 'batchNorm') {
        const c = l.inShape[0]!;
        this.layerScratch.set(l.index, { istd: this.host.alloc(c * 4), sums: this.host.alloc(c * 16) });
      }
    }
    const env = { memory: this.host.memory, exp: Math.exp, log: Math.log };
    const choice = options.binary ?? 'auto';
    this.binary = choice === 'auto' ? planBinary() : choice;
    this.plan = new Wasm.Instance(wasmModule(this.binary, isShared(this.host.memory)), { env }).exports as unknown as PlanWasm;
  }

  private f32(): Float32Array {
    return new Float32Array(this.host.memory.buffer);
  }

  /** The batch size's layout, its programs rewritten if the state tensors moved (tfjs reallocates on assign). */
  private layout(batch: number): BatchLayout {
    const addrs = this.host.addresses();
    const signature = [addrs.params, addrs.m1, addrs.m2, addrs.buffers].map((a) => a.join(',')).join(';');
    let lay = this.layouts.get(batch);
    if (!lay) {
      const size = this.buildLayout(batch, 0, addrs).size;
      lay = this.buildLayout(batch, this.host.alloc(size), addrs);
      this.layouts.set(batch, lay);
    } else if (lay.signature !== signature) {
      lay = this.buildLayout(batch, lay.base, addrs);
      this.layouts.set(batch, lay);
    }
    return lay;
  }

  /** Lay out one batch size's activations from `base` and write its programs there (when base ≠ 0). */
  private buildLayout(B: number, base: number, addrs: Addresses): BatchLayout & { size: number } {
    const net = this.net;
    let at = base;
    const alloc = (bytes: number) => {
      const p = at;
      at = align16(at + bytes + SLACK);
      return p;
    };
    const train: number[] = [];
    const predict: number[] = [];
    const emit = (prog: number[], op: number, ...args: number[]) => {
      if (args.length !== ARGS[op]) throw new Error(`train: plan op ${op} got ${args.length} arguments, expected ${ARGS[op]}`);
      prog.push(op, ...args);
    };
    const pIndex = (l: ResolvedLayer, k: number) => net.params.indexOf(l.params[k]!);
    const [C0, H0, W0] = net.inputShape;
    const x = alloc(B * C0 * H0 * W0 * 4);
    const labels = alloc(B * 4);
    const acts: number[] = [];
    const pacts: number[] = [];
    const masks: BatchLayout['masks'] = [];
    const saved = new Map<number, Record<string, number>>();
    // A ReLU right after a conv or dense is applied by that layer's kernel; the ReLU layer aliases its output.
    const reluAfter = (l: ResolvedLayer) => (net.layers[l.index + 1]?.type === 'relu' ? 1 : 0);
    const folded = new Set<number>();
    let prev = x;
    let pprev = x;
    for (const l of net.layers) {
      const inN = sizeOf(l.inShape);
      const outN = sizeOf(l.outShape);
      const s: Record<string, number> = {};
      let y = 0;
      let py = 0;
      const same = () => {
        y = alloc(B * outN * 4);
        py = y;
      };
      switch (l.type) {
        case 'conv2d': {
          const [C, H, W] = l.inShape as [number, number, number];
          const [Co, Ho, Wo] = l.outShape as [number, number, number];
          const p = l.padding!;
          const w = addrs.params[pIndex(l, 0)]!;
          const b = addrs.params[pIndex(l, 1)]!;
          const Hp = H + p.top + p.bottom;
          const Wp = W + p.left + p.right;
          same();
          const padded = Hp !== H || Wp !== W;
          const k = l.kernelSize!;
          let src = prev;
          if (padded) emit(train, OP.PAD, prev, (src = alloc(B * Hp * Wp * C * 4)), B, H, W, C, Hp, Wp, p.top, p.left);
          const relu = reluAfter(l);
          if (relu) folded.add(l.index + 1);
          // 3×3, stride 1, channels in fours: Winograd F(2×2, 3×3) (scratch: transformed tiles, products, weights, zeros).
          const wino = k === 3 && l.stride === 1 && C % 4 === 0 && Co % 4 === 0;
          const T = B * Math.ceil(Ho / 2) * Math.ceil(Wo / 2);
          const ws = wino ? [alloc(16 * T * C * 4), alloc(16 * T * Co * 4), alloc(16 * C * Co * 4), alloc(Co * 4)] : [];
          const conv = (prog: number[], input: number) =>
            wino
              ? emit(prog, OP.CONV_WINO, input, Hp, Wp, C, w, b, y, B, Ho, Wo, Co, relu, ...ws)
              : emit(prog, OP.CONV, input, Hp, Wp, C, w, b, y, B, Ho, Wo, Co, k, k, l.stride!, relu);
          conv(train, src);
          // The predict program reads its own input (after a dropout, the undropped one).
          let psrc = pprev;
          if (padded) emit(predict, OP.PAD, pprev, (psrc = pprev === prev ? src : alloc(B * Hp * Wp * C * 4)), B, H, W, C, Hp, Wp, p.top, p.left);
          conv(predict, psrc);
          s.src = src;
          s.Hp = Hp;
          s.Wp = Wp;
          break;
        }
        case 'maxPool2d':
        case 'avgPool2d': {
          const [C, H, W] = l.inShape as [number, number, number];
          const [, Ho, Wo] = l.outShape as [number, number, number];
          same();
          const k = l.kernelSize!;
          const st = l.stride!;
          if (l.type === 'maxPool2d') {
            s.arg = alloc(B * outN * 4);
            emit(train, OP.MAXPOOL, prev, y, s.arg, B, H, W, C, Ho, Wo, k, st);
            emit(predict, OP.MAXPOOL, pprev, y, s.arg, B, H, W, C, Ho, Wo, k, st);
          } else {
            emit(train, OP.AVGPOOL, prev, y, B, H, W, C, Ho, Wo, k, st);
            emit(predict, OP.AVGPOOL, pprev, y, B, H, W, C, Ho, Wo, k, st);
          }
          break;
        }
        case 'dense': {
          const w = addrs.params[pIndex(l, 0)]!;
          const b = addrs.params[pIndex(l, 1)]!;
          same();
          const relu = reluAfter(l);
          if (relu) folded.add(l.index + 1);
          const pack = alloc(inN * 32); // one 8-column strip of the weights, contiguous (dense forward)
          emit(train, OP.DENSE, prev, inN, w, b, outN, y, B, relu, pack);
          emit(predict, OP.DENSE, pprev, inN, w, b, outN, y, B, relu, pack);
          break;
        }
        case 'relu':
        case 'tanh':
        case 'sigmoid': {
          if (folded.has(l.index)) {
            y = prev;
            py = pprev;
            break;
          }
          const op = l.type === 'relu' ? OP.RELU : l.type === 'tanh' ? OP.TANH : OP.SIGMOID;
          same();
          emit(train, op, prev, y, B * outN);
          emit(predict, op, pprev, y, B * outN);
          break;
        }
        case 'batchNorm': {
          const C = l.inShape[0]!;
          const P = B * (outN / C);
          const g = addrs.params[pIndex(l, 0)]!;
          const be = addrs.params[pIndex(l, 1)]!;
          const bi = net.buffers.findIndex((bf) => bf.layer === l.index);
          const rm = addrs.buffers[bi]!;
          const rv = addrs.buffers[bi + 1]!;
          const sc = this.layerScratch.get(l.index)!;
          same();
          s.xhat = alloc(B * outN * 4);
          emit(train, OP.BN_TRAIN, prev, y, s.xhat, sc.istd!, g, be, rm, rv, sc.sums!, P, C, f32bits(l.eps!), f32bits(l.momentum!));
          emit(predict, OP.BN_EVAL, pprev, y, g, be, rm, rv, P, C, f32bits(l.eps!));
          s.P = P;
          break;
        }
        case 'dropout': {
          y = alloc(B * outN * 4);
          py = pprev; // identity in evaluation
          s.mask = alloc(B * outN * 4);
          // External masks (the trainer draws them, so the stock path sees the same) are written before the step.
          if (this.options.externalMasks) emit(train, OP.DROPOUT_DX, prev, s.mask, y, B * outN);
          else emit(train, OP.DROPOUT, prev, y, s.mask, B * outN, l.index, f32bits(l.rate!));
          masks.push({ layer: l.index, ptr: s.mask, count: B * outN });
          break;
        }
        case 'flatten':
          y = prev;
          py = pprev;
          break;
        default:
          throw new Error(`train: layer ${l.index} (${l.type}) has no fused kernel`);
      }
      acts.push(y);
      pacts.push(py);
      saved.set(l.index, s);
      prev = y;
      pprev = py;
    }
    const K = net.classCount;
    const last = net.layers.length - 1;
    const dz = alloc(B * K * 4);
    emit(train, OP.XENT, acts[last]!, dz, B, K);

    // Backward, last layer first. A layer computes its input gradient only if some layer below it has parameters.
    const firstParam = net.layers.findIndex((l) => l.params.length > 0);
    const updated = new Set<number>(); // parameters the backward pass already updated
    let g = dz;
    for (let i = last; i >= 0; i--) {
      const l = net.layers[i]!;
      const s = saved.get(i)!;
      const input = i > 0 ? acts[i - 1]! : x;
      const needDx = i > firstParam;
      const inN = sizeOf(l.inShape);
      const outN = sizeOf(l.outShape);
      let dx = 0;
      const gradBuf = () => (dx = alloc(B * inN * 4));
      switch (l.type) {
        case 'conv2d': {
          const [C, H, W] = l.inShape as [number, number, number];
          const [Co, Ho, Wo] = l.outShape as [number, number, number];
          const p = l.padding!;
          const k = l.kernelSize!;
          const w = addrs.params[pIndex(l, 0)]!;
          // Scratch of the sparse filter gradient: the transposed gradient (the layer's wt, refilled by CONV_DX after)
          // and one channel's (gradient, address) list.
          const list = alloc(Math.max(B * Ho * Wo, Co) * 8);
          emit(train, OP.CONV_DW, s.src!, s.Hp!, s.Wp!, C, g, this.grads[pIndex(l, 0)]!, this.grads[pIndex(l, 1)]!, B, Ho, Wo, Co, k, k, l.stride!,
            this.layerScratch.get(i)!.wt!, list);
          if (needDx) {
            gradBuf();
            const wt = this.layerScratch.get(i)!.wt!;
            if (s.Hp !== H || s.Wp !== W) {
              const dxp = alloc(B * s.Hp! * s.Wp! * C * 4);
              emit(train, OP.CONV_DX, g, w, wt, dxp, s.Hp!, s.Wp!, C, B, Ho, Wo, Co, k, k, l.stride!, list);
              emit(train, OP.UNPAD, dxp, dx, B, H, W, C, s.Hp!, s.Wp!, p.top, p.left);
            } else {
              emit(train, OP.CONV_DX, g, w, wt, dx, H, W, C, B, Ho, Wo, Co, k, k, l.stride!, list);
            }
          }
          break;
        }
        case 'maxPool2d':
          if (needDx) emit(train, OP.MAXPOOL_DX, g, s.arg!, gradBuf(), B * inN, B * outN);
          break;
        case 'avgPool2d': {
          const [C, H, W] = l.inShape as [number, number, number];
          const [, Ho, Wo] = l.outShape as [number, number, number];
          if (needDx) emit(train, OP.AVGPOOL_DX, g, gradBuf(), B, H, W, C, Ho, Wo, l.kernelSize!, l.stride!);
          break;
        }
        case 'dense': {
          const [wi, bi] = [pIndex(l, 0), pIndex(l, 1)];
          // The input gradient first: with SGD the weights are updated as their gradient blocks appear.
          if (needDx) emit(train, OP.DENSE_DX, g, outN, addrs.params[wi]!, inN, gradBuf(), B);
          const o = this.options.optimizer;
          if (o.type === 'sgd' && !this.options.gradientsOnly) {
            emit(train, OP.DENSE_DW_SGD, input, inN, g, outN, this.grads[wi]!, this.grads[bi]!, B, addrs.params[wi]!, addrs.params[bi]!,
              addrs.m1[wi]!, addrs.m1[bi]!, f32bits(o.learningRate), f32bits(o.momentum ?? 0), f32bits(o.weightDecay ?? 0), o.nesterov ? 1 : 0);
            updated.add(wi).add(bi);
          } else emit(train, OP.DENSE_DW, input, inN, g, outN, this.grads[wi]!, this.grads[bi]!, B);
          break;
        }
        case 'relu':
        case 'tanh':
        case 'sigmoid':
          if (needDx) emit(train, l.type === 'relu' ? OP.RELU_DX : l.type === 'tanh' ? OP.TANH_DX : OP.SIGMOID_DX, acts[i]!, g, gradBuf(), B * outN);
          break;
        case 'batchNorm': {
          const C = l.inShape[0]!;
          const sc = this.layerScratch.get(i)!;
          emit(train, OP.BN_DX, g, s.xhat!, sc.istd!, addrs.params[pIndex(l, 0)]!, needDx ? gradBuf() : 0,
            this.grads[pIndex(l, 0)]!, this.grads[pIndex(l, 1)]!, sc.sums!, s.P!, C);
          break;
        }
        case 'dropout':
          if (needDx) emit(train, OP.DROPOUT_DX, g, s.mask!, gradBuf(), B * outN);
          break;
        case 'flatten':
          dx = g;
          break;
      }
      if (!needDx) break;
      g = dx;
    }
    // The optimizer, parameter by parameter (after every gradient exists: input gradients used the old weights).
    const opt = this.options.optimizer;
    net.params.forEach((p, i) => {
      const n = sizeOf(p.tfShape);
      if (updated.has(i) || this.options.gradientsOnly) return;
      if (opt.type === 'sgd') {
        emit(train, OP.SGD, addrs.params[i]!, this.grads[i]!, addrs.m1[i]!, n, f32bits(opt.learningRate), f32bits(opt.momentum ?? 0),
          f32bits(opt.weightDecay ?? 0), opt.nesterov ? 1 : 0);
      } else {
        emit(train, OP.ADAM, addrs.params[i]!, this.grads[i]!, addrs.m1[i]!, addrs.m2[i]!, n, f32bits(opt.learningRate), f32bits(opt.beta1 ?? 0.9),
          f32bits(opt.beta2 ?? 0.999), f32bits(opt.eps ?? 1e-8), f32bits(opt.weightDecay ?? 0));
      }
    });
    train.push(OP.END);
    predict.push(OP.END);
    const fl = net.featureLayer;
    const trainAt = alloc(train.length * 4);
    const predictAt = alloc(predict.length * 4);
    const logits = pacts[last]!;
    const features = fl > 0 ? pacts[fl - 1]! : x;
    if (base !== 0) {
      const i32 = new Int32Array(this.host.memory.buffer);
      i32.set(train, trainAt >>> 2);
      i32.set(predict, predictAt >>> 2);
    }
    const signature = [addrs.params, addrs.m1, addrs.m2, addrs.buffers].map((a) => a.join(',')).join(';');
    return { batch: B, base, size: at - base, signature, x, labels, logits, features, masks, trainAt, predictAt };
  }

  private checkBatch(images: Float32Array, count: number): void {
    const per = sizeOf(this.net.inputShape);
    if (!(Number.isInteger(count) && count >= 1) || images.length !== count * per) {
      throw new Error(`train: fused step got ${images.length} floats for ${count} images, expected ${count} × ${per} (the plan's input ${this.net.inputShape.join('×')}); pass NHWC images`);
    }
  }

  /**
   * One training step on `images` (batch × H × W × C floats, NHWC) and `labels` (class indices); returns the batch's
   * mean softmax cross-entropy before the update. `masks`: one per dropout layer when the engine was built with
   * `externalMasks` (else it draws its own). `step`: the 1-based step number (Adam's t; default: its own count + 1).
   */
  step(images: Float32Array, labels: Int32Array, masks?: readonly Float32Array[], step = this.steps + 1): number {
    const staged = this.stage(images, labels, masks);
    const loss = Math.fround(this.plan.run(staged.program, staged.labels, this.seed, step));
    this.steps = step;
    return loss;
  }

  /**
   * Copy a training step's inputs into the plan's memory (checked as in {@link step}) without running it: `run(program,
   * labels, seed, step)` of a plan.wasm instance on the same memory — another thread's, on a shared memory — then does.
   */
  stage(images: Float32Array, labels: Int32Array, masks?: readonly Float32Array[]): { program: number; labels: number } {
    const B = labels.length;
    this.checkBatch(images, B);
    const K = this.net.classCount;
    for (let i = 0; i < B; i++) {
      const y = labels[i]!;
      if (!(y >= 0 && y < K)) throw new Error(`train: label ${y} at ${i}, expected a class index in [0, ${K}); check the data`);
    }
    const lay = this.layout(B);
    const f32 = this.f32();
    f32.set(images, lay.x >>> 2);
    new Int32Array(this.host.memory.buffer).set(labels, lay.labels >>> 2);
    if (this.options.externalMasks) {
      lay.masks.forEach((m, k) => {
        const v = masks?.[k];
        if (!v || v.length !== m.count) throw new Error(`train: dropout mask ${k} has ${v?.length} floats, expected ${m.count}`);
        f32.set(v, m.ptr >>> 2);
      });
    }
    return { program: lay.trainAt, labels: lay.labels };
  }

  /** Evaluation-mode forward pass: logits (count × classes) and the feature layer's input (count × featureWidth). */
  predict(images: Float32Array, count: number, chunk = 256): { logits: Float32Array; features: Float32Array } {
    this.checkBatch(images, count);
    const K = this.net.classCount;
    const D = this.net.featureWidth;
    const per = sizeOf(this.net.inputShape);
    const logits = new Float32Array(count * K);
    const features = new Float32Array(count * D);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const lay = this.layout(n);
      this.f32().set(images.subarray(start * per, (start + n) * per), lay.x >>> 2);
      this.plan.run(lay.predictAt, lay.labels, this.seed, this.steps);
      const f32 = this.f32();
      logits.set(f32.subarray(lay.logits >>> 2, (lay.logits >>> 2) + n * K), start * K);
      features.set(f32.subarray(lay.features >>> 2, (lay.features >>> 2) + n * D), start * D);
    }
    return { logits, features };
  }

  private read(ptrs: number[]): Float32Array[] {
    const f32 = this.f32();
    return this.net.params.map((p, i) => f32.slice(ptrs[i]! >>> 2, (ptrs[i]! >>> 2) + sizeOf(p.tfShape)));
  }

  private write(ptrs: number[], values: readonly Float32Array[], what: string): void {
    if (values.length !== this.net.params.length) throw new Error(`train: ${values.length} ${what} tensors, expected ${this.net.params.length}`);
    const f32 = this.f32();
    this.net.params.forEach((p, i) => {
      const v = values[i]!;
      if (v.length !== sizeOf(p.tfShape)) throw new Error(`train: ${what} ${p.torchName} has ${v.length} floats, expected ${sizeOf(p.tfShape)} [${p.tfShape}]`);
      f32.set(v, ptrs[i]! >>> 2);
    });
  }

  /** Parameter values in `net.params` order, tfjs layout (copies). */
  getParams(): Float32Array[] {
    return this.read(this.host.addresses().params);
  }

  setParams(values: readonly Float32Array[]): void {
    this.write(this.host.addresses().params, values, 'parameter');
  }

  /** Byte addresses of the gradients, in `net.params` order, tfjs layout (what {@link getGradients} copies). */
  gradientAddresses(): readonly number[] {
    return this.grads;
  }

  /** The last step's gradients, in `net.params` order, tfjs layout. */
  getGradients(): Float32Array[] {
    return this.read(this.grads);
  }

  getOptimizerState(): FusedOptimizerState {
    const a = this.host.addresses();
    const slots: FusedOptimizerState['slots'] =
      this.options.optimizer.type === 'adam'
        ? [
            { name: 'exp_avg', values: this.read(a.m1) },
            { name: 'exp_avg_sq', values: this.read(a.m2) },
          ]
        : [{ name: 'momentum_buffer', values: this.read(a.m1) }];
    return { step: this.steps, slots };
  }

  setOptimizerState(state: FusedOptimizerState): void {
    const a = this.host.addresses();
    const names = this.options.optimizer.type === 'adam' ? ['exp_avg', 'exp_avg_sq'] : ['momentum_buffer'];
    names.forEach((name, k) => {
      const slot = state.slots.find((s) => s.name === name);
      if (!slot) throw new Error(`train: optimizer state has no ${name}, expected ${names.join(' and ')}`);
      this.write(k === 0 ? a.m1 : a.m2, slot.values, name);
    });
    this.steps = state.step;
  }

  /** Batch-norm running statistics in `net.buffers` order (tfjs layout). */
  getBuffers(): Float32Array[] {
    const f32 = this.f32();
    const at = this.host.addresses().buffers;
    return this.net.buffers.map((b, i) => f32.slice(at[i]! >>> 2, (at[i]! >>> 2) + b.shape[0]));
  }

  /** The dropout masks of the last training step at `batch` (0 or 1/(1 − rate) per element), per dropout layer. */
  lastDropoutMasks(batch: number): { layer: number; mask: Float32Array }[] {
    const lay = this.layouts.get(batch);
    if (!lay) return [];
    const f32 = this.f32();
    return lay.masks.map((m) => ({ layer: m.layer, mask: f32.slice(m.ptr >>> 2, (m.ptr >>> 2) + m.count) }));
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }
}

/**
 * Build the fused engine for `net`: the plan (every buffer laid out once per batch size) and its program. Throws
 * when a layer type has no fused kernel ({@link fusedUnsupportedReason} says which, for the stock-path log line).
 * Without `host` the engine owns its memory (parameters start at zero: `setParams` first).
 * @example
 * const fused = createFusedStep(resolveNetwork(spec, { height: 28, width: 28, channels: 1 }, 10),
 *   { seed: 0, optimizer: { type: 'sgd', learningRate: 0.001, momentum: 0.9 } });
 * fused.setParams(initial); const loss = fused.step(images, labels);
 */
export function createFusedStep(net: ResolvedNetwork, options: FusedStepOptions & { externalMasks?: boolean }, host?: PlanHost): FusedEngine {
  return new FusedEngine(net, options, host);
}
