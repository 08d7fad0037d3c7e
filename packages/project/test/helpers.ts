import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom, writeManifest } from '@tbpipe/core';
import { writePredictions } from '@tbpipe/evaluate';
import { writeImages } from '@tbpipe/ingest';

export const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Synthetic images: class c has a bright 6×6 block at a class-specific spot, plus seeded noise. */
export function syntheticImages(count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const random = createRandom(seed);
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 10;
    labels[i] = c;
    const y0 = 2 + 8 * Math.floor(c / 3);
    const x0 = 2 + 8 * (c % 3);
    for (let p = 0; p < 784; p++) images[i * 784 + p] = random() < 0.1 ? Math.floor(random() * 60) : 0;
    for (let y = y0; y < y0 + 6; y++) for (let x = x0; x < x0 + 6; x++) images[i * 784 + y * 28 + x] = 180 + Math.floor(random() * 75);
  }
  return { images, labels };
}

/** Synthetic 84-d features clustered by class. */
export function syntheticFeatures(labels: Uint8Array, seed: number, width = 84): Float32Array {
  const random = createRandom(seed);
  const out = new Float32Array(labels.length * width);
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < width; j++) out[i * width + j] = Math.max(0, (j % 10 === labels[i] ? 3 : 0) + random() - 0.5);
  }
  return out;
}

export interface Upstream {
  root: string;
  dataDir: string;
  predictionsDir: string;
  cleanup(): Promise<void>;
}

/** ingest- and evaluate-shaped directories with manifests, written with the producers' own writers. */
export async function makeUpstream(options: { train?: number; test?: number } = {}): Promise<Upstream> {
  const root = await mkdtemp(join(tmpdir(), 'tbpipe-project-'));
  const dataDir = join(root, 'ingest');
  const predictionsDir = join(root, 'evaluate');
  const train = syntheticImages(options.train ?? 50, 1);
  const test = syntheticImages(options.test ?? 60, 2);
  await writeImages(join(dataDir, 'train.arrow'), { ...train, classNames: CLASS_NAMES, count: train.labels.length }, 'fashion-mnist');
  await writeImages(join(dataDir, 'test.arrow'), { ...test, classNames: CLASS_NAMES, count: test.labels.length }, 'fashion-mnist');
  await writeManifest(dataDir, 'tbpipe.ingest/v2', ['train.arrow', 'test.arrow']);
  const n = test.labels.length;
  const predicted = Uint8Array.from(test.labels, (l, i) => (i % 7 === 0 ? (l + 1) % 10 : l));
  const probabilities = new Float32Array(n * 10).fill(0.1);
  await writePredictions(join(predictionsDir, 'predictions.arrow'), {
    count: n,
    classNames: CLASS_NAMES,
    index: Uint32Array.from({ length: n }, (_, i) => i),
    label: test.labels,
    predicted,
    probabilities,
    features: syntheticFeatures(test.labels, 3),
  });
  await writeManifest(predictionsDir, 'tbpipe.evaluate/v2', ['predictions.arrow']);
  return { root, dataDir, predictionsDir, cleanup: () => rm(root, { recursive: true, force: true }) };
}
