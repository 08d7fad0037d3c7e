export { evaluate, DEFAULT_EVALUATE_OPTIONS } from './evaluate.ts';
export type { EvaluateOptions, EvaluateResult, EvaluateTimings } from './evaluate.ts';
// Everything a consumer of evaluate's output needs (the `./contract` entry), then the rest.
export * from './entry/contract.ts';
export { writePredictions, predictionsToTable } from './predictions.ts';
export { EVALUATE_STAGE } from './options.ts';
export { computeClassPrCurves } from './pr-curve.ts';
export type { PrCurve } from './pr-curve.ts';
export { computeMetrics, computeConfusionMatrix, computeAveragePrecision, describeClassAccuracy, renderMetricsMarkdown } from './metrics.ts';
export type { Metrics, MetricsInput, ClassMetrics } from './metrics.ts';
export { EVENT_FILE_SUFFIX, HPARAMS_RUN, TAGS, HPARAM_METRICS } from './report.ts';
export { EvaluateError } from './errors.ts';
