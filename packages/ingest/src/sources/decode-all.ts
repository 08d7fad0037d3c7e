import { availableParallelism } from 'node:os';
import { createProgress, silentLogger, type Logger } from '@tbpipe/core';
import type { ImageShape } from '../contract.ts';
import { decodeImage, probeImage } from '../decode.ts';
import { SourceError } from '../errors.ts';

/** One encoded image to decode: a file path or its bytes, a name for messages, and its class index. */
export interface EncodedItem {
  /** What the user would look for: a path relative to the folder, or `row 12` of a table. */
  name: string;
  input: Uint8Array | string;
  label: number;
}

/** An image that could not be decoded and was left out. */
export interface SkippedImage {
  name: string;
  reason: string;
}

/** Every decoded image, in the items' order, minus the skipped ones. */
export interface DecodedSet {
  shape: ImageShape;
  /** `count × H × W × C`, row-major HWC. */
  pixels: Uint8Array;
  labels: Uint16Array;
  count: number;
  skipped: SkippedImage[];
}

export interface DecodeAllOptions {
  /** `folder` or `table`: the first word of every message. */
  domain: string;
  /** Resize every image to this; without it, every image must have the first one's size. */
  imageSize?: { height: number; width: number };
  /** 1 or 3; default the first image's. */
  channels?: 1 | 3;
  /** Stop at the first unreadable image instead of skipping it. */
  strict: boolean;
  /** What the progress bar counts, e.g. `folder train`. */
  progressLabel: string;
  logger?: Logger;
  /** The shape to use instead of probing (the test split takes the training split's). */
  shape?: ImageShape;
}

// libvips reports over several lines ("Input file has corrupt header:\n  pngload: end of stream"): keep one.
const reasonOf = (err: unknown) =>
  (err instanceof Error ? err.message : String(err))
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .replace(/[.:]$/, '');
const unreadable = (domain: string, name: string, reason: string) =>
  `${domain}: cannot decode ${name} (${reason}), expected a PNG, JPEG or WebP image; fix or remove it, or drop --strict to skip unreadable images`;
const otherSize = (domain: string, name: string, got: ImageShape, want: ImageShape, first: string) =>
  `${domain}: ${name} is ${got.height}×${got.width}, expected ${want.height}×${want.width} like ${first} (the first image); pass --image-size HxW to resize every image`;
const nothingReadable = (domain: string, label: string, count: number) =>
  `${domain}: none of the ${count} images of ${label} could be decoded, expected at least one PNG, JPEG or WebP image; check the files`;

/**
 * Find the shape: `imageSize` and `channels` where given, the first decodable image's own size and channels for the
 * rest. Images that cannot even be probed before it are skipped (or, with `strict`, an error).
 */
async function findShape(items: readonly EncodedItem[], o: DecodeAllOptions, skipped: SkippedImage[]): Promise<{ shape: ImageShape; first: string }> {
  for (const item of items) {
    try {
      const own = await probeImage(item.input);
      const shape = { height: o.imageSize?.height ?? own.height, width: o.imageSize?.width ?? own.width, channels: o.channels ?? own.channels };
      return { shape, first: item.name };
    } catch (err) {
      if (o.strict) throw new SourceError('IMAGE_UNREADABLE', unreadable(o.domain, item.name, reasonOf(err)), { cause: err });
      skipped.push({ name: item.name, reason: reasonOf(err) });
    }
  }
  throw new SourceError('IMAGE_UNREADABLE', nothingReadable(o.domain, o.progressLabel, items.length));
}

/**
 * Decode every item with sharp, a few at a time (libvips works on the libuv pool), into one pixel buffer. Unreadable
 * images are skipped and listed (with `strict`, the first one is an error); an image of another size than the first
 * is an error unless `imageSize` resizes them all. Nothing is written anywhere.
 * @throws {SourceError} `IMAGE_UNREADABLE`, `IMAGE_SIZE_MISMATCH`.
 */
export async function decodeAll(items: readonly EncodedItem[], o: DecodeAllOptions): Promise<DecodedSet> {
  const skipped: SkippedImage[] = [];
  const { shape, first } = o.shape ? { shape: o.shape, first: 'the training split' } : await findShape(items, o, skipped);
  const rowBytes = shape.height * shape.width * shape.channels;
  const pixels = new Uint8Array(items.length * rowBytes);
  const ok = new Uint8Array(items.length);
  const skippedAt = new Map<number, SkippedImage>();
  const already = new Set(skipped.map((s) => s.name));
  const progress = createProgress({ label: o.progressLabel, total: Math.max(items.length, 1), unit: 'images', logger: o.logger ?? silentLogger });
  const size = o.imageSize ? { height: shape.height, width: shape.width } : undefined;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      if (already.has(item.name)) continue;
      let decoded;
      try {
        decoded = await decodeImage(item.input, shape.channels as 1 | 3, size);
      } catch (err) {
        if (o.strict) throw new SourceError('IMAGE_UNREADABLE', unreadable(o.domain, item.name, reasonOf(err)), { cause: err });
        skippedAt.set(i, { name: item.name, reason: reasonOf(err) });
        continue;
      }
      if (decoded.height !== shape.height || decoded.width !== shape.width) {
        throw new SourceError('IMAGE_SIZE_MISMATCH', otherSize(o.domain, item.name, decoded, shape, first));
      }
      pixels.set(decoded.pixels, i * rowBytes);
      ok[i] = 1;
      progress.update(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(4, 2 * availableParallelism()) }, worker));
  progress.done();
  // Skipped images, in the items' order after those skipped while probing.
  for (let i = 0; i < items.length; i++) if (skippedAt.has(i)) skipped.push(skippedAt.get(i)!);
  const count = ok.reduce((s, x) => s + x, 0);
  if (count === 0 && items.length > 0) throw new SourceError('IMAGE_UNREADABLE', nothingReadable(o.domain, o.progressLabel, items.length));
  const labels = new Uint16Array(count);
  // Close the gaps the skipped images left, in place.
  for (let i = 0, k = 0; i < items.length; i++) {
    if (!ok[i]) continue;
    if (k !== i) pixels.copyWithin(k * rowBytes, i * rowBytes, (i + 1) * rowBytes);
    labels[k++] = items[i]!.label;
  }
  return { shape, pixels: pixels.subarray(0, count * rowBytes), labels, count, skipped };
}
