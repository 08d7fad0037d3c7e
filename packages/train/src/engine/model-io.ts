/**
 * The saved model: TensorFlow.js LayersModel format (model.json + weights.bin), the artifact the evaluate stage and
 * any tfjs program can load. NHWC input [28, 28, 1] (the same floats as PyTorch's NCHW [1, 28, 28]); fc3 outputs
 * logits (no softmax layer, like the tutorial's Net).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '@tbpipe/core';
import { EngineError, msg } from './errors.ts';
import { PARAMS, sizeOf } from './network.ts';

/** File names of a saved model inside its directory: the LayersModel JSON and the one float32 weights file. */
export const MODEL_JSON = 'model.json';
/** See {@link MODEL_JSON}. */
export const WEIGHTS_BIN = 'weights.bin';

/** The tutorial's CNN as a tfjs-layers Sequential model (NHWC), layers named like PyTorch's modules. */
export function buildLayersModel(): tfl.Sequential {
  const m = tfl.sequential({ name: 'tutorial_cnn' });
  m.add(tfl.layers.conv2d({ name: 'conv1', inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
  m.add(tfl.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 5, activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }));
  m.add(tfl.layers.flatten({ name: 'flatten' }));
  m.add(tfl.layers.dense({ name: 'fc1', units: 120, activation: 'relu' }));
  m.add(tfl.layers.dense({ name: 'fc2', units: 84, activation: 'relu' }));
  m.add(tfl.layers.dense({ name: 'fc3', units: 10 }));
  return m;
}

/**
 * Write parameters (tfjs layout, PARAMS order) as a LayersModel into `dir`. Each file is written atomically;
 * weights.bin goes first and model.json (which names it) last, so a reader never sees a model.json whose weights
 * file is missing or half-written.
 */
export async function saveLayersModel(dir: string, params: readonly Float32Array[]): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  const model = buildLayersModel();
  try {
    const weights = PARAMS.map((s, i) => tf.tensor(params[i]!, s.tfShape));
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
  const json = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: a.weightSpecs! }],
  };
  await writeFileAtomic(join(dir, MODEL_JSON), `${JSON.stringify(json)}\n`);
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
 * Read the parameters (tfjs layout, PARAMS order) of a model saved by {@link saveLayersModel}, checking names and
 * shapes. Decodes weights.bin directly (no tensors), so it works before any tfjs backend is initialised.
 */
export async function readModelParams(dir: string): Promise<Float32Array[]> {
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
  return PARAMS.map((s) => {
    const spec = specs.get(s.tfName);
    if (!spec) {
      throw new EngineError('TRAIN_MODEL_BAD', msg.badModel(dir, `has no weight ${s.tfName} (has ${[...specs.keys()].join(', ')})`, "the tutorial CNN's weights"));
    }
    if (spec.shape.join() !== s.tfShape.join()) {
      throw new EngineError('TRAIN_MODEL_BAD', msg.badModel(dir, `weight ${s.tfName} has shape [${spec.shape}]`, `[${s.tfShape}]`));
    }
    return byName.get(s.tfName)!;
  });
}
