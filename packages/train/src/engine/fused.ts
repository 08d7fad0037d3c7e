/**
 * The seam between the trainer and the fused WebAssembly engine (`src/kernels/`, owned by the engine's authors).
 * `createFusedStep(context)` returns a fused training step for the context's network and optimizer, or the reason
 * it cannot run them (the trainer then uses the stock tfjs step and logs that reason once). `fusedForward` likewise
 * runs the evaluation-mode forward pass, or returns undefined to let the stock ops do it.
 *
 * Behind it: the plan built from the ResolvedNetwork (kernels/fused-plan.ts), for every network the tutorial's included.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedNetwork } from '../network/resolve.ts';
import type { OptimizerConfig } from './optimizer.ts';
import { createPlanStep, planForward } from '../kernels/fused-plan.ts';
import { fusedUnsupportedReason, type PlanBinary } from '../kernels/plan.ts';
import { createSplitPlanStep, splitDecision, type SplitPlanStep, type ThreadsChoice } from '../kernels/plan-split.ts';

export type { ThreadsChoice } from '../kernels/plan-split.ts';

/** What the trainer hands the fused engine: the network, the optimizer, and the trainer's own variables. */
export interface FusedStepContext {
  network: ResolvedNetwork;
  optimizer: OptimizerConfig;
  /** Parameters, `network.params` order, tfjs layout; the fused step updates them in place. */
  params: readonly tf.Variable[];
  /** SGD momentum buffers or Adam first moments, same order and layout. */
  momentum: readonly tf.Variable[];
  /** Adam second moments (empty for SGD). */
  secondMoment: readonly tf.Variable[];
  /** Batch-norm running means/variances, `network.buffers` order. */
  buffers: readonly tf.Variable[];
  /**
   * Threads per step: 1; 2 (the batch split between this thread and a worker, kernels/plan-split.ts); `auto` (default
   * 1 here): 2 when the batch is ≥ 32, two cores are available and the network can be split.
   */
  threads?: ThreadsChoice;
}

/** A fused training step bound to a trainer's variables. */
export interface FusedStep {
  /**
   * One step on `images` (batch × H × W × C, NHWC) and `labels`; `masks` are the step's dropout masks
   * (network/layout.ts `dropoutMasks`), `step` its 1-based count (Adam's t). Returns the loss before the update.
   */
  trainStep(images: Float32Array, labels: Int32Array, masks: readonly Float32Array[], step: number): number;
  /**
   * How many threads a step of `batch` images runs on, and why (one line for the log). When it says 2 the worker
   * thread starts now, so its start-up (0.1–0.7 s under load) overlaps whatever the caller does before the first step.
   */
  threadsFor(batch: number): { threads: 1 | 2; why: string };
  /** The plan binary the step runs (plan-fma.wasm where relaxed SIMD compiles, else plan.wasm). */
  readonly binary: PlanBinary;
  /** Free what the step allocated (not the trainer's variables); ends a split step's worker thread. */
  dispose(): void;
}

/** A fused step for `context`, or why there is none (one line for the log). */
export function createFusedStep(context: FusedStepContext): (FusedStep & { split(): SplitPlanStep | undefined }) | { unsupported: string } {
  const one = createPlanStep(context.network, context.optimizer, context);
  if ('unsupported' in one) return one;
  const threads = context.threads ?? 1;
  let split: SplitPlanStep | undefined;
  const start = () => (split ??= createSplitPlanStep(context.network, context.optimizer, context));
  const decide = (batch: number) => splitDecision(context.network, threads, batch);
  return {
    /** The split step once a step ran on two threads (benchmarks read its timings). */
    split: () => split,
    binary: one.binary,
    threadsFor(batch) {
      const d = decide(batch);
      if (d.threads === 2) start();
      return d;
    },
    trainStep(images, labels, masks, step) {
      if (threads === 1 || decide(labels.length).threads === 1) return one.trainStep(images, labels, masks, step);
      return start().trainStep(images, labels, masks, step);
    },
    dispose() {
      split?.dispose();
      one.dispose();
    },
  };
}

/** Images per forward pass with the fused engine (its scratch grows with the batch). */
export const FUSED_PREDICT_BATCH = 256;

/**
 * The evaluation-mode forward pass (logits, features) of `x` with the fused engine, or undefined when it cannot run
 * `net` (the caller then uses the stock ops). Call inside a tidy.
 */
export function fusedForward(net: ResolvedNetwork, params: readonly tf.Tensor[], buffers: readonly tf.Tensor[], x: tf.Tensor4D): [tf.Tensor, tf.Tensor] | undefined {
  return planForward(net, params, x, buffers);
}

/** Whether {@link fusedForward} can run `net` on the active backend (decides the predict chunk size). */
export function canFuseForward(net: ResolvedNetwork): boolean {
  return tf.getBackend() === 'wasm' && fusedUnsupportedReason(net) === null;
}
