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
import { dropoutMasks, initialBuffers, initialParams, tfToTorch, torchToTf } from '../network/layout.ts';
import { sizeOf, type ResolvedNetwork } from '../network/resolve.ts';
import { forward, imagesTensor, stockTrainStep } from './stock.ts';
import { readModelNetwork, readModelParams, saveLayersModel, tutorialNetwork } from './model-io.ts';
import { canFuseForward, createFusedStep, FUSED_PREDICT_BATCH, fusedForward, type FusedStep } from './fused.ts';
import type { PlanBinary } from '../kernels/plan.ts';
import { OPTIMIZER_DEFAULTS, type OptimizerConfig } from './optimizer.ts';

/** How a training step runs: the fused project engine (wasm only) or stock tfjs ops with autodiff. */
export type StepKind = 'fused' | 'stock';

/**
 * Engine-specific options on top of the contract's. `trainStep`: `auto` (default) uses the fused engine on wasm when
 * it can run the network (else stock, saying why in `stepNote`) and stock ops elsewhere; `stock` forces the
 * reference path (tests and benchmarks compare the two); `fused` fails when the fused engine cannot run.
 */
export interface EngineOptions extends CnnTrainerOptions {
  trainStep?: StepKind | 'auto';
}

/** The contract's trainer plus which step implementation it runs (worth logging next to `backend`). */
export interface EngineTrainer extends CnnTrainer {
  readonly stepKind: StepKind;
  /** The fused step's plan binary (`plan-fma` or `plan`), or null for the stock step. */
  readonly planBinary: PlanBinary | null;
  /** Why `auto` fell back to the stock step on wasm (one line for the log), if it did. */
  readonly stepNote?: string;
  /** Threads a training step of `batch` images runs on (2: the fused step's batch split, whose worker this starts) and why, for the log. */
  threadsFor(batch: number): { threads: 1 | 2; why: string };
}

/** Images per forward pass in `predict` with stock ops (bounds peak memory; 1000 keeps XNNPACK efficient). */
export const PREDICT_BATCH = 1000;

/** Defaults for {@link CnnTrainerOptions}' optional fields. */
export const DEFAULT_ENGINE_OPTIONS = { backend: 'auto', init: 'pytorch', optimizer: 'sgd' } as const;

const imageFloats = (net: ResolvedNetwork) => net.input.height * net.input.width * net.input.channels;

class TfjsPredictor implements CnnPredictor {
  protected params: tf.Variable[];
  protected buffers: tf.Variable[];
  protected disposed = false;

  constructor(
    readonly backend: BackendName,
    readonly network: ResolvedNetwork,
    params: readonly Float32Array[],
    buffers: readonly Float32Array[],
  ) {
    // tidy disposes the temporary initial-value tensors; variables survive it.
    this.params = tf.tidy(() => network.params.map((s, i) => tf.variable(tf.tensor(params[i]!, s.tfShape), true)));
    this.buffers = tf.tidy(() => network.buffers.map((s, i) => tf.variable(tf.tensor(buffers[i]!, s.tfShape), false)));
  }

  protected live(): void {
    if (this.disposed) throw new EngineError('TRAIN_DISPOSED', msg.disposed());
    ensureBackend(this.backend);
  }

  predict(images: Float32Array, count: number): Prediction {
    this.live();
    const net = this.network;
    const floats = imageFloats(net);
    if (!Number.isInteger(count) || count < 0 || images.length !== count * floats) {
      throw new EngineError('TRAIN_BAD_IMAGES', msg.badCount(images.length, count, net.input));
    }
    const classes = net.classCount;
    const width = net.featureWidth;
    const logits = new Float32Array(count * classes);
    const features = new Float32Array(count * width);
    const chunk = canFuseForward(net) ? FUSED_PREDICT_BATCH : PREDICT_BATCH;
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const [l, f] = tf.tidy(() => {
        const x = imagesTensor(net, images.subarray(start * floats, (start + n) * floats), n);
        const fused = fusedForward(net, this.params, this.buffers, x);
        if (fused) return fused;
        const out = forward(net, this.params, this.buffers, x);
        return [out.logits, out.features];
      });
      logits.set(l!.dataSync(), start * classes);
      features.set(f!.dataSync(), start * width);
      tf.dispose([l!, f!]);
    }
    return { logits, probabilities: softmaxRows(logits, classes), features };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.params, ...this.buffers]);
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
  private momentum: tf.Variable[];
  private secondMoment: tf.Variable[];
  /** Steps taken so far (restored by setState): Adam's t − 1 and the dropout masks' step. */
  private steps = 0;
  private fused: FusedStep | undefined;
  readonly stepKind: StepKind;
  readonly stepNote?: string;
  get planBinary(): PlanBinary | null {
    return this.fused?.binary ?? null;
  }

  constructor(
    backend: BackendName,
    network: ResolvedNetwork,
    params: readonly Float32Array[],
    buffers: readonly Float32Array[],
    private readonly optimizer: OptimizerConfig,
    private readonly dropoutSeed: number,
    want: StepKind | 'auto',
    threads: 'auto' | 1 | 2 = 1,
  ) {
    super(backend, network, params, buffers);
    this.momentum = tf.tidy(() => network.params.map((s) => tf.variable(tf.zeros(s.tfShape), false)));
    this.secondMoment = tf.tidy(() => (optimizer.name === 'adam' ? network.params.map((s) => tf.variable(tf.zeros(s.tfShape), false)) : []));
    let kind: StepKind = 'stock';
    if (want !== 'stock' && backend === 'wasm') {
      const made = createFusedStep({ network, optimizer, params: this.params, momentum: this.momentum, secondMoment: this.secondMoment, buffers: this.buffers, threads });
      if ('unsupported' in made) {
        if (want === 'fused') throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('trainStep', `fused (${made.unsupported})`, 'a network and optimizer the fused engine runs'));
        this.stepNote = `fused engine not used: ${made.unsupported}; training with stock tfjs ops`;
      } else {
        this.fused = made;
        kind = 'fused';
      }
    }
    this.stepKind = kind;
  }

  threadsFor(batch: number): { threads: 1 | 2; why: string } {
    return this.fused ? this.fused.threadsFor(batch) : { threads: 1, why: `the ${this.stepKind} step runs on one thread` };
  }

  trainStep(images: Float32Array, labels: Int32Array): number {
    this.live();
    const net = this.network;
    if (images.length !== labels.length * imageFloats(net) || labels.length === 0) {
      throw new EngineError('TRAIN_BAD_BATCH', msg.badBatch(images.length, labels.length, net.input));
    }
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i]!;
      if (!(y >= 0 && y < net.classCount)) throw new EngineError('TRAIN_BAD_LABEL', msg.badLabel(i, y, net.classCount));
    }
    const masks = dropoutMasks(net, this.dropoutSeed, this.steps, labels.length);
    this.steps += 1;
    if (this.fused) return this.fused.trainStep(images, labels, masks, this.steps);
    return stockTrainStep(net, { params: this.params, buffers: this.buffers, momentum: this.momentum, secondMoment: this.secondMoment }, this.optimizer, images, labels, masks, this.steps);
  }

  getState(): TrainerState {
    this.live();
    const net = this.network;
    const read = (vars: tf.Variable[]): NamedTensor[] =>
      net.params.map((s, i) => ({ name: s.torchName, shape: [...s.torchShape], data: tfToTorch(s, vars[i]!.dataSync() as Float32Array) }));
    const state: TrainerState = { weights: read(this.params), momentum: read(this.momentum) };
    if (this.optimizer.name === 'adam') state.secondMoment = read(this.secondMoment);
    if (net.buffers.length > 0) {
      state.buffers = net.buffers.map((s, i) => ({ name: s.torchName, shape: [...s.torchShape], data: tfToTorch(s, this.buffers[i]!.dataSync() as Float32Array) }));
    }
    if (this.steps > 0) state.step = this.steps;
    return state;
  }

  setState(state: TrainerState): void {
    this.live();
    const load = (list: NamedTensor[] | undefined, specs: readonly { torchName: string; torchShape: number[]; tfShape: number[] }[], vars: tf.Variable[], what: string) => {
      const byName = new Map((list ?? []).map((t) => [t.name, t]));
      specs.forEach((s, i) => {
        const t = byName.get(s.torchName);
        if (!t) throw new EngineError('TRAIN_BAD_STATE', msg.badStateTensor(`${what} ${s.torchName}`, 'is missing', `shape [${s.torchShape}]`));
        if (t.shape.join() !== s.torchShape.join() || t.data.length !== sizeOf(s.torchShape)) {
          throw new EngineError('TRAIN_BAD_STATE', msg.badStateTensor(`${what} ${s.torchName}`, `has shape [${t.shape}] (${t.data.length} floats)`, `[${s.torchShape}]`));
        }
        tf.tidy(() => vars[i]!.assign(tf.tensor(torchToTf(s as never, t.data), s.tfShape)));
      });
    };
    const net = this.network;
    load(state.weights, net.params, this.params, 'weight');
    load(state.momentum, net.params, this.momentum, this.optimizer.name === 'adam' ? 'exp_avg' : 'momentum');
    if (this.optimizer.name === 'adam') load(state.secondMoment, net.params, this.secondMoment, 'exp_avg_sq');
    load(state.buffers, net.buffers, this.buffers, 'buffer');
    this.steps = state.step ?? 0;
  }

  async saveModel(dir: string): Promise<void> {
    this.live();
    await saveLayersModel(
      dir,
      this.network,
      this.params.map((v) => v.dataSync() as Float32Array),
      this.buffers.map((v) => v.dataSync() as Float32Array),
    );
  }

  override dispose(): void {
    if (this.disposed) return;
    super.dispose();
    tf.dispose([...this.momentum, ...this.secondMoment]);
    this.fused?.dispose();
  }
}

/** Every optimizer hyper-parameter with defaults, validated. */
export function optimizerConfig(o: CnnTrainerOptions): OptimizerConfig {
  const c: OptimizerConfig = {
    name: o.optimizer ?? DEFAULT_ENGINE_OPTIONS.optimizer,
    learningRate: o.learningRate,
    momentum: o.momentum,
    nesterov: o.nesterov ?? OPTIMIZER_DEFAULTS.nesterov,
    weightDecay: o.weightDecay ?? OPTIMIZER_DEFAULTS.weightDecay,
    beta1: o.betas?.[0] ?? OPTIMIZER_DEFAULTS.beta1,
    beta2: o.betas?.[1] ?? OPTIMIZER_DEFAULTS.beta2,
    eps: o.eps ?? OPTIMIZER_DEFAULTS.eps,
  };
  const bad = (name: string, seen: unknown, expected: string) => new EngineError('TRAIN_BAD_OPTION', msg.badOption(name, seen, expected));
  if (c.name !== 'sgd' && c.name !== 'adam') throw bad('optimizer', c.name, 'sgd | adam');
  if (!(c.learningRate > 0)) throw bad('learningRate', c.learningRate, '> 0');
  if (!(c.momentum >= 0 && c.momentum < 1)) throw bad('momentum', c.momentum, 'in [0, 1)');
  if (c.nesterov && c.name === 'sgd' && !(c.momentum > 0)) throw bad('nesterov', 'with momentum 0', 'momentum > 0 (as torch.optim.SGD requires)');
  if (!(c.weightDecay >= 0)) throw bad('weightDecay', c.weightDecay, '≥ 0');
  if (!(c.beta1 >= 0 && c.beta1 < 1)) throw bad('beta1', c.beta1, 'in [0, 1)');
  if (!(c.beta2 >= 0 && c.beta2 < 1)) throw bad('beta2', c.beta2, 'in [0, 1)');
  if (!(c.eps >= 0)) throw bad('eps', c.eps, '≥ 0');
  return c;
}

function checkOptions(o: CnnTrainerOptions): OptimizerConfig {
  if (!Number.isFinite(o.seed)) throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('seed', o.seed, 'a finite number'));
  const init = o.init ?? DEFAULT_ENGINE_OPTIONS.init;
  if (init !== 'pytorch' && init !== 'glorot') throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('init', init, 'pytorch | glorot'));
  if (o.threads !== undefined && o.threads !== 'auto' && o.threads !== 1 && o.threads !== 2) {
    throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('threads', o.threads, 'auto | 1 | 2'));
  }
  return optimizerConfig(o);
}

/**
 * Create a trainable instance of `options.network` (the tutorial's Net by default) on the chosen backend
 * (`auto`: tensorflow → wasm → cpu). `trainer.backend` says which one runs. Weights are initialised from `seed`
 * (PyTorch's scheme by default).
 * @example
 * const trainer = await createCnnTrainer({ seed: 0, learningRate: 0.001, momentum: 0.9 });
 * const loss = trainer.trainStep(images, labels); // images: batch × H × W × C floats in [-1, 1]
 * await trainer.saveModel('artifacts/tutorial/train/model');
 */
export async function createCnnTrainer(options: EngineOptions): Promise<EngineTrainer> {
  const optimizer = checkOptions(options);
  const backend = await selectBackend(options.backend ?? DEFAULT_ENGINE_OPTIONS.backend);
  const network = options.network ?? tutorialNetwork();
  const params = initialParams(network, options.seed, options.init ?? DEFAULT_ENGINE_OPTIONS.init);
  const want = options.trainStep ?? 'auto';
  if (want === 'fused' && backend !== 'wasm') {
    throw new EngineError('TRAIN_BAD_OPTION', msg.badOption('trainStep', `fused on backend ${backend}`, 'fused only on wasm'));
  }
  return new TfjsTrainer(backend, network, params, initialBuffers(network), optimizer, options.dropoutSeed ?? options.seed, want, options.threads);
}
createCnnTrainer satisfies CreateCnnTrainer;

/**
 * Load a model written by `CnnTrainer.saveModel` (its network from `network.json`) for inference on the chosen
 * backend (`auto` by default). `predict` runs in batches of {@link PREDICT_BATCH} and returns logits, softmax
 * probabilities and the features (the input of the last dense layer).
 */
export const loadCnnPredictor: LoadCnnPredictor = async (modelDir, options) => {
  const backend = await selectBackend(options?.backend ?? DEFAULT_ENGINE_OPTIONS.backend);
  const network = await readModelNetwork(modelDir);
  const { params, buffers } = await readModelParams(modelDir, network);
  return new TfjsPredictor(backend, network, params, buffers);
};
