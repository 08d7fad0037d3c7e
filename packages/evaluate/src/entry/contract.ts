/**
 * `@tbpipe/evaluate/contract`: what a stage reading evaluate's output needs — the predictions schema,
 * `readPredictions`, the contract ids and file names — without the stage itself (inference, metrics, PR curves,
 * reports). The Nx plugin hashes exactly the files a stage loads, so a consumer importing this subpath is not rerun
 * when evaluate's implementation changes, only when this contract does. Keep it that way: nothing here may import
 * `evaluate.ts`, `inference.ts`, `metrics.ts`, `report.ts`, `external/` or `cli.ts`.
 */
export { predictionsSchema, FEATURE_LAYER_KEY, PREDICTIONS_CONTRACT, EVALUATE_CONTRACT, EVALUATE_FILES, MIN_CLASSES, MAX_CLASSES } from '../contract.ts';
export { readPredictions } from '../predictions.ts';
export type { Predictions } from '../predictions.ts';
