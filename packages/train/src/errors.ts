import { TbpipeError } from '@tbpipe/core';

/** Base of the train stage's user-fixable failures; `code` is stable. */
export class TrainError extends TbpipeError {}

const divergedMessage = (loss: number, step: number, learningRate: number) =>
  `train: loss became ${String(loss)} at step ${step} (learning rate ${learningRate}); lower --learning-rate`;

const abortedMessage = (step: number, checkpointStep: number | undefined) =>
  `train: stopped at step ${step} on request, ` +
  (checkpointStep === undefined
    ? 'before the first checkpoint; a rerun starts over'
    : `last checkpoint at step ${checkpointStep}; rerun the same command to resume`);

/** The loss went NaN or ±Infinity: training is diverging, usually from a learning rate that is too high. */
export class TrainDivergedError extends TrainError {
  /** Global step (0-based mini-batch index) whose loss was not finite. */
  readonly step: number;

  constructor(loss: number, step: number, learningRate: number) {
    super('TRAIN_DIVERGED', divergedMessage(loss, step, learningRate));
    this.step = step;
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
