/**
 * The saved model: TensorFlow.js LayersModel format (model.json + weights.bin), the artifact the evaluate stage and
 * any tfjs program can load, built from the resolved network, plus `network.json` (the spec, input shape and class
 * count) so a loader rebuilds the same network. NHWC input [H, W, C] (the same floats as PyTorch's NCHW [C, H, W]
 * for one channel); the last dense outputs logits (no softmax layer, like PyTorch's nets).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '@tbpipe/core';
import { EngineError, msg } from './errors.ts';
import { builtinNetwork } from '../network/builtins.ts';
import { parseNetworkSpec } from '../network/schema.ts';
import { resolveNetwork, sizeOf, type ResolvedLayer, type ResolvedNetwork } from '../network/resolve.ts';
import type { InputShape, NetworkSpec } from '../network/spec.ts';

/** File names of a saved model inside its directory: the LayersModel JSON and the one float32 weights file. */
export const MODEL_JSON = 'model.json';
/** See {@link MODEL_JSON}. */
export const WEIGHTS_BIN = 'weights.bin';
/** The network the model was built from: `{ format, spec, input, classCount }`. */
export const NETWORK_JSON = 'network.json';
const NETWORK_FORMAT = 'tbpipe.network/v1';

/** The Sequential model's name: the tutorial's, kept for every network so the tutorial's model.json stays byte-identical. */
const MODEL_NAME = 'tutorial_cnn';

const ACTIVATIONS = new Set(['relu', 'tanh', 'sigmoid']);

/**
 * The network as a tfjs-layers Sequential model (NHWC), layers named like PyTorch's modules (`ResolvedLayer.tfName`).
 * An unnamed activation right after a conv or dense becomes that layer's `activation` (the same math, and the
 * tutorial's model.json); numeric conv padding is a zeroPadding2d layer (`<name>_pad`) before a valid conv.
 */
export function buildLayersModel(net: ResolvedNetwork): tfl.Sequential {
  const m = tfl.sequential({ name: MODEL_NAME });
  let first = true;
  const shapeArg = () => (first ? { inputShape: [net.input.height, net.input.width, net.input.channels] } : {});
  const add = (layer: tfl.layers.Layer) => {
    m.add(layer);
    first = false;
  };
  const fused = (l: ResolvedLayer) => {
    const next = net.layers[l.index + 1];
    return next && ACTIVATIONS.has(next.type) && next.spec.name === undefined ? (next.type as 'relu' | 'tanh' | 'sigmoid') : undefined;
  };
  for (let i = 0; i < net.layers.length; i++) {
    const l = net.layers[i]!;
    const s = l.spec;
    switch (s.type) {
      case 'conv2d': {
        const pad = l.padding!;
        const same = s.padding === 'same';
        if (!same && pad.top > 0) add(tfl.layers.zeroPadding2d({ name: `${l.tfName}_pad`, padding: pad.top, ...shapeArg() }));
        const activation = fused(l);
        add(tfl.layers.conv2d({ name: l.tfName, filters: s.filters, kernelSize: s.kernelSize, strides: l.stride!, padding: same ? 'same' : 'valid', ...(activation ? { activation } : {}), ...shapeArg() }));
        if (activation) i += 1;
        break;
      }
      case 'dense': {
        const activation = fused(l);
        add(tfl.layers.dense({ name: l.tfName, units: s.units, ...(activation ? { activation } : {}), ...shapeArg() }));
        if (activation) i += 1;
        break;
      }
      case 'maxPool2d':
        add(tfl.layers.maxPooling2d({ name: l.tfName, poolSize: s.poolSize, strides: l.stride!, ...shapeArg() }));
        break;
      case 'avgPool2d':
        add(tfl.layers.averagePooling2d({ name: l.tfName, poolSize: s.poolSize, strides: l.stride!, ...shapeArg() }));
        break;
      case 'flatten':
        add(tfl.layers.flatten({ name: l.tfName, ...shapeArg() }));
        break;
      case 'dropout':
        add(tfl.layers.dropout({ name: l.tfName, rate: s.rate, ...shapeArg() }));
        break;
      case 'batchNorm':
        // tfjs's momentum is the running statistics' decay: 1 − PyTorch's 0.1.
        add(tfl.layers.batchNormalization({ name: l.tfName, axis: -1, epsilon: l.eps!, momentum: 1 - l.momentum!, ...shapeArg() }));
        break;
      default:
        add(tfl.layers.activation({ name: l.tfName, activation: s.type, ...shapeArg() }));
    }
  }
  return m;
}

/** The weights of `model` by tfjs name, from parameters and buffers in the network's order (tfjs layout). */
function weightsByName(net: ResolvedNetwork, params: readonly Float32Array[], buffers: readonly Float32Array[]): Map<string, [Float32Array, number[]]> {
  const out = new Map<string, [Float32Array, number[]]>();
  net.params.forEach((s, i) => out.set(s.tfName, [params[i]!, s.tfShape]));
  net.buffers.forEach((s, i) => out.set(s.tfName, [buffers[i]!, s.tfShape]));
  return out;
}

/**
 * Write parameters and buffers (tfjs layout, network order) as a LayersModel into `dir`, with `network.json`.
 * Each file is written atomically; weights.bin goes first and model.json (which names it) last, so a reader never
 * sees a model.json whose weights file is missing or half-written.
 */
export async function saveLayersModel(dir: string, net: ResolvedNetwork, params: readonly Float32Array[], buffers: readonly Float32Array[] = []): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  const model = buildLayersModel(net);
  try {
    const byName = weightsByName(net, params, buffers);
    const weights = model.weights.map((w) => {
      const found = byName.get(w.originalName);
      if (!found) throw new Error(`train: the tfjs model has weight ${w.originalName} the network does not list; a bug in buildLayersModel`);
      return tf.tensor(found[0], found[1]);
    });
    model.setWeights(weights);
    tf.dispose(weights);
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
  } finally {
    model.dispose();
  }
  const a = artifacts!;
  const weightData = tf.io.CompositeArrayBuffer.join(a.weightData as ArrayBuffer | ArrayBuffer[]);
  await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
  const network = { format: NETWORK_FORMAT, spec: net.spec, input: net.input, classCount: net.classCount };
  await writeFileAtomic(join(dir, NETWORK_JSON), `${JSON.stringify(network, null, 2)}\n`);
  const json = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: a.weightSpecs! }],
  };
  await writeFileAtomic(join(dir, MODEL_JSON), `${JSON.stringify(json)}\n`);
}

/** The tutorial's Net on 28×28 grey images and 10 classes: what a model saved before network.json existed holds. */
export function tutorialNetwork(): ResolvedNetwork {
  tutorial ??= resolveNetwork(builtinNetwork('tutorial'), { height: 28, width: 28, channels: 1 }, 10);
  return tutorial;
}
let tutorial: ResolvedNetwork | undefined;

/** The network a saved model was built from (its `network.json`; the tutorial's when the file is absent). */
export async function readModelNetwork(dir: string): Promise<ResolvedNetwork> {
  const path = join(dir, NETWORK_JSON);
  if (!existsSync(path)) return tutorialNetwork();
  const json = JSON.parse(await readFile(path, 'utf8')) as { format?: string; spec: NetworkSpec; input: InputShape; classCount: number };
  if (json.format !== NETWORK_FORMAT) {
    throw new EngineError('TRAIN_MODEL_BAD', msg.badModel(dir, `has ${NETWORK_JSON} format ${String(json.format)}`, NETWORK_FORMAT));
  }
  return resolveNetwork(parseNetworkSpec(json.spec), json.input, json.classCount);
}

/**
 * A tfjs IOHandler reading a LayersModel from a directory on disk, for `tf.loadLayersModel(modelDirHandler(dir))`
 * without tfjs-node's `file://` scheme.
 */
export function modelDirHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const path = join(dir, MODEL_JSON);
      if (!existsSync(path)) throw new EngineError('TRAIN_MODEL_MISSING', msg.badModel(dir, 'has no model.json', 'model.json + weights.bin'));
      const json = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const b = await readFile(join(dir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/**
 * Read the parameters and buffers (tfjs layout, network order) of a model saved by {@link saveLayersModel},
 * checking names and shapes against `net`. Decodes weights.bin directly (no tensors), so it works before any tfjs
 * backend is initialised.
 */
export async function readModelParams(dir: string, net: ResolvedNetwork): Promise<{ params: Float32Array[]; buffers: Float32Array[] }> {
  const artifacts = await modelDirHandler(dir).load!();
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData!);
  const byName = new Map<string, Float32Array>();
  let offset = 0;
  for (const spec of artifacts.weightSpecs ?? []) {
    const n = sizeOf(spec.shape);
    if (spec.dtype !== 'float32' || spec.quantization) {
      throw new EngineError('TRAIN_MODEL_BAD', msg.badModel(dir, `stores ${spec.name} as ${spec.quantization ? 'quantised ' : ''}${spec.dtype}`, 'float32 weights'));
    }
    if (offset + n * 4 > data.byteLength) {
      throw new EngineError('TRAIN_MODEL_BAD', msg.badModel(dir, `has ${data.byteLength} weight bytes`, `at least ${offset + n * 4}`));
    }
    byName.set(spec.name, new Float32Array(data.slice(offset, offset + n * 4)));
    offset += n * 4;
  }
  const specs = new Map((artifacts.weightSpecs ?? []).map((w) => [w.name, w]));
  const pick = (s: { tfName: string; tfShape: number[] }) => {
    const spec = specs.get(s.tfName);
    if (!spec) {
      throw new EngineError('TRAIN_MODEL_BAD', msg.badModel(dir, `has no weight ${s.tfName} (has ${[...specs.keys()].join(', ')})`, "the network's weights"));
    }
    if (spec.shape.join() !== s.tfShape.join()) {
      throw new EngineError('TRAIN_MODEL_BAD', msg.badModel(dir, `weight ${s.tfName} has shape [${spec.shape}]`, `[${s.tfShape}]`));
    }
    return byName.get(s.tfName)!;
  };
  return { params: net.params.map(pick), buffers: net.buffers.map(pick) };
}
