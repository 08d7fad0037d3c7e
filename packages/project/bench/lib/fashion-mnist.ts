import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

/** Where Debian's `dataset-fashion-mnist` puts the gz IDX files; override with FASHION_MNIST_DIR. */
export const FASHION_MNIST_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/** The bench reads IDX directly (16-byte image header, 8-byte label header) so it depends on no other stage. */
export function readFashionMnist(split: 'train' | 't10k', limit = Infinity, dir = FASHION_MNIST_DIR): { images: Uint8Array; labels: Uint8Array; count: number } {
  const images = gunzipSync(readFileSync(join(dir, `${split}-images-idx3-ubyte.gz`)));
  const labels = gunzipSync(readFileSync(join(dir, `${split}-labels-idx1-ubyte.gz`)));
  if (images.readUInt32BE(0) !== 0x803 || labels.readUInt32BE(0) !== 0x801) throw new Error(`bad IDX magic in ${dir}`);
  const count = Math.min(images.readUInt32BE(4), limit);
  return {
    images: new Uint8Array(images.subarray(16, 16 + count * 784)),
    labels: new Uint8Array(labels.subarray(8, 8 + count)),
    count,
  };
}

/** Pixels scaled to [0, 1], row-major n × 784 Float32. */
export function toUnitFloats(images: Uint8Array): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = images[i] / 255;
  return out;
}
