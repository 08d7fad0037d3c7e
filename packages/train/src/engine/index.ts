export { createCnnTrainer, loadCnnPredictor, DEFAULT_ENGINE_OPTIONS, PREDICT_BATCH } from './trainer.ts';
export type { EngineOptions, EngineTrainer, StepKind } from './trainer.ts';
export { selectBackend, AUTO_BACKEND_ORDER } from './backend.ts';
export { EngineError } from './errors.ts';
export { optimizerConfig } from './trainer.ts';
export type { OptimizerConfig } from './optimizer.ts';
export type { FusedStep, FusedStepContext } from './fused.ts';
export { modelDirHandler, MODEL_JSON, WEIGHTS_BIN } from './model-io.ts';
export type * from './types.ts';
