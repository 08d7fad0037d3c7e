import { join } from 'node:path';
import { verifyManifest } from '@tbpipe/core';
import { readPredictions, type Predictions } from '@tbpipe/evaluate/contract';
import { readImages, type ImageShape } from '@tbpipe/ingest/contract';
import { INPUT_CONTRACTS, INPUT_FILES, SOURCES, type Source } from './contract.ts';
import { ClassMismatchError, EmptyInputError, NothingToProjectError, SampleTooLargeError, WidthMismatchError } from './errors.ts';
import { deriveSeed, sampleRows } from './sampling.ts';

/** One split of images as ingest wrote it. */
export interface ImageSplit {
  images: Uint8Array;
  labels: Uint16Array;
  count: number;
}

/** Everything this stage reads from upstream, checked once at this boundary. */
export interface ProjectInputs {
  classNames: string[];
  /** The images' shape; absent without `--data`. */
  shape?: ImageShape;
  train?: ImageSplit;
  test?: ImageSplit;
  /** Absent in a pixels-only run (`--data` without `--predictions`). */
  predictions?: Predictions;
}

/**
 * Verify the upstream manifests (contract id and every file's sha256), read the predictions (if any) and, with
 * `dataDir`, the training and test images, and check that the requested samples fit: `sampleImages` ≤ training images,
 * `featurePoints` ≤ predicted test images (test images without predictions), predictions pointing at existing test
 * rows, the same classes on both sides. Without `dataDir` (predictions made elsewhere, no images) the predictions must
 * carry features unless `pixels` says the pixels come from elsewhere (`--pixels`): they are then all there is to project.
 */
export async function readInputs(
  dataDir: string | undefined,
  predictionsDir: string | undefined,
  sampleImages: number,
  featurePoints: number,
  options: { pixels?: boolean } = {},
): Promise<ProjectInputs> {
  if (dataDir !== undefined) await verifyManifest(dataDir, INPUT_CONTRACTS.ingest);
  let predictions: Predictions | undefined;
  let predictionsPath = '';
  if (predictionsDir !== undefined) {
    await verifyManifest(predictionsDir, INPUT_CONTRACTS.evaluate);
    predictionsPath = join(predictionsDir, INPUT_FILES.predictions);
    predictions = await readPredictions(predictionsPath);
    if (predictions.count === 0) throw new EmptyInputError('predictions', predictionsPath);
    if (featurePoints > predictions.count) throw new SampleTooLargeError('predictions', 'feature-points', featurePoints, predictions.count, predictionsPath);
    if (dataDir === undefined) {
      if (!predictions.features && !options.pixels) throw new NothingToProjectError(predictionsPath);
      return { classNames: predictions.classNames, predictions };
    }
  }
  if (dataDir === undefined) throw new RangeError('readInputs: neither dataDir nor predictionsDir');
  const trainPath = join(dataDir, INPUT_FILES.train);
  const testPath = join(dataDir, INPUT_FILES.test);
  const train = await readImages(trainPath);
  const test = await readImages(testPath);
  // The readers checked the schemas against their metadata: rows are H × W × C bytes and D features wide.
  for (const [set, path] of [[train, trainPath], [test, testPath]] as const) {
    if (set.count === 0) throw new EmptyInputError('images', path);
  }
  const shape = { height: test.height, width: test.width, channels: test.channels };
  if (train.height !== test.height || train.width !== test.width || train.channels !== test.channels) {
    throw new WidthMismatchError('training images', train.height * train.width * train.channels, test.height * test.width * test.channels, trainPath);
  }
  if (!predictions) {
    if (sampleImages > train.count) throw new SampleTooLargeError('training images', 'sample-images', sampleImages, train.count, trainPath);
    if (featurePoints > test.count) throw new SampleTooLargeError('test images', 'feature-points', featurePoints, test.count, testPath);
    return { classNames: test.classNames, shape, train, test };
  }
  const names = predictions.classNames;
  if (names.length !== test.classNames.length || names.some((c, i) => c !== test.classNames[i])) {
    throw new ClassMismatchError(predictionsPath, names, testPath, test.classNames);
  }
  if (sampleImages > train.count) throw new SampleTooLargeError('training images', 'sample-images', sampleImages, train.count, trainPath);
  for (let i = 0; i < predictions.count; i++) {
    if (predictions.index[i] >= test.count) {
      throw new WidthMismatchError(`row index ${predictions.index[i]} of predictions`, predictions.index[i], test.count - 1, predictionsPath);
    }
  }
  return { classNames: test.classNames, shape, train, test, predictions };
}

/** The sampled rows and their vectors: what the projections and the embeddings are made of. */
export interface Sample {
  classNames: string[];
  /** The point sets present, in {@link SOURCES} order: `pixels` with `--data`, `features` when the predictions have them. */
  sources: Source[];
  shape?: ImageShape;
  /** Bytes per image (H × W × C); 0 without images. */
  pixelWidth: number;
  /** D, the features' width; 0 without features. */
  featureWidth: number;
  /** The layer the features come from (e.g. `fc2`), when the predictions name it. */
  featureLayer?: string;
  train?: ImageSplit;
  test?: ImageSplit;
  trainRows: Uint32Array;
  trainPixels: Float32Array;
  /** Row of each sampled point in test.arrow (or in the external predictions file). */
  testRows: Uint32Array;
  labels: Uint16Array;
  predicted: Uint16Array;
  features: Float32Array;
  pixels: Float32Array;
  pixelBytes: Uint8Array;
}

/**
 * Read the inputs ({@link readInputs}) and draw the samples: `sampleImages` training images for the tutorial's
 * embedding (with `--data`) and `featurePoints` predictions (sorted by prediction row) with their test images'
 * pixels and their features. Without predictions (a pixels-only run) the points are `featurePoints` test images
 * drawn the same way from the test rows, so they are the predictions' when those cover test.arrow in its order.
 */
export async function readSample(o: { dataDir?: string; predictionsDir?: string; pixelsDir?: string; sampleImages: number; featurePoints: number; seed: number }): Promise<Sample> {
  const { classNames, shape, train, test, predictions } = await readInputs(o.dataDir, o.predictionsDir, o.sampleImages, o.featurePoints, { pixels: o.pixelsDir !== undefined });
  const pixelWidth = shape ? shape.height * shape.width * shape.channels : 0;
  const featureWidth = predictions?.features ? predictions.featureWidth : 0;
  const sources = SOURCES.filter((s) => (s === 'pixels' ? shape !== undefined : predictions?.features !== undefined));

  // The tutorial's embedding: select_n_random(trainset.data, trainset.targets), features = images.view(-1, 28*28).
  const trainRows = train ? sampleRows(train.count, o.sampleImages, deriveSeed(o.seed, 'train-sample')) : new Uint32Array(0);
  const trainPixels = new Float32Array(trainRows.length * pixelWidth);
  for (let i = 0; i < trainRows.length; i++) {
    const src = train!.images.subarray(trainRows[i] * pixelWidth, (trainRows[i] + 1) * pixelWidth);
    for (let j = 0; j < pixelWidth; j++) trainPixels[i * pixelWidth + j] = src[j];
  }

  // Sampled predictions (sorted by prediction row) and the same test images' pixels.
  const picks = sampleRows(predictions ? predictions.count : test!.count, o.featurePoints, deriveSeed(o.seed, 'test-sample'), { sorted: true });
  const n = picks.length;
  const testRows = new Uint32Array(n);
  const labels = new Uint16Array(n);
  const predicted = new Uint16Array(n);
  const features = new Float32Array(n * featureWidth);
  const pixels = new Float32Array(n * pixelWidth);
  const pixelBytes = new Uint8Array(n * pixelWidth);
  for (let i = 0; i < n; i++) {
    const p = picks[i];
    testRows[i] = predictions ? predictions.index[p] : p;
    labels[i] = predictions ? predictions.label[p] : test!.labels[p];
    if (predictions) predicted[i] = predictions.predicted[p];
    if (predictions?.features) features.set(predictions.features.subarray(p * featureWidth, (p + 1) * featureWidth), i * featureWidth);
    if (test) {
      const img = test.images.subarray(testRows[i] * pixelWidth, (testRows[i] + 1) * pixelWidth);
      pixelBytes.set(img, i * pixelWidth);
      for (let j = 0; j < pixelWidth; j++) pixels[i * pixelWidth + j] = img[j] / 255;
    }
  }
  return { classNames, sources, shape, pixelWidth, featureWidth, featureLayer: predictions?.featureLayer, train, test, trainRows, trainPixels, testRows, labels, predicted, features, pixels, pixelBytes };
}
