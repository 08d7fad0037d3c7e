/**
 * The network written with stock tfjs ops: the forward pass every backend uses for inference, and the reference
 * training step (autodiff + SGD momentum as plain tfjs ops) that runs on `tensorflow` and `cpu`, and that the fused
 * wasm kernel is tested against.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CLASSES, IMAGE_SIZE } from './network.ts';

/** Parameters in PARAMS order, tfjs layout. */
export type ParamTensors = readonly tf.Tensor[];

/** Logits and the 84-wide penultimate features (after fc2's ReLU) for a [batch, 28, 28, 1] input. */
export function forward(p: ParamTensors, x: tf.Tensor4D): { logits: tf.Tensor2D; features: tf.Tensor2D } {
  const [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b] = p as tf.Tensor[];
  const h1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, c1w as tf.Tensor4D, 1, 'valid'), c1b!)) as tf.Tensor4D, 2, 2, 'valid');
  const h2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(h1, c2w as tf.Tensor4D, 1, 'valid'), c2b!)) as tf.Tensor4D, 2, 2, 'valid');
  const flat = tf.reshape(h2, [x.shape[0], 256]);
  const h3 = tf.relu(tf.add(tf.matMul(flat, f1w as tf.Tensor2D), f1b!));
  const features = tf.relu(tf.add(tf.matMul(h3, f2w as tf.Tensor2D), f2b!)) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(features, f3w as tf.Tensor2D), f3b!) as tf.Tensor2D;
  return { logits, features };
}

/** A [count, 28, 28, 1] tensor over `images` (NCHW with one channel is the same memory as NHWC). */
export function imagesTensor(images: Float32Array, count: number): tf.Tensor4D {
  return tf.tensor4d(images, [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
}

/**
 * One SGD-momentum step with tfjs autodiff, PyTorch semantics (v ← μ·v + g; w ← w − lr·v). Mutates `params` and
 * `momenta` (tfjs variables) and returns the batch's mean softmax cross-entropy before the update.
 */
export function stockTrainStep(
  params: readonly tf.Variable[],
  momenta: readonly tf.Variable[],
  lr: tf.Scalar,
  mu: tf.Scalar,
  images: Float32Array,
  labels: Int32Array,
): number {
  const batch = labels.length;
  const loss = tf.tidy(() => {
    const x = imagesTensor(images, batch);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, forward(params, x).logits) as tf.Scalar,
      params as tf.Variable[],
    );
    for (let i = 0; i < params.length; i++) {
      const v = tf.add(tf.mul(momenta[i]!, mu), grads[params[i]!.name]!);
      momenta[i]!.assign(v);
      params[i]!.assign(tf.sub(params[i]!, tf.mul(v, lr)));
    }
    return value;
  });
  const out = loss.dataSync()[0]!;
  loss.dispose();
  return out;
}
