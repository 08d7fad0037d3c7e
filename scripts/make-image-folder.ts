// Writes FashionMNIST as a folder of image files in the layout of torchvision's ImageFolder:
//   <out>/train/<class>/<index>.png   <out>/test/<class>/<index>.png
// RGB (each image tinted with a hue that follows its index, not its class) and resized (default 32×32) with sharp,
// so `tbpipe-ingest --source folder` is exercised on real, non-tutorial-shaped images.
//
//   npx tsx scripts/make-image-folder.ts --out data/fashion-mnist-folder [--limit 100] [--size 32x32] [--grey]
//       [--format png|jpeg|webp] [--data <dir with the four IDX files>]
//
// The same input gives byte-identical files (sharp's encoders are deterministic for one libvips version).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeIdxImages, decodeIdxLabels, FASHION_MNIST_CLASSES, IDX_FILES } from '@tbpipe/ingest';

/** The Debian package's directory; `FASHION_MNIST_DIR` or `--data` win. */
export const DEFAULT_DATA_DIR = process.env.FASHION_MNIST_DIR || '/usr/share/datasets/fashion-mnist';

/** One split of FashionMNIST, cut to `limit` images. */
export interface IdxSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

async function readIdx(dir: string, name: string): Promise<Uint8Array> {
  for (const [file, gz] of [[`${name}.gz`, true], [name, false]] as const) {
    const bytes = await readFile(join(dir, file)).catch(() => undefined);
    if (bytes) return gz ? gunzipSync(bytes) : bytes;
  }
  throw new Error(`make-image-folder: no ${name}(.gz) in ${dir}, expected FashionMNIST's IDX files; pass --data <dir>`);
}

/** Read the train or test split from an IDX directory, keeping the first `limit` images. */
export async function readFashionMnist(dir: string, split: 'train' | 'test', limit = Infinity): Promise<IdxSplit> {
  const prefix = split === 'train' ? 'train' : 'test';
  const images = decodeIdxImages(await readIdx(dir, IDX_FILES[`${prefix}Images`]), IDX_FILES[`${prefix}Images`]);
  const labels = decodeIdxLabels(await readIdx(dir, IDX_FILES[`${prefix}Labels`]), IDX_FILES[`${prefix}Labels`]);
  const count = Math.min(images.count, limit);
  const size = images.height * images.width;
  return { pixels: images.pixels.subarray(0, count * size), labels: labels.subarray(0, count), count, height: images.height, width: images.width };
}

/** A folder name for a class: FashionMNIST's `T-shirt/top` cannot be one, so `/` becomes `-`. */
export function classFolderName(name: string): string {
  return name.replace(/[/\\]/g, '-');
}

/** Image `i` as RGB: grey scaled by a tint whose hue follows the golden ratio through the indices. */
export function tinted(grey: Uint8Array, i: number): Uint8Array {
  const hue = (i * 0.618033988749895) % 1;
  const k = (n: number) => (n + hue * 6) % 6;
  // HSV (h, s = 0.5, v = 1) → RGB
  const channel = (n: number) => 1 - 0.5 * Math.max(0, Math.min(k(n), 4 - k(n), 1));
  const tint = [channel(5), channel(3), channel(1)];
  const out = new Uint8Array(grey.length * 3);
  for (let p = 0; p < grey.length; p++) {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(grey[p]! * tint[c]!);
  }
  return out;
}

export interface RenderOptions {
  height: number;
  width: number;
  grey: boolean;
  format: 'png' | 'jpeg' | 'webp';
}

/** Encode image `i` of `split`: tinted (unless grey), resized, in `format`. */
export async function renderImage(split: IdxSplit, i: number, o: RenderOptions): Promise<Buffer> {
  const size = split.height * split.width;
  const grey = split.pixels.subarray(i * size, (i + 1) * size);
  const channels = o.grey ? 1 : 3;
  const raw = o.grey ? grey : tinted(grey, i);
  let image = sharp(raw, { raw: { width: split.width, height: split.height, channels } });
  // Without this, sharp writes a 1-channel raw input as an RGB file.
  if (o.grey) image = image.toColourspace('b-w');
  if (o.height !== split.height || o.width !== split.width) image = image.resize(o.width, o.height, { fit: 'fill' });
  if (o.format === 'jpeg') return image.jpeg({ quality: 90 }).toBuffer();
  if (o.format === 'webp') return image.webp({ lossless: true }).toBuffer();
  return image.png().toBuffer();
}

/** Parse `HxW` (or one number for a square). */
export function parseSize(text: string): { height: number; width: number } {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text);
  if (!m) throw new Error(`--size is "${text}", expected HxW such as 32x32`);
  return { height: Number(m[1]), width: Number(m[2] ?? m[1]) };
}

/** Run `task` over 0…n-1 with at most `limit` at once. */
export async function inBatches(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await task(next++);
  }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      data: { type: 'string', default: DEFAULT_DATA_DIR },
      limit: { type: 'string' },
      size: { type: 'string', default: '32x32' },
      grey: { type: 'boolean', default: false },
      format: { type: 'string', default: 'png' },
    },
  });
  if (!values.out) throw new Error('--out <dir> is required');
  if (!['png', 'jpeg', 'webp'].includes(values.format)) throw new Error(`--format is "${values.format}", expected png, jpeg or webp`);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  const o: RenderOptions = { ...parseSize(values.size), grey: values.grey, format: values.format as RenderOptions['format'] };
  const ext = o.format === 'jpeg' ? 'jpg' : o.format;
  await rm(values.out, { recursive: true, force: true });
  for (const splitName of ['train', 'test'] as const) {
    const split = await readFashionMnist(values.data, splitName, limit);
    // Only the classes that occur get a folder: an empty class folder is an error for ingest (as for ImageFolder).
    for (const label of new Set(split.labels)) await mkdir(join(values.out, splitName, classFolderName(FASHION_MNIST_CLASSES[label]!)), { recursive: true });
    const digits = String(split.count - 1).length;
    await inBatches(split.count, 8, async (i) => {
      const folder = classFolderName(FASHION_MNIST_CLASSES[split.labels[i]!]!);
      await writeFile(join(values.out!, splitName, folder, `${String(i).padStart(digits, '0')}.${ext}`), await renderImage(split, i, o));
    });
    console.log(`${splitName}: ${split.count} ${o.format} images of ${o.height}×${o.width}×${o.grey ? 1 : 3} in ${join(values.out, splitName)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => {
    console.error(`make-image-folder: ${err.message}`);
    process.exit(1);
  });
}
