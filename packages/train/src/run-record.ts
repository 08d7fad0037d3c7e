import { writeFileAtomic } from '@tbpipe/core';
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';
import type { BackendChoice, BackendName, InitScheme, OptimizerName } from './engine/types.ts';
import type { InputShape, NetworkSpec } from './network/spec.ts';

/**
 * `run.json`: what was trained and how, deterministic for a given seed, backend, engine and thread count (no times,
 * no host), so an unchanged rerun leaves the bytes unchanged and Nx can stop downstream reruns.
 */
export interface RunRecord {
  stage: 'train';
  /** The params as given (after defaults); `maxSteps` is null when unlimited. */
  params: {
    /** `--network` as given (a built-in name or a file path), or `inline`. */
    network: string;
    epochs: number;
    batchSize: number;
    optimizer: OptimizerName;
    learningRate: number;
    momentum: number;
    nesterov: boolean;
    weightDecay: number;
    beta1: number;
    beta2: number;
    eps: number;
    seed: number;
    init: InitScheme;
    backend: BackendChoice;
    /** `--threads` as given: `auto`, `1` or `2`. */
    threads: string;
    logEverySteps: number;
    checkpointEverySteps: number;
    maxSteps: number | null;
  };
  seed: number;
  /** The backend that actually ran (what `backend: auto` resolved to). */
  backend: BackendName;
  /**
   * The step implementation that ran: `fused plan-fma` / `fused plan` (the plan binary), `stock` (tfjs ops on the
   * engine), or `custom` for a trainer given as `createTrainer`. With `backend`, `threads` and the seed it decides the weights' bytes.
   */
  engine: string;
  /** Threads a training step ran on (what `threads: auto` resolved to; 2 sums a split batch's gradients in another order). */
  threads: number;
  /** The network trained: its spec, the data's input shape and class count, the feature width evaluate reads. */
  network: { spec: NetworkSpec; input: InputShape; classCount: number; featureWidth: number };
  /** sha256 of the ingest stage's `train.arrow`. */
  dataSha256: string;
  trainImages: number;
  stepsPerEpoch: number;
  /** Mini-batches trained in total. */
  steps: number;
  /** The last `training loss` point, or null when the run was shorter than `logEverySteps`. */
  finalLoss: number | null;
  classNames: string[];
}

/** `volatile/timings.json`: facts that differ from run to run. Never hashed, never part of the manifest. */
export interface RunTimings {
  startedAt: string;
  /** From the call to `train` to `manifest.json`. */
  totalSeconds: number;
  /** The training loop alone (this process's part of it when resumed). */
  trainSeconds: number;
  /** Mini-batches run by this process and their rate. */
  stepsRun: number;
  stepsPerSecond: number;
  imagesPerSecond: number;
  /** Step the run resumed from, or null for a fresh run. */
  resumedFromStep: number | null;
  backend: BackendName;
  /** Threads a training step ran on (2: the fused step's batch split). */
  threads?: number;
  /**
   * The step implementation and, for the fused one, the plan binary: results are deterministic per seed, backend and
   * binary (plan-fma.wasm rounds its fused multiply-adds once, plan.wasm twice).
   */
  engine?: { step: 'fused' | 'stock'; binary: 'plan' | 'plan-fma' | null };
  host: { platform: string; arch: string; cpuModel: string; cpus: number; memoryBytes: number; node: string };
}

/** Host facts for {@link RunTimings}. */
export function describeHost(): RunTimings['host'] {
  return {
    platform: platform(),
    arch: arch(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    node: process.version,
  };
}

/** Write a JSON file atomically with a stable layout (2-space indent, trailing newline). */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
