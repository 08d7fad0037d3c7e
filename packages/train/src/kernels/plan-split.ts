/**
 * A training step split across two threads (data parallel): the main thread and one worker each hold a plan of the
 * same network and run the gradient program (forward, loss, backward; no optimizer) on their half of the batch; the
 * main thread then sums the two gradients, scaled to the mean over the WHOLE batch, and runs the optimizer once on the
 * trainer's variables. Before each step the updated parameters are copied into the worker's plan.
 *
 * Memory: the main half runs in place on the tfjs wasm heap (like the one-thread plan); the worker's plan lives in a
 * shared `WebAssembly.Memory` that the main thread lays out (programs, parameters, the worker half's inputs) and the
 * worker only runs (plan-worker.mjs, plain JS). Per step: parameters → shared memory, the worker half's images, labels
 * and dropout-mask rows → shared memory, a request through `Atomics.notify`, the main half, `Atomics.wait` for the
 * answer, the worker's gradients → the tfjs heap, one program (sum, scale, optimizer). No postMessage per step.
 *
 * Semantics: the same as the one-thread step up to float summation order. The loss is the mean over the batch; each
 * half's cross-entropy gradient is its own mean, scaled by its share of the batch (½ for an even batch: exact); the
 * dropout masks are the trainer's per-sample rows, so each sample gets the mask the unsplit step gives it. Batch norm
 * needs whole-batch statistics: networks with it are not split ({@link splitUnsupportedReason}).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ResolvedNetwork } from '../network/resolve.ts';
import { EngineError } from '../engine/errors.ts';
import { backendWasm, tfjsHost, toFusedOptimizer, type PlanStep, type PlanVariables, type TrainerOptimizer } from './fused-plan.ts';
import { bumpAllocator, createFusedStep, fusedUnsupportedReason, wasmModule, type FusedEngine, type PlanBinary, type PlanHost } from './plan.ts';
import { OP } from './plan-ops.ts';
import { Wasm, type WasmMemory } from './webassembly.ts';

/** `threads` as the trainer takes it: `auto` splits when it pays (see {@link splitDecision}). */
export type ThreadsChoice = 'auto' | 1 | 2;

/** Smallest batch `auto` splits: below it the per-step copy and handshake eat most of the gain (ENGINE.md). */
export const AUTO_SPLIT_MIN_BATCH = 32;

/** Why `net` cannot be split across threads, or null. */
export function splitUnsupportedReason(net: ResolvedNetwork): string | null {
  const why = fusedUnsupportedReason(net);
  if (why) return why;
  const bn = net.layers.find((l) => l.type === 'batchNorm');
  if (bn) return `layer ${bn.index} (batchNorm) needs whole-batch statistics, which a split batch does not have`;
  return null;
}

/**
 * How many threads a step of `batch` images runs on, and the one log line saying why. (The tutorial's Net splits like any
 * other network: it runs the plan on one thread too.)
 */
export function splitDecision(net: ResolvedNetwork, threads: ThreadsChoice, batch: number, cores = availableParallelism()): { threads: 1 | 2; why: string } {
  if (threads === 1) return { threads: 1, why: 'threads 1' };
  const unsplittable = splitUnsupportedReason(net);
  if (unsplittable) return { threads: 1, why: `not split: ${unsplittable}` };
  if (batch < 2) return { threads: 1, why: `not split: batch ${batch}` };
  if (threads === 2) return { threads: 2, why: 'threads 2' };
  if (batch < AUTO_SPLIT_MIN_BATCH) return { threads: 1, why: `threads auto: batch ${batch} < ${AUTO_SPLIT_MIN_BATCH}` };
  if (cores < 2) return { threads: 1, why: `threads auto: ${cores} core available` };
  return { threads: 2, why: `threads auto: batch ${batch} ≥ ${AUTO_SPLIT_MIN_BATCH}, ${cores} cores` };
}

// The control words shared with plan-worker.mjs (Int32 indices; loss f64 at byte 64; error text from byte 128).
const REQ = 0;
const DONE = 1;
const CMD = 2;
const PROG = 3;
const LABELS = 4;
const STEP = 5;
const STATUS = 6;
const TEXT_LEN = 7;
const GONE = -1;
const RUN = 0;
const STOP = 1;
const CONTROL_BYTES = 2048;

/** How long a step waits for the worker before declaring it stuck (a step is milliseconds; this is a hang). */
const WORKER_TIMEOUT_MS = 10 * 60 * 1000;
const align16 = (n: number) => (n + 15) & ~15;
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const f32bits = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0]!;

interface PlanWasm {
  run(prog: number, labels: number, seed: bigint, step: number): number;
}

const MAX_PAGES = 32768; // 2 GiB of address space reserved, committed as the plan grows; the -shared builds' maximum

/**
 * A host on a shared memory: parameters (copied in each step) and buffers; no optimizer slots (m1/m2 alias them,
 * unused). The engine built on it only lays out and stages (the worker runs its programs); being shared, its memory
 * takes the plan's -shared build.
 */
function sharedHost(net: ResolvedNetwork): PlanHost {
  const SharedMemory = Wasm.Memory as unknown as new (d: { initial: number; maximum: number; shared: true }) => WasmMemory;
  const memory = new SharedMemory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const alloc = bumpAllocator(memory);
  const params = net.params.map((p) => alloc(sizeOf(p.tfShape) * 4));
  const buffers = net.buffers.map((b) => alloc(b.shape[0] * 4));
  const addrs = { params, m1: params, m2: params, buffers };
  return { memory, alloc, addresses: () => addrs };
}

/** Time spent per step outside the two halves' wasm (milliseconds, summed over `steps`): what the split costs. */
export interface SplitTimings {
  steps: number;
  /** Parameters into the worker's memory, its half's inputs staged. */
  copyIn: number;
  /** Main thread idle, waiting for the worker's answer after its own half. */
  wait: number;
  /** The worker's gradients into the tfjs heap. */
  copyBack: number;
  /** Sum, scale and optimizer (one wasm call). */
  update: number;
  /** The main half (stage + gradient program). */
  mainHalf: number;
}

/** Options for tests: another worker entry (a failing one). */
export interface SplitOptions {
  workerEntry?: URL;
}

/** The trainer's step on two threads. Create with {@link createSplitPlanStep}; `dispose()` ends the worker. */
export class SplitPlanStep implements PlanStep {
  readonly threads = 2;
  get binary() {
    return this.main.binary;
  }
  private readonly main: FusedEngine;
  private readonly other: FusedEngine;
  private readonly plan: PlanWasm;
  private readonly ctl: Int32Array;
  private readonly lossOut: Float64Array;
  private readonly text: Uint8Array;
  private readonly worker: Worker;
  private readonly grads: { at: number; n: number }[];
  private staging = 0;
  private program = 0;
  private programWords = 0;
  private seq = 0;
  private failure: EngineError | undefined;
  private disposed = false;
  readonly timings: SplitTimings = { steps: 0, copyIn: 0, wait: 0, copyBack: 0, update: 0, mainHalf: 0 };
  /** Settles when the worker thread has ended (after `dispose()`, or a crash). */
  readonly ended: Promise<void>;

  constructor(
    readonly network: ResolvedNetwork,
    private readonly optimizer: TrainerOptimizer,
    vars: PlanVariables,
    options: SplitOptions = {},
  ) {
    const why = splitUnsupportedReason(network);
    if (why) throw new Error(`train: ${why}, expected a network the batch split runs; use threads 1`);
    const opts = { seed: 0, optimizer: toFusedOptimizer(optimizer), externalMasks: true, gradientsOnly: true };
    backendWasm();
    this.main = createFusedStep(network, opts, tfjsHost(() => vars));
    this.other = createFusedStep(network, opts, sharedHost(network));
    // The binary the one-thread engine picks (plan, or plan-fma where relaxed SIMD compiles), on both threads.
    const binary = (this.main as { binary?: string }).binary ?? 'plan';
    this.plan = new Wasm.Instance(wasmModule(binary as PlanBinary), { env: { memory: this.main.host.memory, exp: Math.exp, log: Math.log } })
      .exports as unknown as PlanWasm;
    this.grads = network.params.map((p, i) => ({ at: this.main.gradientAddresses()[i]!, n: sizeOf(p.tfShape) }));
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.ctl = new Int32Array(control);
    this.lossOut = new Float64Array(control, 64, 1);
    this.text = new Uint8Array(control, 128);
    this.worker = new Worker(options.workerEntry ?? new URL('./plan-worker.mjs', import.meta.url), {
      workerData: { memory: this.other.host.memory, module: wasmModule(binary as PlanBinary, true), control },
      stdout: false,
      stderr: false,
    });
    // Never what keeps the process alive: an interrupted or failed run exits with the worker still parked.
    this.worker.unref();
    this.worker.on('error', (err) => {
      this.failure ??= this.error(`failed (${err.message})`);
    });
    this.ended = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        if (!this.disposed) this.failure ??= this.error(`exited with code ${code}`);
        resolve();
      }),
    );
  }

  private error(what: string): EngineError {
    return new EngineError(
      'TRAIN_WORKER_FAILED',
      `train: the batch-split worker thread ${what}, expected it to run its half of each step; rerun with --threads 1`,
    );
  }

  private fail(what: string): never {
    this.failure ??= this.error(what);
    void this.worker.terminate();
    throw this.failure;
  }

  trainStep(images: Float32Array, labels: Int32Array, masks: readonly Float32Array[], step: number): number {
    if (this.disposed) throw new Error('train: split step used after dispose(), expected a live step; create a new trainer');
    if (this.failure) throw this.failure;
    const B = labels.length;
    const per = images.length / Math.max(B, 1);
    const B1 = B >= 2 ? B >> 1 : B; // the main thread's rows: the first ⌊B/2⌋
    const B2 = B - B1;
    const rows = (m: Float32Array, from: number, to: number) => m.subarray((from * m.length) / B, (to * m.length) / B);
    const t0 = performance.now();
    let seq = 0;
    if (B2 > 0) {
      // Parameters (updated by the last step, or assigned by setState) into the worker's plan.
      const heap = new Float32Array(this.main.host.memory.buffer);
      const shared = new Float32Array(this.other.host.memory.buffer);
      const from = this.main.host.addresses().params;
      const to = this.other.host.addresses().params;
      this.grads.forEach(({ n }, i) => shared.set(heap.subarray(from[i]! >>> 2, (from[i]! >>> 2) + n), to[i]! >>> 2));
      const staged = this.other.stage(images.subarray(B1 * per), labels.subarray(B1), masks.map((m) => rows(m, B1, B)));
      this.ctl[CMD] = RUN;
      this.ctl[PROG] = staged.program;
      this.ctl[LABELS] = staged.labels;
      this.ctl[STEP] = step;
      seq = ++this.seq;
      Atomics.store(this.ctl, REQ, seq);
      Atomics.notify(this.ctl, REQ);
    }
    const t1 = performance.now();
    const mine = this.main.stage(images.subarray(0, B1 * per), labels.subarray(0, B1), masks.map((m) => rows(m, 0, B1)));
    const loss1 = this.plan.run(mine.program, mine.labels, 0n, step);
    const t2 = performance.now();
    let loss2 = 0;
    if (B2 > 0) {
      this.await(seq);
      loss2 = this.lossOut[0]!;
    }
    const t3 = performance.now();
    if (B2 > 0) this.copyBack();
    const t4 = performance.now();
    this.update(B1, B2, step);
    const t5 = performance.now();
    const tm = this.timings;
    tm.steps++;
    tm.copyIn += t1 - t0;
    tm.mainHalf += t2 - t1;
    tm.wait += t3 - t2;
    tm.copyBack += t4 - t3;
    tm.update += t5 - t4;
    return Math.fround((B1 * loss1 + B2 * loss2) / B);
  }

  private await(seq: number): void {
    const deadline = performance.now() + WORKER_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.ctl, DONE);
      if (done === seq) break;
      if (done === GONE) this.fail(this.ctl[STATUS] === 1 ? `failed (${this.message()})` : 'exited');
      if (Atomics.wait(this.ctl, DONE, done, 1000) === 'timed-out' && performance.now() > deadline) {
        this.fail(`did not answer within ${WORKER_TIMEOUT_MS / 60000} minutes`);
      }
    }
    if (this.ctl[STATUS] !== 0) this.fail(`failed (${this.message()})`);
  }

  private message(): string {
    return new TextDecoder().decode(this.text.slice(0, this.ctl[TEXT_LEN]!));
  }

  /** The worker's gradients into a staging block on the tfjs heap (one per plan, allocated on first use). */
  private copyBack(): void {
    const total = this.grads.reduce((a, g) => a + align16(g.n * 4), 0);
    if (!this.staging) this.staging = this.main.host.alloc(total);
    const heap = new Float32Array(this.main.host.memory.buffer);
    const shared = new Float32Array(this.other.host.memory.buffer);
    const theirs = this.other.gradientAddresses();
    let at = this.staging;
    this.grads.forEach(({ n }, i) => {
      heap.set(shared.subarray(theirs[i]! >>> 2, (theirs[i]! >>> 2) + n), at >>> 2);
      at += align16(n * 4);
    });
  }

  /**
   * One program over every parameter: g ← (B1·g_main + B2·g_worker) / B, then the optimizer. Written each step (a few
   * hundred words): the trainer's variables may have moved (setState). Sum and scale use the SGD op with μ = 0 and
   * no decay (w − lr·g): lr = −1 adds, g − ½·g halves exactly.
   */
  private update(B1: number, B2: number, step: number): void {
    const words: number[] = [];
    const a = this.main.host.addresses();
    const o = this.optimizer;
    const B = B1 + B2;
    let at = this.staging;
    this.grads.forEach(({ at: g, n }, i) => {
      if (B2 > 0) {
        if (B1 === B2) {
          words.push(OP.SGD, g, at, 0, n, f32bits(-1), 0, 0, 0);
          words.push(OP.SGD, g, g, 0, n, f32bits(0.5), 0, 0, 0);
        } else {
          words.push(OP.SGD, g, g, 0, n, f32bits(1 - B1 / B), 0, 0, 0);
          words.push(OP.SGD, g, at, 0, n, f32bits(-B2 / B), 0, 0, 0);
        }
        at += align16(n * 4);
      }
      if (o.name === 'sgd') {
        words.push(OP.SGD, a.params[i]!, g, a.m1[i]!, n, f32bits(o.learningRate), f32bits(o.momentum), f32bits(o.weightDecay), o.nesterov ? 1 : 0);
      } else {
        words.push(OP.ADAM, a.params[i]!, g, a.m1[i]!, a.m2[i]!, n, f32bits(o.learningRate), f32bits(o.beta1), f32bits(o.beta2), f32bits(o.eps), f32bits(o.weightDecay));
      }
    });
    words.push(OP.END);
    if (words.length > this.programWords) {
      this.program = this.main.host.alloc(words.length * 4 * 2);
      this.programWords = words.length * 2;
    }
    new Int32Array(this.main.host.memory.buffer).set(words, this.program >>> 2);
    this.plan.run(this.program, 0, 0n, step);
  }

  /** Stop the worker (idempotent). The plans' heap blocks stay with the backend, as the one-thread plan's do. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ctl[CMD] = STOP;
    Atomics.store(this.ctl, REQ, ++this.seq);
    Atomics.notify(this.ctl, REQ);
    void this.worker.terminate();
  }
}

/** The trainer's fused step split over two threads (throws when {@link splitUnsupportedReason} says why not). */
export function createSplitPlanStep(network: ResolvedNetwork, optimizer: TrainerOptimizer, vars: PlanVariables, options?: SplitOptions): SplitPlanStep {
  return new SplitPlanStep(network, optimizer, vars, options);
}
