import * as tf from '@tensorflow/tfjs-core';
import type {
  BackendName,
  CnnPredictor,
  CnnTrainer,
  CnnTrainerOptions,
  CreateCnnTrainer,
  LoadCnnPredictor,
  NamedTensor,
  Prediction,
  TrainerState,
} from './types.ts';
import { ensureBackend, selectBackend } from './backend.ts';
import { EngineError, msg } from './errors.ts';
import { CLASSES, FEATURES, IMAGE_FLOATS, initialParams, PARAMS, sizeOf, tfToTorch, torchToTf } from './network.ts';
import { forward, imagesTensor, stockTrainStep } from './stock.ts';
import { readModelParams, saveLayersModel } from './model-io.ts';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FUSED_FORWARD, FUSED_TRAIN_STEP, MOMENTUM_INPUTS, PARAM_INPUTS } from '../kernels/fused-train-step.ts';

/** How a training step runs: one fused project kernel (wasm only) or stock tfjs ops with autodiff. */
export type StepKind = 'fused' | 'stock';

/**
 * Engine-specific options on top of the contract's. `trainStep`: `auto` (default) uses the fused kernel on wasm and
 * stock ops elsewhere; `stock` forces the reference path (tests and benchmarks compare the two).
 */
export interface EngineOptions extends CnnTrainerOptions {
  trainStep?: StepKind | 'auto';
}

/** The contract's trainer plus which step implementation it runs (worth logging next to `backend`). */
export interface EngineTrainer extends CnnTrainer {
  readonly stepKind: StepKind;
}

/** Images per forward pass in `predict` with stock ops (bounds peak memory; 1000 keeps XNNPACK efficient). */
export const PREDICT_BATCH = 1000;
/** Images per forward pass with the fused wasm kernel (its scratch grows with the batch: ~17 KB per image). */
export const FUSED_PREDICT_BATCH = 256;

/** Defaults for {@link CnnTrainerOptions}' optional fields. */
export const DEFAULT_ENGINE_OPTIONS = { backend: 'auto', init: 'pytorch' } as const;

function checkImages(images: Float32Array, count: number): void {
  if (!Number.isInteger(count) || count < 0 || images.length !== count * IMAGE_FLOATS) {
    throw new EngineError('TRAIN_BAD_IMAGES', msg.badCount(images.length, count));
  }
}

class TfjsPredictor implements CnnPredictor {
  protected params: tf.Variable[];
  protected disposed = false;

  constructor(readonly backend: BackendName, params: readonly Float32Array[]) {
    // tidy disposes the temporary initial-value tensors; variables survive it.
    this.params = tf.tidy(() => PARAMS.map((s, i) => tf.variable(tf.tensor(params[i]!, s.tfShape), true)));
  }

  protected live(): void {
    if (this.disposed) throw new EngineError('TRAIN_DISPOSED', msg.disposed());
    ensureBackend(this.backend);
  }

  predict(images: Float32Array, count: number): Prediction {
    this.live();
    checkImages(images, count);
    const logits = new Float32Array(count * CLASSES);
    const features = new Float32Array(count * FEATURES);
    const fused = this.backend === 'wasm' && tf.getKernel(FUSED_FORWARD, 'wasm') !== undefined;
    const chunk = fused ? FUSED_PREDICT_BATCH : PREDICT_BATCH;
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const [l, f] = tf.tidy(() => {
        const x = imagesTensor(images.subarray(start * IMAGE_FLOATS, (start + n) * IMAGE_FLOATS), n);
        if (fused) {
          const inputs: Record<string, tf.Tensor> = { x };
          this.params.forEach((p, i) => (inputs[PARAM_INPUTS[i]!] = p));
          return tf.engine().runKernel(FUSED_FORWARD, inputs as never, {}) as tf.Tensor[];
        }
        const out = forward(this.params, x);
        return [out.logits, out.features];
      });
      logits.set(l!.dataSync(), start * CLASSES);
      features.set(f!.dataSync(), start * FEATURES);
      tf.dispose([l!, f!]);
    }
    return { logits, probabilities: softmaxRows(logits, CLASSES), features };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.params);
  }
}

/** Row-wise softmax in float64 (max-shifted), rounded to float32. */
export function softmaxRows(logits: Float32Array, width: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += width) {
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, logits[r + j]!);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += Math.exp(logits[r + j]! - max);
    for (let j = 0; j < width; j++) out[r + j] = Math.exp(logits[r + j]! - max) / sum;
  }
  return out;
}

class TfjsTrainer extends TfjsPredictor implements CnnTrainer {
  private momenta: tf.Variable[];
  private lr: tf.Scalar;
  private mu: tf.Scalar;
  /** Per batch size: the fused kernel's persistent input tensors (batch and labels are written into them). */
  private fusedInputs = new Map<number, { x: tf.Tensor; labels: tf.Tensor; inputs: Record<string, tf.Tensor> }>();

  constructor(
    backend: BackendName,
    params: readonly Float32Array[],
    private readonly learningRate: number,
    private readonly momentum: number,
    /** Which training-step implementation runs. */
    readonly stepKind: StepKind,
  ) {
    super(backend, params);
    this.momenta = tf.tidy(() => PARAMS.map((s) => tf.variable(tf.zeros(s.tfShape), true)));
    this.lr = tf.keep(tf.scalar(learningRate));
    this.mu = tf.keep(tf.scalar(momentum));
  }

  private fusedStep(images: Float32Array, labels: Int32Array): number {
    const batch = labels.length;
    let f = this.fusedInputs.get(batch);
    if (!f) {
      const x = tf.zeros([batch, 28, 28, 1]);
      const y = tf.zeros([batch], 'int32');
      const inputs: Record<string, tf.Tensor> = { x, labels: y };
      PARAMS.forEach((_, i) => {
        inputs[PARAM_INPUTS[i]!] = this.params[i]!;
        inputs[MOMENTUM_INPUTS[i]!] = this.momenta[i]!;
      });
      this.fusedInputs.set(batch, (f = { x, labels: y, inputs }));
    }
    // Write the batch straight into the persistent input tensors' heap memory: no tensor allocation per step.
    const backend = tf.backend() as BackendWasm;
    const heap = backend.wasm as unknown as { HEAPF32: Float32Array; HEAP32: Int32Array };
    heap.HEAPF32.set(images, backend.dataIdMap.get(f.x.dataId)!.memoryOffset >>> 2);
    heap.HEAP32.set(labels, backend.dataIdMap.get(f.labels.dataId)!.memoryOffset >>> 2);
    const loss = tf.engine().runKernel(FUSED_TRAIN_STEP, f.inputs as never, {
      learningRate: this.learningRate,
      momentum: this.momentum,
    } as never) as tf.Tensor;
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return value;
  }

  trainStep(images: Float32Array, labels: Int32Array): number {
    this.live();
    if (images.length !== labels.length * IMAGE_FLOATS || labels.length === 0) {
      throw new EngineError('TRAIN_BAD_BATCH', msg.badBatch(images.length, labels.length));
    }
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i]!;
      if (!(y >= 0 && y < CLASSES)) throw new EngineError('TRAIN_BAD_LABEL', msg.badLabel(i, y));
    }
    if (this.stepKind === 'fused') return this.fusedStep(images, labels);
    return stockTrainStep(this.params, this.momenta, this.lr, this.mu, images, labels);
  }

  getState(): TrainerState {
    this.live();
    const read = (vars: tf.Variable[]): NamedTensor[] =>
      PARAMS.map((s, i) => ({ name: s.torchName, shape: [...s.torchShape], data: tfToTorch(s, vars[i]!.dataSync() as Float32Array) }));
    return { weights: read(this.params), momentum: read(this.momenta) };
  }

  setState(state: TrainerState): void {
    this.live();
    const load = (list: NamedTensor[], vars: tf.Variable[], what: string) => {
      const byName = new Map(list.map((t) => [t.name, t]));
      PARAMS.forEach((s, i) => {
        const t = byName.get(s.torchName);
        if (!t) throw new EngineError('TRAIN_BAD_STATE', msg.badStateTensor(`${what} ${s.torchName}`, 'is missing', `shape [${s.torchShape}]`));
        if (t.shape.join() !== s.torchShape.join() || t.data.length !== sizeOf(s.torchShape)) {
          throw new EngineError(
            'TRAIN_BAD_STATE',
            msg.badStateTensor(`${what} ${s.torchName}`, `has shape [${t.shape}] (${t.data.length} floats)`, `[${s.torchShape}]`),
          );
        }
        tf.tidy(() => vars[i]!.assign(tf.tensor(torchToTf(s, t.data), s.tfShape)));
      });
    };
    load(state.weights, this.params, 'weight');
    load(state.momentum, this.momenta, 'momentum');
  }

  async saveModel(dir: string): Promise<void> {
    this.live();
    await saveLayersModel(dir, this.params.map((v) => v.dataSync() as Float32Array));
  }

  override dispose(): void {
    if (this.disposed) return;
    super.dispose();
    tf.dispose([...this.momenta, this.lr, this.mu]);
    for (const f of this.fusedInputs.values()) tf.dispose([f.x, f.labels]);
    this.fusedInputs.clear();
  }
}

function checkOptions(o: CnnTrainerOptions): void {
  if (!Number.isFinite(o.seed)) throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('seed', o.seed, 'a finite number'));
  if (!(o.learningRate > 0)) throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('learningRate', o.learningRate, '> 0'));
  if (!(o.momentum >= 0 && o.momentum < 1)) {
    throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('momentum', o.momentum, 'in [0, 1)'));
  }
  const init = o.init ?? DEFAULT_ENGINE_OPTIONS.init;
  if (init !== 'pytorch' && init !== 'glorot') throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('init', init, 'pytorch | glorot'));
}

/**
 * Create a trainable instance of the tutorial's CNN on the chosen backend (`auto`: tensorflow → wasm → cpu).
 * `trainer.backend` says which one runs. Weights are initialised from `seed` (PyTorch's scheme by default).
 * @example
 * const trainer = await createCnnTrainer({ seed: 0, learningRate: 0.001, momentum: 0.9 });
 * const loss = trainer.trainStep(images, labels); // images: batch × 784 floats in [-1, 1]
 * await trainer.saveModel('artifacts/tutorial/train/model');
 */
export async function createCnnTrainer(options: EngineOptions): Promise<EngineTrainer> {
  checkOptions(options);
  const backend = await selectBackend(options.backend ?? DEFAULT_ENGINE_OPTIONS.backend);
  const params = initialParams(options.seed, options.init ?? DEFAULT_ENGINE_OPTIONS.init);
  const want = options.trainStep ?? 'auto';
  if (want === 'fused' && backend !== 'wasm') {
    throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('trainStep', `fused on backend ${backend}`, 'fused only on wasm'));
  }
  const kind: StepKind = want === 'auto' ? (backend === 'wasm' ? 'fused' : 'stock') : want;
  return new TfjsTrainer(backend, params, options.learningRate, options.momentum, kind);
}
createCnnTrainer satisfies CreateCnnTrainer;

/**
 * Load a model written by `CnnTrainer.saveModel` for inference on the chosen backend (`auto` by default).
 * `predict` runs in batches of {@link PREDICT_BATCH} and returns logits, softmax probabilities and fc2 features.
 */
export const loadCnnPredictor: LoadCnnPredictor = async (modelDir, options) => {
  const backend = await selectBackend(options?.backend ?? DEFAULT_ENGINE_OPTIONS.backend);
  const params = await readModelParams(modelDir);
  return new TfjsPredictor(backend, params);
};
