import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { runLayoutJob, type LayoutJob } from './wasm-kernels.mjs';

/** Upper bound of the worker pool: 4 UMAP fits are the widest step of the stage. */
export const MAX_WORKERS = 4;

/**
 * Workers the stage uses by default: `os.availableParallelism()`, at most {@link MAX_WORKERS}. On 2 cores that is 2
 * layout threads beside the main thread, which meanwhile prepares the next fits and computes the kNN scores.
 */
export function defaultWorkerCount(): number {
  return Math.min(MAX_WORKERS, availableParallelism());
}

/** Progress of a layout: epochs done (1-based) of `nEpochs`. */
export type OnEpoch = (epoch: number, nEpochs: number) => void;

/** What a job returns, with the milliseconds it ran (excluding time queued). */
export interface LayoutOutcome {
  /** Row-major vertices × dim coordinates. */
  embedding: Float64Array;
  millis: number;
}

/** Options of {@link LayoutRunner.run}. */
export interface LayoutRunOptions {
  /** Sees the job's progress (throttled to about every 100 ms from a worker). */
  onEpoch?: OnEpoch;
  /** Use the host's `Math.pow` (bit-identical to umap-js, slower); see wasm-kernels.d.mts. */
  exactPow?: boolean;
}

/** Runs UMAP layout jobs (the SGD kernel) on worker threads, or in this thread when it has 0 workers. */
export interface LayoutRunner {
  /** Worker threads (0: jobs run in this thread, interleaved at their yields). */
  readonly workers: number;
  /** Queue a job (first in, first out). Rejects with the job's error. */
  run(job: LayoutJob, options?: LayoutRunOptions): Promise<LayoutOutcome>;
  /** Terminate the workers; queued and running jobs reject. Idempotent. */
  close(): Promise<void>;
}

/** Messages from a worker (layout-worker.mjs) to the pool. */
export type WorkerMessage =
  | { id: number; type: 'epoch'; epoch: number; nEpochs: number }
  | { id: number; type: 'done'; embedding: Float64Array; millis: number }
  | { id: number; type: 'error'; error: { name: string; message: string; stack?: string } };

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = { Error, RangeError, TypeError, ReferenceError, SyntaxError, EvalError, URIError };

/** A worker's error (always a bug: user-fixable errors are raised while preparing the job) with its class and stack. */
function reviveError(e: { name: string; message: string; stack?: string }): Error {
  const err = new (BUILTIN_ERRORS[e.name] ?? Error)(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

// Plain JavaScript, importing only the kernel: no tsx to register, so a worker is ready in tens of milliseconds
// (a worker that loaded the TypeScript task modules through tsx took ~0.8 s of CPU each here).
const WORKER_ENTRY = new URL('./layout-worker.mjs', import.meta.url);

interface Job {
  id: number;
  job: LayoutJob;
  options: LayoutRunOptions;
  resolve: (outcome: LayoutOutcome) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

class WorkerPool implements LayoutRunner {
  readonly workers: number;
  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(size: number) {
    this.workers = size;
    // Started now, so the threads boot while the caller reads inputs and computes the neighbour graphs.
    for (let i = 0; i < size; i++) this.spawn();
  }

  run(job: LayoutJob, options: LayoutRunOptions = {}): Promise<LayoutOutcome> {
    if (this.closed) return Promise.reject(new Error('project: worker pool is closed'));
    if (this.slots.size === 0) return Promise.reject(new Error('project: every worker thread has died'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, options, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('project: worker pool closed before the job finished');
    for (const job of this.queue.splice(0)) job.reject(err);
    const slots = [...this.slots];
    for (const slot of slots) this.fail(slot, err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): void {
    const slot: Slot = { worker: new Worker(WORKER_ENTRY) };
    // An idle worker must not keep the process alive; a busy one must (the caller awaits it). See dispatch/receive.
    slot.worker.unref();
    slot.worker.on('message', (m: WorkerMessage) => this.receive(slot, m));
    slot.worker.on('error', (err) => this.fail(slot, err));
    slot.worker.on('exit', (code) => this.fail(slot, new Error(`project: a worker thread exited with code ${code} during a job`)));
    this.slots.add(slot);
    this.idle.push(slot);
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const slot = this.idle.shift()!;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      // Copied by structured clone (about 1.6 MB for a 2 000-point fit): the caller's job stays usable.
      slot.worker.postMessage({ id: job.id, job: job.job, exactPow: job.options.exactPow ?? false });
    }
  }

  private receive(slot: Slot, m: WorkerMessage): void {
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    if (m.type === 'epoch') {
      job.options.onEpoch?.(m.epoch, m.nEpochs);
      return;
    }
    slot.job = undefined;
    slot.worker.unref();
    this.idle.push(slot);
    if (m.type === 'done') job.resolve({ embedding: m.embedding, millis: m.millis });
    else job.reject(reviveError(m.error));
    this.dispatch();
  }

  /** A worker died (uncaught error, exit, or close): its job fails and it leaves the pool. */
  private fail(slot: Slot, err: Error): void {
    if (!this.slots.delete(slot)) return;
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    slot.job?.reject(err);
    slot.job = undefined;
    if (this.slots.size === 0) for (const job of this.queue.splice(0)) job.reject(err);
  }
}

class InThreadRunner implements LayoutRunner {
  readonly workers = 0;

  async run(job: LayoutJob, options: LayoutRunOptions = {}): Promise<LayoutOutcome> {
    const started = performance.now();
    const embedding = await runLayoutJob(job, { exactPow: options.exactPow, onEpoch: options.onEpoch, pause: yieldToEventLoop });
    return { embedding, millis: performance.now() - started };
  }

  async close(): Promise<void> {}
}

/**
 * A {@link LayoutRunner} with `workers` worker threads (default {@link defaultWorkerCount}); 0 runs every job in this
 * thread. Jobs give the same bytes either way: the kernel is deterministic and each job carries its random state.
 * Always `close()` it (a `finally`).
 *
 * @example
 * const runner = createLayoutRunner();
 * try {
 *   const { embedding } = await runner.run(prepareUmap(graph, { nComponents: 2, nNeighbors: 15, minDist: 0.1, seed: 0 }));
 * } finally {
 *   await runner.close();
 * }
 */
export function createLayoutRunner(workers = defaultWorkerCount()): LayoutRunner {
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`createLayoutRunner: ${workers} workers`);
  return workers === 0 ? new InThreadRunner() : new WorkerPool(workers);
}
