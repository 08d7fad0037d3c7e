/**
 * The network as data: a JSON layer list (the format of `packages/train/networks/*.json`). One spec drives the
 * tfjs model, PyTorch's initialisation, the saved model, the checkpoint fingerprint, the GRAPHS GraphDef, the
 * predictor's feature layer and the fused engine's plan. Input shape and class count come from the data.
 */

/** Every layer type a spec may use. */
export const LAYER_TYPES = [
  'conv2d',
  'maxPool2d',
  'avgPool2d',
  'relu',
  'tanh',
  'sigmoid',
  'flatten',
  'dense',
  'dropout',
  'batchNorm',
] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

interface Named {
  /** Module name, as PyTorch names attributes (`conv1`): the graph's scope and the parameter prefix. */
  name?: string;
}

/** torch.nn.Conv2d(in, filters, kernelSize, stride, padding): padding `n` on every side, or `same` (stride 1 only). */
export interface Conv2dLayer extends Named {
  type: 'conv2d';
  filters: number;
  kernelSize: number;
  /** Default 1. */
  stride?: number;
  /** Default 0. */
  padding?: number | 'same';
}
/** torch.nn.MaxPool2d / AvgPool2d(poolSize, stride), floor mode, no padding. */
export interface PoolLayer extends Named {
  type: 'maxPool2d' | 'avgPool2d';
  poolSize: number;
  /** Default `poolSize`. */
  stride?: number;
}
export interface ActivationLayer extends Named {
  type: 'relu' | 'tanh' | 'sigmoid';
}
/** torch.nn.Flatten: [C, H, W] → [C·H·W] in C, H, W order. */
export interface FlattenLayer extends Named {
  type: 'flatten';
}
/** torch.nn.Linear(in, units). */
export interface DenseLayer extends Named {
  type: 'dense';
  units: number;
}
/** torch.nn.Dropout(rate): inverted scaling in training, identity in evaluation. */
export interface DropoutLayer extends Named {
  type: 'dropout';
  /** In [0, 1). */
  rate: number;
}
/** torch.nn.BatchNorm2d after a conv (per channel), BatchNorm1d after flatten/dense; eps 1e-5, momentum 0.1. */
export interface BatchNormLayer extends Named {
  type: 'batchNorm';
}

export type LayerSpec = Conv2dLayer | PoolLayer | ActivationLayer | FlattenLayer | DenseLayer | DropoutLayer | BatchNormLayer;

/** A network spec: the JSON file's content. */
export interface NetworkSpec {
  description?: string;
  layers: LayerSpec[];
}

/** Input image shape, as the images contract describes it. */
export interface InputShape {
  height: number;
  width: number;
  channels: number;
}
