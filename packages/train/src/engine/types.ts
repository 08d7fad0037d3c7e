/**
 * The contract between the train stage and the engines that run a network (a resolved JSON spec, see
 * `src/network/`; the tutorial's Net by default). Engines (tfjs-node, tfjs wasm + project kernels, tfjs cpu, …)
 * implement `CnnTrainer`; the stage only sees this. Loss: mean softmax cross-entropy. Optimizers as PyTorch defines
 * them: SGD (momentum, nesterov, weight decay added to the gradient) and Adam (not AdamW).
 */
import type { ResolvedNetwork } from '../network/resolve.ts';
import type { InitScheme } from '../network/layout.ts';
export type { InitScheme };

/** Which TensorFlow.js backend executes the math. `auto` picks the fastest that loads: tensorflow → wasm → cpu. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

/** `sgd` (torch.optim.SGD) or `adam` (torch.optim.Adam). */
export type OptimizerName = 'sgd' | 'adam';

/** Options for {@link CreateCnnTrainer}. */
export interface CnnTrainerOptions {
  /** Backend to use; default `auto`. */
  backend?: BackendChoice;
  /** Seed for weight initialisation; same seed + backend ⇒ same weights and same training trajectory. */
  seed: number;
  /** SGD learning rate, > 0 (tutorial: 0.001). */
  learningRate: number;
  /** SGD momentum in [0, 1) (tutorial: 0.9); ignored by Adam. */
  momentum: number;
  /** Default `pytorch`. */
  init?: InitScheme;
  /** The network; default the tutorial's Net on 28×28×1 inputs and 10 classes. */
  network?: ResolvedNetwork;
  /** Default `sgd`. */
  optimizer?: OptimizerName;
  /** SGD: Nesterov momentum (needs momentum > 0). Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (`grad + weightDecay · w`), both optimizers. Default 0. */
  weightDecay?: number;
  /** Adam's (β1, β2); default (0.9, 0.999). */
  betas?: [number, number];
  /** Adam's ε; default 1e-8. */
  eps?: number;
  /** Seed of the dropout masks (see `dropoutMasks`); default `seed`. */
  dropoutSeed?: number;
  /**
   * Threads per fused training step: 1 (default); 2 splits each batch between this thread and a worker;
   * `auto` splits when the batch is ≥ 32, two cores are available and the network has no batch norm.
   */
  threads?: 'auto' | 1 | 2;
}

/** A named tensor in PyTorch layout (e.g. `conv1.weight` is [out, in, kh, kw]; `fc1.weight` is [out, in]). */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Everything needed to resume training bit-for-bit: weights, optimizer state, batch-norm buffers, step count. */
export interface TrainerState {
  weights: NamedTensor[];
  /** SGD's momentum buffers, or Adam's first moments (`exp_avg`), named like the weights. */
  momentum: NamedTensor[];
  /** Adam's second moments (`exp_avg_sq`); absent for SGD. */
  secondMoment?: NamedTensor[];
  /** Batch-norm running means and variances (`bn1.running_mean`, …); absent when the network has none. */
  buffers?: NamedTensor[];
  /** Training steps this state has taken (Adam's bias correction and the dropout masks depend on it); default 0. */
  step?: number;
}

/** Forward-pass outputs for `count` images. */
export interface Prediction {
  /** count × classCount raw scores. */
  logits: Float32Array;
  /** count × classCount softmax probabilities. */
  probabilities: Float32Array;
  /** count × featureWidth: the input of the last dense layer (the tutorial's 84 after fc2's ReLU), the learned features. */
  features: Float32Array;
}

/** Inference only: what the evaluate stage needs from a saved model. */
export interface CnnPredictor {
  readonly backend: BackendName;
  /** The network it runs: input shape, class count (`network.classCount`), feature width (`network.featureWidth`). */
  readonly network: ResolvedNetwork;
  /** `images`: count × H × W × C floats already normalised to [-1, 1] (NHWC, row-major: what the data holds). */
  predict(images: Float32Array, count: number): Prediction;
  dispose(): void;
}

/** A trainable instance of a network. */
export interface CnnTrainer extends CnnPredictor {
  /**
   * One optimisation step on a batch; returns the batch's mean cross-entropy loss (before the update).
   * `images`: batch × H × W × C normalised floats (NHWC); `labels`: batch class indices in [0, classCount).
   */
  trainStep(images: Float32Array, labels: Int32Array): number;
  getState(): TrainerState;
  setState(state: TrainerState): void;
  /** Write the model in TensorFlow.js LayersModel format (model.json + weights bin) into `dir`, atomically. */
  saveModel(dir: string): Promise<void>;
}

export type CreateCnnTrainer = (options: CnnTrainerOptions) => Promise<CnnTrainer>;
export type LoadCnnPredictor = (modelDir: string, options?: { backend?: BackendChoice }) => Promise<CnnPredictor>;
