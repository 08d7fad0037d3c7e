/**
 * A learnable image set of any shape and class count in the ingest stage's format (images v2 + manifest): class c
 * is dim noise plus a bright square at a class-dependent place (and, with 3 channels, a class-dependent colour).
 */
import { createRandom, writeManifest } from '@tbpipe/core';
import { writeImages } from '@tbpipe/ingest';
import { INGEST_CONTRACT } from '@tbpipe/ingest/contract';
import { join } from 'node:path';

export interface SyntheticShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
  count: number;
}

export async function writeSyntheticShapedIngest(dir: string, s: SyntheticShape, seed = 1): Promise<void> {
  const random = createRandom(seed);
  const { height: H, width: W, channels: C, classes: K, count } = s;
  const images = new Uint8Array(count * H * W * C);
  const labels = new Uint16Array(count);
  const side = Math.max(2, Math.floor(Math.min(H, W) / 4));
  for (let n = 0; n < count; n++) {
    const c = n % K;
    labels[n] = c;
    const base = n * H * W * C;
    for (let j = 0; j < H * W * C; j++) images[base + j] = Math.floor(random() * 60);
    const top = (c * 7) % (H - side);
    const left = (c * 5) % (W - side);
    for (let y = top; y < top + side; y++)
      for (let x = left; x < left + side; x++)
        for (let ch = 0; ch < C; ch++) images[base + (y * W + x) * C + ch] = C === 3 && ch === c % 3 ? 60 : 200 + Math.floor(random() * 55);
  }
  const classNames = Array.from({ length: K }, (_, k) => `class ${k}`);
  await writeImages(join(dir, 'train.arrow'), { images, labels, classNames, count, height: H, width: W, channels: C }, 'synthetic');
  await writeManifest(dir, INGEST_CONTRACT, ['train.arrow']);
}
