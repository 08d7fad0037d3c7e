/**
 * A tiny, learnable stand-in for FashionMNIST written in the ingest stage's exact format (`train.arrow` via
 * ingest's own writer + a `tbpipe.ingest/v2` manifest): class c is dim noise plus a bright 6×6 square at a
 * position that depends on c, so even a linear model's loss falls within a few dozen steps.
 */
import { createRandom, writeManifest } from '@tbpipe/core';
import { INGEST_CONTRACT } from '@tbpipe/ingest/contract';
import { writeImages } from '@tbpipe/ingest';
import { join } from 'node:path';

export const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

export async function writeSyntheticIngest(dir: string, count = 64, seed = 1): Promise<void> {
  const random = createRandom(seed);
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const c = n % 10;
    labels[n] = c;
    for (let j = 0; j < 784; j++) images[n * 784 + j] = Math.floor(random() * 60);
    const top = 2 + 10 * Math.floor(c / 4);
    const left = 2 + 6 * (c % 4);
    for (let y = top; y < top + 6; y++) for (let x = left; x < left + 6; x++) images[n * 784 + y * 28 + x] = 200 + Math.floor(random() * 55);
  }
  await writeImages(join(dir, 'train.arrow'), { images, labels, classNames: CLASS_NAMES, count }, 'fashion-mnist');
  await writeManifest(dir, 'tbpipe.ingest/v2', ['train.arrow']);
}
