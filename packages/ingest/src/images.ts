import { ContractError, CONTRACT_KEY, expectSchema, readTable, writeTableAtomic } from '@tbpipe/core';
import { makeData, RecordBatch, Struct, Table, tableToIPC, type Data, type FixedSizeBinary, type Uint16, type Uint8 } from 'apache-arrow';
import {
  CLASS_COUNT_KEY,
  CLASS_NAMES_KEY,
  DATASET_KEY,
  IMAGE_CHANNELS_KEY,
  IMAGE_HEIGHT_KEY,
  IMAGE_WIDTH_KEY,
  IMAGES_CONTRACT,
  imageBytes,
  ImagesSchema,
  imagesSchema,
  MAX_CLASSES,
  MAX_IMAGE_SIDE,
  newLabelArray,
  toLabelArray,
  TUTORIAL_SHAPE,
  type ImageShape,
} from './contract.ts';

const badMetadata = (path: string, what: string) =>
  `contract: ${path} has ${what}, expected ${IMAGES_CONTRACT} metadata; rebuild it with the ingest stage`;
const labelOutOfRange = (path: string, label: number, index: number, classes: number) =>
  `contract: ${path} has label ${label} at row ${index}, expected 0…${classes - 1} (${classes} class names); rebuild it with the ingest stage`;

/**
 * One split to write ({@link writeImages}, {@link makeImagesTable}). The shape defaults to the tutorial's 28×28×1;
 * the pixel count is checked against it, so a wrong or forgotten shape is an error, never a silent reinterpretation.
 */
export interface Images extends Partial<ImageShape> {
  /** `count × height × width × channels` uint8, image after image, each row-major HWC. */
  images: Uint8Array;
  /** `count` class indices, each `< classNames.length`; stored in the narrowest unsigned type. */
  labels: Uint8Array | Uint16Array;
  /** Class names by label. */
  classNames: string[];
  /** Number of images. */
  count: number;
}

/** What {@link readImages} returns: one split with its shape from the file's metadata and labels widened to Uint16. */
export interface ReadImagesResult extends ImageShape {
  /** `count × height × width × channels` uint8, row-major HWC; a view into the file's bytes (one record batch). */
  images: Uint8Array;
  /** `count` class indices, each `< classNames.length` (checked). */
  labels: Uint16Array;
  /** Class names by label (2…65 536 of them in practice; at least 1). */
  classNames: string[];
  /** Number of images. */
  count: number;
}

/** The shape of `data`, defaults filled in. */
function shapeOf(data: Partial<ImageShape>): ImageShape {
  return { height: data.height ?? TUTORIAL_SHAPE.height, width: data.width ?? TUTORIAL_SHAPE.width, channels: data.channels ?? TUTORIAL_SHAPE.channels };
}

/**
 * Build an images table (one record batch, no copies of `images`; labels copied only when their type must change)
 * with the schema {@link imagesSchema}`(classNames, dataset, shape)`.
 */
export function makeImagesTable(data: Images, dataset: string): Table {
  const { images, labels, count } = data;
  const shape = shapeOf(data);
  const rowBytes = imageBytes(shape);
  if (images.length !== count * rowBytes || labels.length !== count) {
    throw new RangeError(
      `makeImagesTable: ${images.length} pixels and ${labels.length} labels for ${count} images, expected ${count} × ${shape.height}×${shape.width}×${shape.channels} and ${count}`,
    );
  }
  const schema = imagesSchema(data.classNames, dataset, shape);
  const image = makeData({ type: schema.fields[0]!.type as FixedSizeBinary, length: count, nullCount: 0, data: images });
  const label = makeData({
    type: schema.fields[1]!.type as Uint8,
    length: count,
    nullCount: 0,
    data: toLabelArray(labels, data.classNames.length) as Uint8Array,
  }) as Data<Uint8 | Uint16>;
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: count, nullCount: 0, children: [image, label] }));
  return new Table(schema, [batch]);
}

/** Serialise a split as Arrow IPC *file* bytes (what {@link writeImages} writes), without touching the disk. */
export function encodeImages(data: Images, dataset: string): Uint8Array {
  return tableToIPC(makeImagesTable(data, dataset), 'file');
}

/** Write a split to `path` as an Arrow IPC file, atomically (temporary file, fsync, rename). */
export async function writeImages(path: string, data: Images, dataset: string): Promise<void> {
  await writeTableAtomic(path, makeImagesTable(data, dataset));
}

/** The fixed-width column's values as one typed array: a view when the column is one unsliced chunk, else a copy. */
function columnValues<T extends Uint8Array | Uint16Array>(table: Table, name: string, perRow: number, make: (n: number) => T): T {
  const chunks = table.getChild(name)!.data;
  if (chunks.length === 1 && chunks[0]!.offset === 0) return (chunks[0]!.values as T).subarray(0, table.numRows * perRow) as T;
  const out = make(table.numRows * perRow);
  let at = 0;
  for (const chunk of chunks) {
    const start = chunk.offset * perRow;
    const values = (chunk.values as T).subarray(start, start + chunk.length * perRow);
    out.set(values, at);
    at += values.length;
  }
  return out;
}

/** A positive integer from a decimal metadata string, or NaN. */
function positiveInt(text: string | undefined, max: number): number {
  if (text === undefined || !/^[1-9][0-9]*$/.test(text)) return Number.NaN;
  const n = Number(text);
  return n <= max ? n : Number.NaN;
}

/**
 * Read a split written by ingest (`train.arrow` or `test.arrow`). Checks at this boundary: the contract id
 * (`tbpipe.images/v2`), the metadata (class names and count, height, width, channels 1 or 3), the fields against the
 * schema that metadata implies (`image` FixedSizeBinary(H·W·C), `label` the narrowest uint for the class count,
 * both not null), and every label against the class names; after that the data can be trusted. Verify the
 * directory first with `verifyManifest(dir, INGEST_CONTRACT)`.
 *
 * The pixels are a zero-copy view into the file's bytes when the file holds one record batch (ingest always writes
 * one), else a copy. Labels are always a `Uint16Array` (widened from Uint8), so consumers have one type.
 * @throws {TbpipeError} `ARTIFACT_MISSING` / `ARTIFACT_CORRUPT` (from core's readTable); {@link ContractError}
 *   `SCHEMA_MISMATCH`, `IMAGES_METADATA`, `IMAGES_LABEL_OUT_OF_RANGE`.
 * @example
 * await verifyManifest('artifacts/fashion-mnist/ingest', INGEST_CONTRACT);
 * const { images, labels, classNames, count, height, width, channels } = await readImages('artifacts/fashion-mnist/ingest/train.arrow');
 * const first = images.subarray(0, height * width * channels); // row-major HWC
 */
export async function readImages(path: string): Promise<ReadImagesResult> {
  const table = await readTable(path);
  const metadata = table.schema.metadata;
  // A file of another contract (v1, or not an images table): report its id and fields against the tutorial schema.
  if (metadata.get(CONTRACT_KEY) !== IMAGES_CONTRACT) expectSchema(table, ImagesSchema, path);
  let classNames: unknown;
  try {
    classNames = JSON.parse(metadata.get(CLASS_NAMES_KEY) ?? 'null');
  } catch {
    classNames = null;
  }
  if (!Array.isArray(classNames) || classNames.length === 0 || classNames.length > MAX_CLASSES || !classNames.every((c) => typeof c === 'string')) {
    throw new ContractError('IMAGES_METADATA', badMetadata(path, `${CLASS_NAMES_KEY} = ${JSON.stringify(metadata.get(CLASS_NAMES_KEY) ?? null)}`));
  }
  if (metadata.get(CLASS_COUNT_KEY) !== String(classNames.length)) {
    throw new ContractError(
      'IMAGES_METADATA',
      badMetadata(path, `${CLASS_COUNT_KEY} = ${JSON.stringify(metadata.get(CLASS_COUNT_KEY) ?? null)} for ${classNames.length} class names`),
    );
  }
  const height = positiveInt(metadata.get(IMAGE_HEIGHT_KEY), MAX_IMAGE_SIDE);
  const width = positiveInt(metadata.get(IMAGE_WIDTH_KEY), MAX_IMAGE_SIDE);
  const channels = positiveInt(metadata.get(IMAGE_CHANNELS_KEY), 3);
  if (Number.isNaN(height) || Number.isNaN(width) || (channels !== 1 && channels !== 3)) {
    const shown = [IMAGE_HEIGHT_KEY, IMAGE_WIDTH_KEY, IMAGE_CHANNELS_KEY].map((k) => `${k} = ${JSON.stringify(metadata.get(k) ?? null)}`).join(', ');
    throw new ContractError('IMAGES_METADATA', badMetadata(path, `${shown} (height and width 1…${MAX_IMAGE_SIDE}, channels 1 or 3)`));
  }
  const shape = { height, width, channels };
  expectSchema(table, imagesSchema(classNames as string[], metadata.get(DATASET_KEY) ?? '', shape), path);
  const count = table.numRows;
  const images = columnValues(table, 'image', imageBytes(shape), (n) => new Uint8Array(n));
  const stored = columnValues<Uint8Array | Uint16Array>(table, 'label', 1, (n) => newLabelArray(n, classNames.length));
  const labels = stored instanceof Uint16Array ? stored : new Uint16Array(count);
  if (labels !== stored) labels.set(stored);
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= classNames.length) {
      throw new ContractError('IMAGES_LABEL_OUT_OF_RANGE', labelOutOfRange(path, labels[i]!, i, classNames.length));
    }
  }
  return { images, labels, classNames: classNames as string[], count, height, width, channels };
}
