/**
 * `@tbpipe/train/predictor`: what a stage using train's model needs — `loadCnnPredictor` (the inference engine:
 * backends, kernels, the network and its weight format), the input normalisation, the output directory's contract id
 * and file names — without the training stage (data loading, the loop, checkpoints, reports, figures). The Nx plugin
 * hashes exactly the files a stage loads, so evaluate reruns when the engine it runs changes, not when training code
 * does. Keep it that way: nothing here may import `train.ts`, `dataset.ts`, `report.ts`, `checkpoint.ts` or `cli.ts`.
 */
export { loadCnnPredictor } from '../engine/trainer.ts';
export { MODEL_JSON, WEIGHTS_BIN } from '../engine/model-io.ts';
export { normalizeImages, IMAGE_PIXELS } from '../normalize.ts';
export { TRAIN_CONTRACT, TRAIN_FILES } from '../contract.ts';
export type { BackendChoice, BackendName, CnnPredictor, LoadCnnPredictor, Prediction } from '../engine/types.ts';
export type { RunRecord } from '../run-record.ts';
