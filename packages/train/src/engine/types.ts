/**
 * The contract between the train stage and the engines that run the tutorial's CNN.
 * Engines (tfjs-node, tfjs wasm + project kernels, tfjs cpu, …) implement `CnnTrainer`; the stage only sees this.
 *
 * Network (the tutorial's, PyTorch naming): conv1 1→6 5×5 → ReLU → maxpool 2 → conv2 6→16 5×5 → ReLU → maxpool 2
 * → flatten 256 → fc1 120 → ReLU → fc2 84 → ReLU → fc3 10. Loss: mean softmax cross-entropy. SGD with momentum
 * (PyTorch semantics: v = momentum·v + g; w -= lr·v).
 */

/** Which TensorFlow.js backend executes the math. `auto` picks the fastest that loads: tensorflow → wasm → cpu. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

/** Weight initialisation: PyTorch's defaults (uniform ±1/sqrt(fan_in) for weights and biases) or tfjs's glorot. */
export type InitScheme = 'pytorch' | 'glorot';

/** Options for {@link CreateCnnTrainer}. */
export interface CnnTrainerOptions {
  /** Backend to use; default `auto`. */
  backend?: BackendChoice;
  /** Seed for weight initialisation; same seed + backend ⇒ same weights and same training trajectory. */
  seed: number;
  /** SGD learning rate, > 0 (tutorial: 0.001). */
  learningRate: number;
  /** SGD momentum in [0, 1) (tutorial: 0.9). */
  momentum: number;
  /** Default `pytorch`. */
  init?: InitScheme;
}

/** A named tensor in PyTorch layout (e.g. `conv1.weight` is [out, in, kh, kw]; `fc1.weight` is [out, in]). */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Everything needed to resume training bit-for-bit: weights and optimizer momentum buffers. */
export interface TrainerState {
  weights: NamedTensor[];
  momentum: NamedTensor[];
}

/** Forward-pass outputs for `count` images. */
export interface Prediction {
  /** count × 10 raw scores. */
  logits: Float32Array;
  /** count × 10 softmax probabilities. */
  probabilities: Float32Array;
  /** count × 84 penultimate activations (after fc2's ReLU): the learned features. */
  features: Float32Array;
}

/** Inference only: what the evaluate stage needs from a saved model. */
export interface CnnPredictor {
  readonly backend: BackendName;
  /** `images`: count × 1 × 28 × 28 floats already normalised to [-1, 1] (NCHW, row-major). */
  predict(images: Float32Array, count: number): Prediction;
  dispose(): void;
}

/** A trainable instance of the tutorial's CNN. */
export interface CnnTrainer extends CnnPredictor {
  /**
   * One optimisation step on a batch; returns the batch's mean cross-entropy loss (before the update).
   * `images`: batch × 784 normalised floats (NCHW); `labels`: batch class indices in [0, 10).
   */
  trainStep(images: Float32Array, labels: Int32Array): number;
  getState(): TrainerState;
  setState(state: TrainerState): void;
  /** Write the model in TensorFlow.js LayersModel format (model.json + weights bin) into `dir`, atomically. */
  saveModel(dir: string): Promise<void>;
}

export type CreateCnnTrainer = (options: CnnTrainerOptions) => Promise<CnnTrainer>;
export type LoadCnnPredictor = (modelDir: string, options?: { backend?: BackendChoice }) => Promise<CnnPredictor>;
