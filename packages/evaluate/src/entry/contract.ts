/**
 * `@tbpipe/evaluate/contract`: what a stage reading evaluate's output needs — the predictions schema,
 * `readPredictions`, the contract ids and file names — without the stage itself (inference, metrics, PR curves,
 * reports). The Nx plugin hashes exactly the files a stage loads, so a consumer importing this subpath is not rerun
 * when evaluate's implementation changes, only when this contract does. Keep it that way: nothing here may import
 * `evaluate.ts`, `inference.ts`, `metrics.ts`, `report.ts` or `cli.ts`.
 */
export {
  PredictionsSchema,
  PREDICTIONS_CONTRACT,
  EVALUATE_CONTRACT,
  EVALUATE_FILES,
  CLASS_COUNT,
  FEATURE_COUNT,
} from '../contract.ts';
export { readPredictions } from '../predictions.ts';
export type { Predictions } from '../predictions.ts';
