import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createRandom } from '@tbpipe/core';
import { checkChannels, classNamesOption, parseImageSize } from '../class-names.ts';
import { MAX_IMAGE_SIDE, type ImageShape } from '../contract.ts';
import { SourceError } from '../errors.ts';
import { pickSplit, stratifiedSplit } from '../split.ts';
import { decodeAll, type DecodedSet, type EncodedItem, type SkippedImage } from './decode-all.ts';
import type { LoadedData, SourceOptions } from './loaded.ts';
import { readTableFile, type ReadTable } from './table-read.ts';

/** The schema metadata key under which Hugging Face `datasets` stores its features (JSON). */
export const HF_METADATA_KEY = 'huggingface';

const TABLE_EXTENSIONS = ['.parquet', '.arrow', '.feather', '.ipc'];
const PIXEL_COLUMN = /^pixel_?(\d+)$/i;

/** One input file and the split it feeds (`undefined`: the split column or --test-fraction decides). */
interface TableFile {
  path: string;
  split?: 'train' | 'test';
}

/** The rows of one or more files, concatenated, with where each row came from. */
interface Rows {
  image: unknown[];
  label: unknown[];
  split: unknown[] | undefined;
  /** `row 12 of train.parquet`, for messages. */
  where: (i: number) => string;
  /** The directory a `{path}`-only image is relative to. */
  baseOf: (i: number) => string;
  /** Split by file, when the input was a folder of train* and test* files. */
  fileSplit: Array<'train' | 'test' | undefined>;
}

/** The files `--path` names: itself, or in a folder every table file under a `train*` or `test*` name or folder. */
async function tableFiles(path: string): Promise<TableFile[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new SourceError('SOURCE_PATH', `table: --path ${path} cannot be read (${err.code ?? 'unreadable'}), expected an Arrow IPC or Parquet file; check the path`, { cause: err });
  });
  if (!info.isDirectory()) return [{ path }];
  const out: TableFile[] = [];
  for (const entry of (await readdir(path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const file = join(entry.parentPath, entry.name);
    if (!TABLE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) continue;
    const parts = relative(path, file).split(sep).map((p) => p.toLowerCase());
    const split = parts.some((p) => p.startsWith('train')) ? 'train' : parts.some((p) => p.startsWith('test')) ? 'test' : undefined;
    if (split) out.push({ path: file, split });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : 1));
  if (!out.some((f) => f.split === 'train') || !out.some((f) => f.split === 'test')) {
    throw new SourceError(
      'SOURCE_PATH',
      `table: --path ${path} is a folder without both train* and test* table files (${TABLE_EXTENSIONS.join(', ')}), expected e.g. data/train-00000-of-00001.parquet and data/test-00000-of-00001.parquet; or point --path at one file`,
    );
  }
  return out;
}

/** Class names from the Hugging Face metadata: `info.features.<label>.names` (a ClassLabel feature). */
export function huggingFaceClassNames(metadata: Map<string, string>, labelColumn: string): string[] | undefined {
  const text = metadata.get(HF_METADATA_KEY);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { info?: { features?: Record<string, { names?: unknown }> }; features?: Record<string, { names?: unknown }> };
    const names = (parsed.info?.features ?? parsed.features)?.[labelColumn]?.names;
    return Array.isArray(names) && names.length > 0 && names.every((n) => typeof n === 'string') ? (names as string[]) : undefined;
  } catch {
    return undefined;
  }
}

const missingColumn = (path: string, column: string, columns: string[], flag: string, what: string) =>
  new SourceError(
    'SOURCE_COLUMN',
    `table: ${path} has no column "${column}" (it has ${columns.map((c) => `"${c}"`).join(', ') || 'none'}), expected the ${what} column; name it with ${flag}`,
  );

/** Read every file's image, label and split columns. */
async function readRows(files: TableFile[], o: SourceOptions): Promise<{ rows: Rows; tables: ReadTable[]; pixelColumns?: string[]; splitColumn?: string }> {
  const rows: Rows = { image: [], label: [], split: undefined, where: () => '', baseOf: () => '', fileSplit: [] };
  const starts: number[] = [];
  const tables: ReadTable[] = [];
  let pixelColumns: string[] | undefined;
  let splitColumn: string | undefined;
  for (const file of files) {
    const table = await readTableFile(file.path);
    tables.push(table);
    // Raw pixel columns (pixel1 … pixelN, the layout of Kaggle's FashionMNIST CSV) stand in for a missing image column.
    let pixels: string[] | undefined;
    if (!table.columns.includes(o.imageColumn)) {
      pixels = table.columns.filter((c) => PIXEL_COLUMN.test(c)).sort((a, b) => Number(PIXEL_COLUMN.exec(a)![1]) - Number(PIXEL_COLUMN.exec(b)![1]));
      if (pixels.length === 0) throw missingColumn(file.path, o.imageColumn, table.columns, '--image-column', 'image');
      if (pixelColumns && pixelColumns.join() !== pixels.join()) throw missingColumn(file.path, o.imageColumn, table.columns, '--image-column', 'image');
      pixelColumns = pixels;
    }
    if (!table.columns.includes(o.labelColumn)) throw missingColumn(file.path, o.labelColumn, table.columns, '--label-column', 'label');
    const split = o.splitColumn ?? (table.columns.includes('split') && !file.split ? 'split' : undefined);
    if (split !== undefined && !table.columns.includes(split)) throw missingColumn(file.path, split, table.columns, '--split-column', 'split');
    if (split !== undefined) splitColumn = split;
    const values = await table.read([...(pixels ?? [o.imageColumn]), o.labelColumn, ...(split ? [split] : [])]);
    starts.push(rows.image.length);
    if (pixels) {
      const columns = pixels.map((c) => values.get(c)!);
      for (let i = 0; i < table.rows; i++) rows.image.push(columns.map((col) => col[i]));
    } else {
      rows.image.push(...values.get(o.imageColumn)!);
    }
    rows.label.push(...values.get(o.labelColumn)!);
    if (split) (rows.split ??= new Array(starts.at(-1)).fill(undefined)).push(...values.get(split)!);
    else if (rows.split) rows.split.push(...new Array(table.rows).fill(undefined));
    rows.fileSplit.push(...new Array<'train' | 'test' | undefined>(table.rows).fill(file.split));
  }
  const fileOf = (i: number) => {
    let k = starts.length - 1;
    while (k > 0 && starts[k]! > i) k--;
    return k;
  };
  rows.where = (i) => {
    const k = fileOf(i);
    return `row ${i - starts[k]!} of ${files[k]!.path}`;
  };
  rows.baseOf = (i) => dirname(files[fileOf(i)]!.path);
  return { rows, tables, pixelColumns, splitColumn };
}

/** The class index of every row, and the class names: from the options, the Hugging Face metadata, or the labels. */
async function labelsOf(rows: Rows, tables: ReadTable[], o: SourceOptions, path: string): Promise<{ labels: Uint16Array; classNames: string[]; from: string }> {
  const given = await classNamesOption(o);
  const fromMetadata = huggingFaceClassNames(tables[0]!.metadata, o.labelColumn);
  const strings = rows.label.every((l) => typeof l === 'string');
  let classNames: string[];
  let from: string;
  if (given) [classNames, from] = [given, o.classNames !== undefined ? '--class-names' : '--class-names-file'];
  else if (strings) [classNames, from] = [[...new Set(rows.label as string[])].sort(), `the distinct values of "${o.labelColumn}"`];
  else if (fromMetadata) [classNames, from] = [fromMetadata, `the ClassLabel names in the "${HF_METADATA_KEY}" metadata`];
  else {
    const max = rows.label.reduce<number>((m, l) => (typeof l === 'number' && Number.isInteger(l) && l > m ? l : m), 0);
    [classNames, from] = [Array.from({ length: max + 1 }, (_, i) => String(i)), 'the label values (no class names in the table; give them with --class-names)'];
  }
  const labels = new Uint16Array(rows.label.length);
  for (let i = 0; i < rows.label.length; i++) {
    const value = rows.label[i];
    const index = typeof value === 'string' ? classNames.indexOf(value) : typeof value === 'number' && Number.isInteger(value) ? value : -2;
    if (index < 0 || index >= classNames.length) {
      const expected = typeof value === 'string' ? `one of the ${classNames.length} class names from ${from}` : `an integer 0…${classNames.length - 1} (${classNames.length} class names from ${from})`;
      throw new SourceError('SOURCE_LABEL', `table: ${rows.where(i)} has label ${JSON.stringify(value ?? null)} in column "${o.labelColumn}", expected ${expected}; fix the row or the class names`);
    }
    labels[i] = index;
  }
  if (classNames.length < 2) {
    throw new SourceError('SOURCE_ONE_CLASS', `table: ${path} has 1 class (${classNames[0]}) from ${from}, expected at least 2; a classifier needs two or more classes`);
  }
  return { labels, classNames, from };
}

/** Which split each row goes to: its file's, its split column's (`train` / `test`), or the stratified draw. */
function splitRows(rows: Rows, labels: Uint16Array, classCount: number, splitColumn: string | undefined, o: SourceOptions): { train: Uint32Array; test: Uint32Array; how: unknown } {
  if (rows.fileSplit.every((s) => s !== undefined) || splitColumn !== undefined) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      const value = rows.fileSplit[i] ?? rows.split?.[i];
      if (value === 'train') train.push(i);
      else if (value === 'test') test.push(i);
      else {
        throw new SourceError(
          'SOURCE_SPLIT',
          `table: ${rows.where(i)} has ${JSON.stringify(value ?? null)} in column "${splitColumn}", expected "train" or "test"; filter the other rows out first, or drop the split column to split by --test-fraction`,
        );
      }
    }
    return { train: Uint32Array.from(train), test: Uint32Array.from(test), how: splitColumn ? { column: splitColumn } : 'files train*/test*' };
  }
  const { train, test } = stratifiedSplit(labels, classCount, o.testFraction, createRandom(o.seed));
  return { train, test, how: { testFraction: o.testFraction, seed: o.seed, stratified: true } };
}

const IMAGE_MAGIC: number[][] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x52, 0x49, 0x46, 0x46], // RIFF (WebP)
  [0x47, 0x49, 0x46, 0x38], // GIF
];
const isEncoded = (bytes: Uint8Array) => IMAGE_MAGIC.some((magic) => magic.every((b, i) => bytes[i] === b));

/** An image cell as encoded bytes or a file (`{bytes, path}`, bytes, a path string), or undefined if it holds raw pixels. */
function encodedInput(value: unknown, base: string): Uint8Array | string | undefined {
  if (value instanceof Uint8Array) return isEncoded(value) ? value : undefined;
  if (typeof value === 'string') return isAbsolute(value) ? value : join(base, value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { bytes, path } = value as { bytes?: unknown; path?: unknown };
    if (bytes instanceof Uint8Array) return bytes;
    if (typeof path === 'string' && path !== '') return isAbsolute(path) ? path : join(base, path);
  }
  return undefined;
}

/** Raw pixel rows (binary, lists or pixel columns) into one buffer, shaped by --image-size/--channels or as a square. */
function rawPixels(rows: Rows, o: SourceOptions, column: string): { pixels: Uint8Array; shape: ImageShape } {
  const first = rows.image[0];
  const length = first instanceof Uint8Array || Array.isArray(first) ? first.length : 0;
  const size = parseImageSize(o.imageSize);
  const channels = checkChannels(o.channels) ?? (size && length === size.height * size.width * 3 ? 3 : 1);
  const side = Math.round(Math.sqrt(length / channels));
  const shape = size ? { ...size, channels } : { height: side, width: side, channels };
  const rowBytes = shape.height * shape.width * shape.channels;
  if (length === 0 || rowBytes !== length || shape.height > MAX_IMAGE_SIDE || shape.width > MAX_IMAGE_SIDE) {
    throw new SourceError(
      'SOURCE_FORMAT',
      `table: column "${column}" holds raw pixel rows of ${length} values (${rows.where(0)}), expected H·W·C values matching --image-size and --channels (${shape.height}×${shape.width}×${shape.channels} = ${rowBytes}); pass --image-size HxW and --channels`,
    );
  }
  const pixels = new Uint8Array(rows.image.length * rowBytes);
  for (let i = 0; i < rows.image.length; i++) {
    const value = rows.image[i];
    const values = value instanceof Uint8Array || Array.isArray(value) ? (value as ArrayLike<unknown>) : undefined;
    if (!values || values.length !== rowBytes) {
      throw new SourceError('SOURCE_FORMAT', `table: ${rows.where(i)} has ${values ? `${values.length} values` : JSON.stringify(value ?? null)} in column "${column}", expected ${rowBytes} pixel values like row 0`);
    }
    for (let k = 0; k < rowBytes; k++) {
      const v = values[k];
      if (typeof v !== 'number' || !(v >= 0 && v <= 255)) {
        throw new SourceError('SOURCE_FORMAT', `table: ${rows.where(i)} has pixel value ${JSON.stringify(v ?? null)} at ${k} in column "${column}", expected 0…255`);
      }
      pixels[i * rowBytes + k] = v;
    }
  }
  return { pixels, shape };
}

/**
 * `--source table`: `--path` an Arrow IPC or Parquet file (or a folder of `train*` / `test*` files) in the layout
 * Hugging Face `datasets` publishes — an image column of `{bytes, path}` structs holding encoded PNG/JPEG, an integer
 * label column whose class names are in the schema metadata (`huggingface` → `info.features.<label>.names`) — or raw
 * pixels (a binary or list column of H·W·C values, or `pixel1…pixelN` columns). Rows split by the split column
 * (`train` / `test`), by file, or by `--test-fraction`.
 * @throws {SourceError} `SOURCE_PATH`, `SOURCE_FORMAT`, `SOURCE_COLUMN`, `SOURCE_LABEL`, `SOURCE_SPLIT`,
 *   `SOURCE_ONE_CLASS`, and decodeAll's `IMAGE_UNREADABLE` / `IMAGE_SIZE_MISMATCH`.
 */
export async function loadTable(o: SourceOptions): Promise<LoadedData> {
  if (o.path === undefined) throw new SourceError('SOURCE_PATH', 'table: no --path given, expected an Arrow IPC or Parquet file; pass --path FILE');
  const root = resolve(o.path);
  const files = await tableFiles(root);
  const { rows, tables, pixelColumns, splitColumn } = await readRows(files, o);
  const imageColumn = pixelColumns ? `${pixelColumns[0]}…${pixelColumns.at(-1)}` : o.imageColumn;
  if (rows.image.length === 0) throw new SourceError('SOURCE_NO_IMAGES', `table: ${o.path} has 0 rows, expected labelled images; check the file`);
  const { labels, classNames, from } = await labelsOf(rows, tables, o, o.path);
  const { train: trainRows, test: testRows, how } = splitRows(rows, labels, classNames.length, splitColumn, o);

  const firstInput = encodedInput(rows.image[0], rows.baseOf(0));
  let train;
  let test;
  let skipped: SkippedImage[] = [];
  if (firstInput === undefined) {
    const raw = rawPixels(rows, o, imageColumn);
    const set = { ...raw, labels };
    train = pickSplit(set, trainRows, classNames);
    test = pickSplit(set, testRows, classNames);
  } else {
    const item = (i: number): EncodedItem => {
      const input = encodedInput(rows.image[i], rows.baseOf(i));
      // A cell that is neither encoded bytes nor a path is decoded as empty bytes: sharp's error names it.
      return { name: rows.where(i), input: input ?? new Uint8Array(0), label: labels[i]! };
    };
    const options = { domain: 'table', imageSize: parseImageSize(o.imageSize), channels: checkChannels(o.channels), strict: o.strict, logger: o.logger };
    const a: DecodedSet = await decodeAll(Array.from(trainRows, item), { ...options, progressLabel: 'table train' });
    const b: DecodedSet = await decodeAll(Array.from(testRows, item), { ...options, progressLabel: 'table test', shape: a.shape });
    train = { images: a.pixels, labels: a.labels, count: a.count, classNames, ...a.shape };
    test = { images: b.pixels, labels: b.labels, count: b.count, classNames, ...b.shape };
    skipped = [...a.skipped, ...b.skipped];
  }
  const sources = await Promise.all(
    files.map(async (f) => {
      const bytes = await readFile(f.path);
      return { file: relative(root, f.path) || basename(f.path), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    }),
  );
  return {
    dataset: basename(root, extname(root)),
    classNames,
    shape: { height: train.height, width: train.width, channels: train.channels },
    train,
    test,
    info: {
      table: { format: tables[0]!.format, image: imageColumn, label: o.labelColumn, classNamesFrom: from, sources },
      split: how,
      resized: o.imageSize !== undefined,
    },
    volatile: { path: root },
    skipped,
  };
}
