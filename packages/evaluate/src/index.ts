export { evaluate, parseClassNamesFlag, DEFAULT_EVALUATE_OPTIONS } from './evaluate.ts';
export type { EvaluateOptions, EvaluateResult, EvaluateTimings, PredictionSource } from './evaluate.ts';
// Everything a consumer of evaluate's output needs (the `./contract` entry), then the rest.
export * from './entry/contract.ts';
export { writePredictions, predictionsToTable } from './predictions.ts';
export type { PredictionsInput } from './predictions.ts';
export { EVALUATE_STAGE } from './options.ts';
export { computeClassPrCurves } from './pr-curve.ts';
export type { PrCurve } from './pr-curve.ts';
export { computeMetrics, computeConfusionMatrix, computeAveragePrecision, describeClassAccuracy, renderMetricsMarkdown } from './metrics.ts';
export type { Metrics, MetricsInput, ClassMetrics } from './metrics.ts';
export { EVENT_FILE_SUFFIX, HPARAMS_RUN, TAGS, HPARAM_METRICS, MAX_MATRIX_CLASSES, TOP_CONFUSED_PAIRS, topConfusedPairs } from './report.ts';
export type { ConfusedPair } from './report.ts';
export { readExternalPredictions, EXTERNAL_COLUMNS, EXTERNAL_METADATA, SUM_TOLERANCE } from './external/predictions-file.ts';
export type { ExternalPredictions, ExternalOptions } from './external/predictions-file.ts';
export { EvaluateError } from './errors.ts';
