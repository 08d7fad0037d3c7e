/**
 * `@tbpipe/train/predictor`: what a stage using train's model needs — `loadCnnPredictor` (the inference engine:
 * backends, kernels, the network — `predictor.network` has the input shape, class count and feature width — and its
 * weight format), `readModelNetwork` (the network of a saved model without loading weights), the input
 * normalisation, the output directory's contract id and file names — without the training stage (data loading, the loop, checkpoints, reports, figures). The Nx plugin
 * hashes exactly the files a stage loads, so evaluate reruns when the engine it runs changes, not when training code
 * does. Keep it that way: nothing here may import `train.ts`, `dataset.ts`, `report.ts`, `checkpoint.ts` or `cli.ts`.
 */
export { loadCnnPredictor } from '../engine/trainer.ts';
export { MODEL_JSON, WEIGHTS_BIN, NETWORK_JSON, readModelNetwork } from '../engine/model-io.ts';
export type { ResolvedNetwork } from '../network/resolve.ts';
export { normalizeImages, IMAGE_PIXELS } from '../normalize.ts';
export { TRAIN_CONTRACT, TRAIN_FILES } from '../contract.ts';
export type { BackendChoice, BackendName, CnnPredictor, LoadCnnPredictor, Prediction } from '../engine/types.ts';
export type { RunRecord } from '../run-record.ts';
