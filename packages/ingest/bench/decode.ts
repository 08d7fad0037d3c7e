// Image decoding for `--source folder` / `--source table`: sharp (prebuilt libvips) vs @napi-rs/canvas (Skia), on the
// same encoded files held in memory, each decoding to raw pixels and resizing to one size, interleaved per round.
//
//   node --import tsx packages/ingest/bench/decode.ts --dir <folder of images, searched recursively> [--n 5000]
//       [--rounds 3] [--size 28x28] [--channels 1]
//
// Make a folder with `npx tsx scripts/make-image-folder.ts --out /tmp/fmnist-png` (70 000 RGB 32×32 PNGs).
import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import sharp from 'sharp';
import { decodeImage } from '../src/decode.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    n: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    size: { type: 'string', default: '28x28' },
    channels: { type: 'string', default: '1' },
  },
});
if (!values.dir) throw new Error('--dir <folder of images> is required');
const [height, width] = values.size.split('x').map(Number) as [number, number];
const channels = Number(values.channels) as 1 | 3;

async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(png|jpe?g|webp)$/i.test(entry.name)) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

const paths = (await listImages(values.dir)).slice(0, Number(values.n));
const files = await Promise.all(paths.map((p) => readFile(p)));
const megabytes = files.reduce((s, f) => s + f.length, 0) / 1e6;

/** sharp, `inFlight` images at once (libvips runs each on the libuv pool). */
async function withSharp(inFlight: number): Promise<number> {
  let next = 0;
  let checksum = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < files.length) {
        const file = files[next++]!;
        let image = sharp(file).resize(width, height, { fit: 'fill' }).removeAlpha();
        if (channels === 1) image = image.toColourspace('b-w');
        const data = await image.raw().toBuffer();
        checksum += data[0]!;
      }
    }),
  );
  return checksum;
}

/** The ingest module's decoder (sharp underneath), as `--source folder` calls it. */
async function withDecodeImage(inFlight: number): Promise<number> {
  let next = 0;
  let checksum = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < files.length) {
        const { pixels } = await decodeImage(files[next++]!, channels, { height, width });
        checksum += pixels[0]!;
      }
    }),
  );
  return checksum;
}

/** @napi-rs/canvas: decode with loadImage, draw scaled, read RGBA back, convert. */
async function withCanvas(): Promise<number> {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  let checksum = 0;
  for (const file of files) {
    const image = await loadImage(file);
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(image, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const out = new Uint8Array(width * height * channels);
    for (let p = 0; p < width * height; p++) {
      if (channels === 1) out[p] = Math.round(0.2126 * rgba[p * 4]! + 0.7152 * rgba[p * 4 + 1]! + 0.0722 * rgba[p * 4 + 2]!);
      else for (let c = 0; c < 3; c++) out[p * 3 + c] = rgba[p * 4 + c]!;
    }
    checksum += out[0]!;
  }
  return checksum;
}

const cases: Array<[string, () => Promise<number>]> = [
  ['sharp, 1 in flight', () => withSharp(1)],
  [`sharp, ${2 * availableParallelism()} in flight`, () => withSharp(2 * availableParallelism())],
  [`ingest decodeImage (sharp), ${2 * availableParallelism()} in flight`, () => withDecodeImage(2 * availableParallelism())],
  ['@napi-rs/canvas loadImage + drawImage + getImageData', () => withCanvas()],
];
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
console.log(`${files.length} files (${megabytes.toFixed(1)} MB) from ${values.dir} → ${height}×${width}×${channels}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, run] of cases) {
    const start = performance.now();
    await run();
    times.get(name)!.push(performance.now() - start);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, ms] of times) {
  const m = median(ms);
  console.log(`${name.padEnd(56)} median ${m.toFixed(0).padStart(6)} ms  ${((files.length / m) * 1000).toFixed(0).padStart(6)} images/s`);
}
console.log(`load after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

// What each does with a damaged file: the first file cut in half, and with 200 bytes missing at the end.
for (const [what, bytes] of [['cut in half', files[0]!.subarray(0, files[0]!.length >> 1)], ['last 200 bytes missing', files[0]!.subarray(0, files[0]!.length - 200)]] as const) {
  const sharpSays = await decodeImage(bytes, channels, { height, width }).then(() => 'decoded, no error', (e: Error) => `error: ${e.message}`);
  const canvasSays = await loadImage(bytes).then(() => 'decoded, no error', (e: Error) => `error: ${e.message}`);
  console.log(`${paths[0]} ${what}: sharp ${sharpSays}; @napi-rs/canvas ${canvasSays}`);
}
