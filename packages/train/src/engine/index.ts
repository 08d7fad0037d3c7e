export { createCnnTrainer, loadCnnPredictor, DEFAULT_ENGINE_OPTIONS, PREDICT_BATCH } from './trainer.ts';
export type { EngineOptions, EngineTrainer, StepKind } from './trainer.ts';
export { selectBackend, AUTO_BACKEND_ORDER } from './backend.ts';
export { EngineError } from './errors.ts';
export { PARAMS } from './network.ts';
export { modelDirHandler, MODEL_JSON, WEIGHTS_BIN } from './model-io.ts';
export type * from './types.ts';
