import { join } from 'node:path';
import { verifyManifest } from '@tbpipe/core';
import { readPredictions } from '@tbpipe/evaluate/contract';
import { readImages } from '@tbpipe/ingest/contract';
import { INPUT_CONTRACTS, INPUT_FILES } from './contract.ts';
import { EmptyInputError, SampleTooLargeError, WidthMismatchError } from './errors.ts';

/** Everything this stage reads from upstream, checked once at this boundary. */
export interface ProjectInputs {
  classNames: string[];
  train: { images: Uint8Array; labels: Uint16Array; count: number };
  test: { images: Uint8Array; labels: Uint16Array; count: number };
  predictions: { count: number; index: Uint32Array; label: Uint8Array; predicted: Uint8Array; features: Float32Array };
}

/**
 * Verify both upstream manifests (contract id and every file's sha256), read the training and test images and the
 * predictions, and check that the requested samples fit: `sampleImages` ≤ training images, `featurePoints` ≤
 * predicted test images, predictions pointing at existing test rows.
 */
export async function readInputs(dataDir: string, predictionsDir: string, sampleImages: number, featurePoints: number): Promise<ProjectInputs> {
  await verifyManifest(dataDir, INPUT_CONTRACTS.ingest);
  await verifyManifest(predictionsDir, INPUT_CONTRACTS.evaluate);
  const trainPath = join(dataDir, INPUT_FILES.train);
  const testPath = join(dataDir, INPUT_FILES.test);
  const predictionsPath = join(predictionsDir, INPUT_FILES.predictions);
  const train = await readImages(trainPath);
  const test = await readImages(testPath);
  const predictions = await readPredictions(predictionsPath);
  // The readers checked the schemas, so rows are 784 pixels and 84 features wide.
  for (const [set, path] of [[train, trainPath], [test, testPath]] as const) {
    if (set.count === 0) throw new EmptyInputError('images', path);
  }
  if (predictions.count === 0) throw new EmptyInputError('predictions', predictionsPath);
  if (sampleImages > train.count) throw new SampleTooLargeError('training images', 'sample-images', sampleImages, train.count, trainPath);
  if (featurePoints > predictions.count) throw new SampleTooLargeError('predictions', 'feature-points', featurePoints, predictions.count, predictionsPath);
  for (let i = 0; i < predictions.count; i++) {
    if (predictions.index[i] >= test.count) {
      throw new WidthMismatchError(`row index ${predictions.index[i]} of predictions`, predictions.index[i], test.count - 1, predictionsPath);
    }
  }
  return { classNames: test.classNames, train, test, predictions };
}
