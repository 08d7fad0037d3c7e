import { TbpipeError } from '@tbpipe/core';

/** Base of the train stage's user-fixable failures; `code` is stable. */
export class TrainError extends TbpipeError {}

/** `10000` → `1e4`, `0.5` → `0.5`: bounds as people write them. */
const formatBound = (x: number) => (x >= 1e4 ? x.toExponential().replace('e+', 'e') : String(x));

const divergedMessage = (loss: number, step: number, learningRate: number, maxLoss: number) =>
  `train: loss diverged at step ${step} (loss ${Number.isFinite(loss) ? `${loss.toPrecision(2)} > --max-loss ${formatBound(maxLoss)}` : String(loss)}, ` +
  `learning rate ${learningRate}); lower --learning-rate`;

const abortedMessage = (step: number, checkpointStep: number | undefined) =>
  `train: stopped at step ${step} on request, ` +
  (checkpointStep === undefined
    ? 'before the first checkpoint; a rerun starts over'
    : `last checkpoint at step ${checkpointStep}; rerun the same command to resume`);

/**
 * A mini-batch loss went NaN, ±Infinity or above `maxLoss`: training is diverging, usually from a learning rate that
 * is too high.
 */
export class TrainDivergedError extends TrainError {
  /** Global step (0-based mini-batch index) whose loss crossed the bound. */
  readonly step: number;
  /** That mini-batch's loss. */
  readonly loss: number;

  constructor(loss: number, step: number, learningRate: number, maxLoss: number = Number.POSITIVE_INFINITY) {
    super('TRAIN_DIVERGED', divergedMessage(loss, step, learningRate, maxLoss));
    this.step = step;
    this.loss = loss;
  }
}

/** Training was stopped through `options.signal` (SIGINT/SIGTERM in the CLI); the checkpoint is kept for resuming. */
export class TrainAbortedError extends TrainError {
  /** Number of mini-batches completed when training stopped. */
  readonly step: number;

  constructor(step: number, checkpointStep: number | undefined) {
    super('TRAIN_ABORTED', abortedMessage(step, checkpointStep));
    this.step = step;
  }
}
