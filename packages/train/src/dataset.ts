import { verifyManifest } from '@tbpipe/core';
import { INGEST_CONTRACT, readImages, TRAIN_FILE } from '@tbpipe/ingest/contract';
import { join } from 'node:path';
import { NORMALIZE_LUT } from './normalize.ts';

/** The training split in memory: raw pixels (normalised per batch, never all at once), labels and the image shape. */
export interface TrainingSet {
  /** count × H × W × C uint8 pixels, row-major HWC. */
  images: Uint8Array;
  labels: Uint16Array;
  height: number;
  width: number;
  channels: number;
  /** H × W × C: bytes (and floats) per image. */
  pixels: number;
  classNames: string[];
  count: number;
  /** sha256 of `train.arrow` from the ingest manifest: identifies the data in checkpoints and `run.json`. */
  sha256: string;
}

/** Verify the ingest directory's manifest (contract + hashes), then read `train.arrow`. */
export async function readTrainingSet(dataDir: string): Promise<TrainingSet> {
  const manifest = await verifyManifest(dataDir, INGEST_CONTRACT);
  const { images, labels, classNames, count, height, width, channels } = await readImages(join(dataDir, TRAIN_FILE));
  const pixels = height * width * channels;
  return { images, labels, classNames, count, height, width, channels, pixels, sha256: manifest.files[TRAIN_FILE]?.sha256 ?? '' };
}

/**
 * One reusable mini-batch: float32 NHWC images in [-1, 1] (every channel normalised as torchvision's
 * `Normalize((0.5,) * C, (0.5,) * C)` does) and int32 labels, refilled in place each step from the
 * uint8 pixels through a lookup table.
 * N.B. batches are built here from typed-array views, never sliced out of one big tensor inside the step: on tfjs's
 * wasm backend, Slice copies the whole source and the backward pass clones it again (45× slower, docs/measurements.md §B).
 * The engine must therefore not keep `images`/`labels` after `trainStep` returns: the next fill overwrites them.
 */
export class BatchBuffer {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  /** Rows filled by the last {@link fill}; the last batch of an epoch may be short. */
  size = 0;

  constructor(
    readonly capacity: number,
    /** Floats per image (H × W × C). */
    readonly pixels: number,
  ) {
    this.images = new Float32Array(capacity * pixels);
    this.labels = new Int32Array(capacity);
  }

  /** Fill with the images `order[start]`, `order[start + 1]`, … (at most `capacity`, stopping at the order's end). */
  fill(data: TrainingSet, order: Uint32Array, start: number): this {
    const n = Math.min(this.capacity, order.length - start);
    const { images, labels } = data;
    const pixels = this.pixels;
    // Locals, not `this.images` in the inner loop: 15 000 fills (an epoch) 189 vs 228 ms CPU, 8 alternated rounds, load 8.
    const out = this.images;
    const lut = NORMALIZE_LUT;
    for (let k = 0; k < n; k++) {
      const index = order[start + k]!;
      const src = index * pixels;
      const dst = k * pixels;
      for (let j = 0; j < pixels; j++) out[dst + j] = lut[images[src + j]!]!;
      this.labels[k] = labels[index]!;
    }
    this.size = n;
    return this;
  }

  /** Views of the filled rows (no copy). */
  view(): { images: Float32Array; labels: Int32Array } {
    return this.size === this.capacity
      ? { images: this.images, labels: this.labels }
      : { images: this.images.subarray(0, this.size * this.pixels), labels: this.labels.subarray(0, this.size) };
  }
}
