export { evaluate, DEFAULT_EVALUATE_OPTIONS } from './evaluate.ts';
export type { EvaluateOptions, EvaluateResult, EvaluateTimings } from './evaluate.ts';
export {
  PredictionsSchema,
  PREDICTIONS_CONTRACT,
  EVALUATE_CONTRACT,
  EVALUATE_FILES,
  CLASS_COUNT,
  FEATURE_COUNT,
} from './contract.ts';
export { readPredictions, writePredictions, predictionsToTable } from './predictions.ts';
export type { Predictions } from './predictions.ts';
export { computeClassPrCurves } from './pr-curve.ts';
export type { PrCurve } from './pr-curve.ts';
export { computeMetrics, computeConfusionMatrix, computeAveragePrecision, describeClassAccuracy, renderMetricsMarkdown } from './metrics.ts';
export type { Metrics, MetricsInput, ClassMetrics } from './metrics.ts';
export { EVENT_FILE_SUFFIX, HPARAMS_RUN, TAGS, HPARAM_METRICS } from './report.ts';
export { EvaluateError } from './errors.ts';
