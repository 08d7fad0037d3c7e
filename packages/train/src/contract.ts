import { Field, Float32, Int32, Schema } from 'apache-arrow';
import { CONTRACT_KEY } from '@tbpipe/core';

/** Contract id of the train stage's output directory (its `manifest.json`). */
export const TRAIN_CONTRACT = 'tbpipe.train/v1';

/** Contract id of `history.arrow`; bump on any schema change. */
export const HISTORY_CONTRACT = 'tbpipe.train.history/v1';

/** File and directory names inside the train stage's `outDir`. */
export const TRAIN_FILES = {
  /** TensorFlow.js LayersModel: `model.json` + weight shards. Load with `loadCnnPredictor(join(outDir, model))`. */
  model: 'model',
  history: 'history.arrow',
  run: 'run.json',
  /** Durations, rates, host facts: differ from run to run, so never hashed or cached as outputs. */
  volatile: 'volatile',
  timings: 'volatile/timings.json',
  /** Present only while a run is in progress or was interrupted; deleted after success. */
  checkpoint: 'checkpoint',
} as const;

/**
 * `history.arrow`: one row per logged training loss, exactly the points of TensorBoard's `training loss` scalar.
 * - `step`: global step `epoch * stepsPerEpoch + i` (0-based index of the mini-batch that closed the window), as
 *   the tutorial's `add_scalar(..., epoch * len(trainloader) + i)`.
 * - `loss`: mean cross-entropy over the last `logEverySteps` mini-batches (the tutorial's `running_loss / 1000`).
 */
export const HistorySchema = new Schema(
  [new Field('step', new Int32(), false), new Field('loss', new Float32(), false)],
  new Map([[CONTRACT_KEY, HISTORY_CONTRACT]]),
);
