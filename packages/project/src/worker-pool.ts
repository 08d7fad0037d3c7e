import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { isExpectedError } from '@tbpipe/core/errors';
import { ProjectError } from './errors.ts';
import { runProjectionTask, type OnEpoch, type ProjectionTask, type ProjectionTaskResult } from './projection-tasks.ts';

/** Upper bound of the worker pool: 4 UMAP fits are the widest step of the stage. */
export const MAX_WORKERS = 4;

/** Workers the stage uses by default: `os.availableParallelism()`, at most {@link MAX_WORKERS}. */
export function defaultWorkerCount(): number {
  return Math.min(MAX_WORKERS, availableParallelism());
}

/** A worker posts UMAP progress at most this often (and always after the last epoch). */
export const PROGRESS_EVERY_MILLIS = 100;

/** What a task returns, with the milliseconds it ran (excluding time queued). */
export interface TaskOutcome<R> {
  result: R;
  millis: number;
}

/** Options of {@link TaskRunner.run}. */
export interface RunOptions {
  /** Sees a UMAP task's progress (at most every {@link PROGRESS_EVERY_MILLIS} from a worker). */
  onEpoch?: OnEpoch;
  /** Lower runs first; equal priorities run in the order queued. Default 0. */
  priority?: number;
}

/** Runs {@link ProjectionTask}s on worker threads, or in this thread when it has 0 workers. */
export interface TaskRunner {
  /** Worker threads (0: tasks run in this thread, one after another). */
  readonly workers: number;
  /** Queue a task (by priority, then first in, first out). Rejects with the task's error. */
  run<T extends ProjectionTask>(task: T, options?: RunOptions): Promise<TaskOutcome<ProjectionTaskResult<T>>>;
  /** Terminate the workers; queued and running tasks reject. Idempotent. */
  close(): Promise<void>;
}

/** An error as it crosses the thread boundary: structured clone would drop `code` and the TbpipeError class. */
export interface WorkerError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  expected: boolean;
}

/** Messages from a worker to the pool. */
export type WorkerMessage =
  | { id: number; type: 'epoch'; epoch: number; nEpochs: number }
  | { id: number; type: 'done'; result: unknown; millis: number }
  | { id: number; type: 'error'; error: WorkerError };

/** Flatten a thrown value for `postMessage`. */
export function serializeError(err: unknown): WorkerError {
  if (isExpectedError(err)) return { name: err.name, message: err.message, code: err.code, expected: true };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack, expected: false };
  return { name: 'Error', message: String(err), expected: false };
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = { Error, RangeError, TypeError, ReferenceError, SyntaxError, EvalError, URIError };

/**
 * The error to throw in the main thread for a {@link WorkerError}: an expected (user-fixable) error becomes a
 * `ProjectError` (a TbpipeError) with the same `code`, `name` and one-line message, so the CLI prints it exactly as
 * if it had been thrown in this thread; anything else keeps its built-in class and the worker's stack (a bug).
 */
export function reviveError(e: WorkerError): Error {
  if (e.expected) {
    const err = new ProjectError(e.code ?? 'PROJECT_WORKER', e.message);
    err.name = e.name;
    return err;
  }
  const err = new (BUILTIN_ERRORS[e.name] ?? Error)(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** The ArrayBuffers behind a result's typed arrays (itself or its fields), to transfer rather than copy. */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (v: unknown) => {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  };
  add(value);
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) for (const v of Object.values(value)) add(v);
  return [...out];
}

// N.B. not `new Worker('…/projection-worker.ts', { execArgv: ['--import', 'tsx'] })`: Node 20 rejects the .ts entry
// ("Unknown file extension") before the worker's --import hooks run. The .mjs entry registers tsx itself, as the bin does.
const WORKER_ENTRY = new URL('./projection-worker.mjs', import.meta.url);

interface Job {
  id: number;
  task: ProjectionTask;
  onEpoch?: OnEpoch;
  priority: number;
  resolve: (outcome: TaskOutcome<never>) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

class WorkerPool implements TaskRunner {
  readonly workers: number;
  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(size: number) {
    this.workers = size;
    // Started now, so tsx and module loading overlap with whatever the caller does before its first task.
    for (let i = 0; i < size; i++) this.spawn();
  }

  run<T extends ProjectionTask>(task: T, options: RunOptions = {}): Promise<TaskOutcome<ProjectionTaskResult<T>>> {
    if (this.closed) return Promise.reject(new Error('project: worker pool is closed'));
    if (this.slots.size === 0) return Promise.reject(new Error('project: every worker thread has died'));
    return new Promise((resolve, reject) => {
      const priority = options.priority ?? 0;
      const job: Job = { id: this.nextId++, task, onEpoch: options.onEpoch, priority, resolve: resolve as Job['resolve'], reject };
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1].priority > priority) at--;
      this.queue.splice(at, 0, job);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('project: worker pool closed before the task finished');
    for (const job of this.queue.splice(0)) job.reject(err);
    const slots = [...this.slots];
    for (const slot of slots) this.fail(slot, err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): void {
    const slot: Slot = { worker: new Worker(WORKER_ENTRY) };
    // An idle worker must not keep the process alive; a busy one must (the caller awaits it). See dispatch/settle.
    slot.worker.unref();
    slot.worker.on('message', (m: WorkerMessage) => this.receive(slot, m));
    slot.worker.on('error', (err) => this.fail(slot, err));
    slot.worker.on('exit', (code) => this.fail(slot, new Error(`project: a worker thread exited with code ${code} during a task`)));
    this.slots.add(slot);
    this.idle.push(slot);
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const slot = this.idle.shift()!;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      // Inputs are copied (structured clone), or shared when they live on a SharedArrayBuffer; never transferred,
      // because the caller keeps using them.
      slot.worker.postMessage({ id: job.id, task: job.task });
    }
  }

  private receive(slot: Slot, m: WorkerMessage): void {
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    if (m.type === 'epoch') {
      job.onEpoch?.(m.epoch, m.nEpochs);
      return;
    }
    slot.job = undefined;
    slot.worker.unref();
    this.idle.push(slot);
    if (m.type === 'done') job.resolve({ result: m.result as never, millis: m.millis });
    else job.reject(reviveError(m.error));
    this.dispatch();
  }

  /** A worker died (uncaught error, exit, or close): its task fails and it leaves the pool. */
  private fail(slot: Slot, err: Error): void {
    if (!this.slots.delete(slot)) return;
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    slot.job?.reject(err);
    slot.job = undefined;
    if (this.slots.size === 0) for (const job of this.queue.splice(0)) job.reject(err);
  }
}

class InThreadRunner implements TaskRunner {
  readonly workers = 0;

  async run<T extends ProjectionTask>(task: T, options: RunOptions = {}): Promise<TaskOutcome<ProjectionTaskResult<T>>> {
    const started = performance.now();
    const result = await runProjectionTask(task, options.onEpoch);
    return { result, millis: performance.now() - started };
  }

  async close(): Promise<void> {}
}

/**
 * A {@link TaskRunner} with `workers` worker threads (default {@link defaultWorkerCount}); 0 runs every task in this
 * thread. Tasks give the same bytes either way: each carries its own seed. Always `close()` it (a `finally`).
 *
 * @example
 * const runner = createTaskRunner();
 * try {
 *   const { result: xy } = await runner.run({ kind: 'umap', graph, nComponents: 2, nNeighbors: 15, minDist: 0.1, seed: 0 });
 * } finally {
 *   await runner.close();
 * }
 */
export function createTaskRunner(workers = defaultWorkerCount()): TaskRunner {
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`createTaskRunner: ${workers} workers`);
  return workers === 0 ? new InThreadRunner() : new WorkerPool(workers);
}
