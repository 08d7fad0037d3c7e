/**
 * A resolved network written with stock tfjs ops: the forward pass every backend uses for inference, and the
 * reference training step (autodiff + the optimizer as plain tfjs ops) that runs on `tensorflow` and `cpu`, and
 * that the fused wasm engine is tested against. Activations are NHWC (what the data holds); PyTorch's C, H, W
 * flatten order lives in the layout of the parameters after a flatten (see network/layout.ts), not in the ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedNetwork } from '../network/resolve.ts';
import { applyUpdate, type OptimizerConfig, type OptimizerSlots } from './optimizer.ts';

/** Parameters in `net.params` order, tfjs layout. */
export type ParamTensors = readonly tf.Tensor[];

/** Training mode: dropout masks (one per dropout layer, see dropoutMasks) and where batch statistics go. */
export interface TrainingMode {
  masks: readonly tf.Tensor[];
  /** Filled with the new running mean and variance of every batch-norm layer, in `net.buffers` order (kept tensors). */
  runningStats: tf.Tensor[];
}

/**
 * Logits and features (the input of the last dense layer) for an NHWC input. Evaluation mode without `training`
 * (dropout is the identity, batch norm uses its running statistics).
 */
export function forward(
  net: ResolvedNetwork,
  params: ParamTensors,
  buffers: ParamTensors,
  x: tf.Tensor4D,
  training?: TrainingMode,
): { logits: tf.Tensor2D; features: tf.Tensor2D } {
  let h: tf.Tensor = x;
  let p = 0;
  let b = 0;
  let dropout = 0;
  let features: tf.Tensor2D | undefined;
  const n = x.shape[0];
  for (const l of net.layers) {
    if (l.index === net.featureLayer) features = h as tf.Tensor2D;
    switch (l.type) {
      case 'conv2d': {
        const pad = l.padding!;
        const same = l.spec.type === 'conv2d' && l.spec.padding === 'same';
        const padding: 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]] = same
          ? 'same'
          : pad.top + pad.left + pad.bottom + pad.right === 0
            ? 'valid'
            : [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]];
        h = tf.add(tf.conv2d(h as tf.Tensor4D, params[p] as tf.Tensor4D, l.stride!, padding), params[p + 1]!);
        p += 2;
        break;
      }
      case 'maxPool2d':
        h = tf.maxPool(h as tf.Tensor4D, l.kernelSize!, l.stride!, 'valid');
        break;
      case 'avgPool2d':
        h = tf.avgPool(h as tf.Tensor4D, l.kernelSize!, l.stride!, 'valid');
        break;
      case 'relu':
        h = tf.relu(h);
        break;
      case 'tanh':
        h = tf.tanh(h);
        break;
      case 'sigmoid':
        h = tf.sigmoid(h);
        break;
      case 'flatten':
        h = tf.reshape(h, [n, l.outShape[0]!]);
        break;
      case 'dense':
        h = tf.add(tf.matMul(h as tf.Tensor2D, params[p] as tf.Tensor2D), params[p + 1]!);
        p += 2;
        break;
      case 'dropout':
        if (training) h = tf.mul(h, training.masks[dropout]!);
        dropout += 1;
        break;
      case 'batchNorm': {
        const [gamma, beta] = [params[p]!, params[p + 1]!];
        const [runMean, runVar] = [buffers[b]!, buffers[b + 1]!];
        p += 2;
        b += 2;
        if (!training) {
          h = tf.batchNorm(h, runMean, runVar, beta, gamma, l.eps!);
          break;
        }
        const axes = h.rank === 4 ? [0, 1, 2] : [0];
        const { mean, variance } = tf.moments(h, axes);
        h = tf.batchNorm(h, mean, variance, beta, gamma, l.eps!);
        // PyTorch: running = (1 − m)·running + m·batch, with the unbiased variance.
        const count = h.size / l.inShape[0]!;
        const m = l.momentum!;
        const unbiased = count > 1 ? count / (count - 1) : 1;
        training.runningStats.push(
          tf.keep(tf.add(tf.mul(runMean, 1 - m), tf.mul(mean, m))),
          tf.keep(tf.add(tf.mul(runVar, 1 - m), tf.mul(variance, m * unbiased))),
        );
        break;
      }
    }
  }
  return { logits: h as tf.Tensor2D, features: features! };
}

/** An NHWC tensor over `images` (count × H × W × C floats). */
export function imagesTensor(net: ResolvedNetwork, images: Float32Array, count: number): tf.Tensor4D {
  return tf.tensor4d(images, [count, net.input.height, net.input.width, net.input.channels]);
}

/** What a stock step updates: parameters, optimizer slots and batch-norm buffers (tfjs variables). */
export interface StockState extends OptimizerSlots {
  params: readonly tf.Variable[];
  buffers: readonly tf.Variable[];
}

/**
 * One optimisation step with tfjs autodiff, PyTorch semantics. Mutates the variables of `state` and returns the
 * batch's mean softmax cross-entropy before the update. `step` is this update's 1-based count (Adam's t);
 * `masks` are the step's dropout masks (network/layout.ts dropoutMasks).
 */
export function stockTrainStep(
  net: ResolvedNetwork,
  state: StockState,
  optimizer: OptimizerConfig,
  images: Float32Array,
  labels: Int32Array,
  masks: readonly Float32Array[],
  step: number,
): number {
  const batch = labels.length;
  const runningStats: tf.Tensor[] = [];
  const loss = tf.tidy(() => {
    const x = imagesTensor(net, images, batch);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), net.classCount);
    const dropouts = net.layers.filter((l) => l.type === 'dropout');
    const maskTensors = masks.map((m, i) => tf.tensor(m, [batch, ...tfShape(dropouts[i]!.inShape)]));
    const training: TrainingMode = { masks: maskTensors, runningStats };
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, forward(net, state.params, state.buffers, x, training).logits) as tf.Scalar,
      state.params as tf.Variable[],
    );
    applyUpdate(optimizer, state.params, state.params.map((p) => grads[p.name]!), state, step);
    return value;
  });
  runningStats.forEach((t, i) => state.buffers[i]!.assign(t));
  tf.dispose(runningStats);
  const out = loss.dataSync()[0]!;
  loss.dispose();
  return out;
}

/** PyTorch's [C, H, W] or [N] as the NHWC activation shape without the batch: [H, W, C] or [N]. */
export function tfShape(shape: readonly number[]): number[] {
  return shape.length === 3 ? [shape[1]!, shape[2]!, shape[0]!] : [...shape];
}
