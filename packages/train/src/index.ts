export { train, DEFAULT_TRAIN_OPTIONS } from './train.ts';
export { TRAIN_STAGE } from './options.ts';
export type { TrainOptions, TrainResult } from './train.ts';
export { HistorySchema, HISTORY_CONTRACT, TRAIN_CONTRACT, TRAIN_FILES } from './contract.ts';
export { readHistory, writeHistory } from './history.ts';
export type { LossHistory } from './history.ts';
export { normalizeImages, denormalizeImages, IMAGE_PIXELS } from './normalize.ts';
export { TrainError, TrainDivergedError, TrainAbortedError } from './errors.ts';
export type { RunRecord } from './run-record.ts';
export { loadCnnPredictor } from './engine/index.ts';
export {
  BUILTIN_NETWORKS,
  DEFAULT_NETWORK,
  builtinNetwork,
  loadNetwork,
  parseNetworkSpec,
  resolveNetwork,
  NetworkError,
  forwardFlops,
  trainStepFlops,
} from './network/index.ts';
export type { NetworkSpec, LayerSpec, InputShape, ResolvedNetwork, ResolvedLayer, ParamSpec, BufferSpec } from './network/index.ts';
export type {
  BackendChoice,
  BackendName,
  CnnPredictor,
  CnnTrainer,
  CnnTrainerOptions,
  CreateCnnTrainer,
  InitScheme,
  LoadCnnPredictor,
  NamedTensor,
  OptimizerName,
  Prediction,
  TrainerState,
} from './engine/types.ts';
