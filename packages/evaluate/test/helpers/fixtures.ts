/**
 * Small synthetic inputs for the evaluate stage: an ingest directory with a test split of striped images, a train
 * directory with `run.json` and a placeholder model, and a fake predictor that "sees" the stripes. Everything is
 * built in a temporary directory in milliseconds, so the stage's bookkeeping is tested without TensorFlow.js.
 */
import { createRandom, writeFileAtomic, writeManifest } from '@tbpipe/core';
import { INGEST_CONTRACT, TEST_FILE, writeImages } from '@tbpipe/ingest';
import type { CnnPredictor, LoadCnnPredictor, Prediction } from '@tbpipe/train';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TRAIN_CONTRACT } from '../../src/contract.ts';

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

/** An image shape (ingest's `ImageShape`); the tutorial's is 28 × 28 × 1. */
export interface Shape {
  height: number;
  width: number;
  channels: number;
}
export const TUTORIAL_SHAPE: Shape = { height: 28, width: 28, channels: 1 };

/** The rows of class c's band in an image of `height` rows for `classes` classes: 2c…2c+2 for 28 rows, 10 classes. */
export function bandRows(c: number, classes: number, height: number): [number, number] {
  const pitch = Math.max(1, Math.floor(height / classes));
  if (classes * 2 + 1 <= height) return [2 * c, Math.min(height, 2 * c + 3)];
  return [c * pitch, c * pitch + 1];
}

/**
 * `count` images of `shape` (HWC); image i has class `i % classes` and a bright horizontal band (every channel) at
 * its {@link bandRows}, plus noise. Labels are Uint8, or Uint16 above 256 classes.
 */
export function stripedImages(count: number, seed = 1, classes = 10, shape: Shape = TUTORIAL_SHAPE): { images: Uint8Array; labels: Uint8Array | Uint16Array } {
  const random = createRandom(seed);
  const { height, width, channels } = shape;
  const px = height * width * channels;
  const images = new Uint8Array(count * px);
  const labels = classes > 256 ? new Uint16Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    labels[i] = c;
    const [top, bottom] = bandRows(c, classes, height);
    for (let p = 0; p < px; p++) {
      const row = Math.floor(p / (width * channels));
      const band = row >= top && row < bottom ? 150 : 0;
      images[i * px + p] = Math.min(255, band + Math.floor(random() * 120));
    }
  }
  return { images, labels };
}

/** Write an ingest output directory holding only `test.arrow` and its manifest. */
export async function makeIngestDir(
  dir: string,
  data: { images: Uint8Array; labels: Uint8Array | Uint16Array; classNames?: string[]; shape?: Shape },
): Promise<string> {
  const classNames = data.classNames ?? FASHION_CLASSES;
  const shape = data.shape ?? TUTORIAL_SHAPE;
  await writeImages(join(dir, TEST_FILE), { images: data.images, labels: data.labels, classNames, count: data.labels.length, ...shape }, 'fashion-mnist');
  await writeManifest(dir, INGEST_CONTRACT, [TEST_FILE], { classNames });
  return dir;
}

/** The train stage's `run.json` for the tutorial's params. */
export function runRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    stage: 'train',
    params: { epochs: 1, batchSize: 4, learningRate: 0.001, momentum: 0.9, seed: 0, init: 'pytorch', backend: 'auto', logEverySteps: 1000, checkpointEverySteps: 5000, maxSteps: null },
    seed: 0,
    backend: 'cpu',
    dataSha256: '0'.repeat(64),
    trainImages: 60000,
    stepsPerEpoch: 15000,
    steps: 15000,
    finalLoss: 0.3,
    classNames: FASHION_CLASSES,
    ...overrides,
  };
}

/** Write a train output directory: `run.json`, a placeholder `model/model.json` (for {@link fakeLoader}), manifest. */
export async function makeTrainDir(dir: string, run: Record<string, unknown> = runRecord()): Promise<string> {
  await mkdir(join(dir, 'model'), { recursive: true });
  await writeFileAtomic(join(dir, 'model', 'model.json'), '{"fake": true}\n');
  await writeFileAtomic(join(dir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  await writeManifest(dir, TRAIN_CONTRACT, ['model/model.json', 'run.json']);
  return dir;
}

/** Options of {@link fakeLoader}: change the fake model's output widths to test the stage's checks. */
export interface FakeModel {
  classes?: number;
  features?: number;
  /** The input shape the fake's `network` declares; default 28 × 28 × 1. */
  input?: { height: number; width: number; channels: number };
  /** Declared class count of the fake's `network` (default `classes`). */
  networkClasses?: number;
  /** Called with each `predict` batch size. */
  onPredict?: (count: number) => void;
}

/**
 * A predictor whose logit for class c is 4 × the mean normalised brightness of rows 2c…2c+2 (so it finds the stripe
 * of {@link stripedImages}), with 84 features = mean brightness of groups of pixels. Softmax in float64 → float32.
 */
export function fakeLoader(model: FakeModel = {}): LoadCnnPredictor {
  const classes = model.classes ?? 10;
  const featureCount = model.features ?? 84;
  const input = model.input ?? { height: 28, width: 28, channels: 1 };
  const px = input.height * input.width * input.channels;
  // What evaluate reads of a ResolvedNetwork: input, class count, and the layers up to the last dense.
  const network = {
    input,
    classCount: model.networkClasses ?? classes,
    featureLayer: 2,
    featureWidth: featureCount,
    layers: [{ scope: 'fc2', params: [{}] }, { scope: 'relu1', params: [] }, { scope: 'fc3', params: [{}] }],
  } as unknown as CnnPredictor['network'];
  return async (_modelDir, options) => {
    let disposed = false;
    const predictor: CnnPredictor = {
      backend: options?.backend === 'wasm' ? 'wasm' : 'cpu',
      network,
      predict(images: Float32Array, count: number): Prediction {
        if (disposed) throw new Error('fake predictor used after dispose');
        model.onPredict?.(count);
        const logits = new Float32Array(count * classes);
        const probabilities = new Float32Array(count * classes);
        const features = new Float32Array(count * featureCount);
        const rowBytes = input.width * input.channels;
        for (let n = 0; n < count; n++) {
          const img = images.subarray(n * px, (n + 1) * px);
          for (let c = 0; c < classes; c++) {
            const [top, bottom] = bandRows(c, classes, input.height);
            let s = 0;
            for (let p = top * rowBytes; p < bottom * rowBytes; p++) s += img[p];
            // 4 × the band's mean: the tutorial fixture's 3 rows of 28 give the old (4 × sum) / 84.
            logits[n * classes + c] = (4 * s) / Math.max(1, (bottom - top) * rowBytes);
          }
          const row = logits.subarray(n * classes, (n + 1) * classes);
          const max = Math.max(...row);
          const sum = row.reduce((a, z) => a + Math.exp(z - max), 0);
          row.forEach((z, c) => (probabilities[n * classes + c] = Math.exp(z - max) / sum));
          for (let f = 0; f < featureCount; f++) {
            let s = 0;
            for (let p = f * 9; p < f * 9 + 9 && p < px; p++) s += img[p];
            features[n * featureCount + f] = Math.max(0, s / 9);
          }
        }
        return { logits, probabilities, features };
      },
      dispose() {
        disposed = true;
      },
    };
    return predictor;
  };
}
