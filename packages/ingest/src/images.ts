import { ContractError, readTable, writeTableAtomic } from '@tbpipe/core';
import { makeData, RecordBatch, Struct, Table, tableToIPC, type FixedSizeBinary, type Uint8 } from 'apache-arrow';
import { CLASS_NAMES_KEY, IMAGE_HEIGHT, IMAGE_HEIGHT_KEY, IMAGE_PIXELS, IMAGE_WIDTH, IMAGE_WIDTH_KEY, ImagesSchema, imagesSchema } from './contract.ts';

const badMetadata = (path: string, what: string) =>
  `contract: ${path} has ${what}, expected fmnist.images/v1 metadata; rebuild it with the ingest stage`;
const labelOutOfRange = (path: string, label: number, index: number, classes: number) =>
  `contract: ${path} has label ${label} at row ${index}, expected 0…${classes - 1} (${classes} class names); rebuild it with the ingest stage`;

/** One split in memory: what {@link readImages} returns and {@link writeImages} takes. */
export interface Images {
  /** `count × 784` uint8 pixels, image after image, each 28×28 row-major. */
  images: Uint8Array;
  /** `count` class indices, each `< classNames.length`. */
  labels: Uint8Array;
  /** Class names by label. */
  classNames: string[];
  /** Number of images. */
  count: number;
}

/** What {@link readImages} returns: {@link Images} plus the image size from the file's metadata (always 28×28 in v1). */
export interface ReadImagesResult extends Images {
  height: number;
  width: number;
}

/**
 * Build an images table (one record batch, no copies of `images` or `labels`) with the schema
 * {@link imagesSchema}`(classNames, dataset)`.
 */
export function makeImagesTable(data: Images, dataset: string): Table {
  const { images, labels, count } = data;
  if (images.length !== count * IMAGE_PIXELS || labels.length !== count) {
    throw new RangeError(`makeImagesTable: ${images.length} pixels and ${labels.length} labels for ${count} images, expected ${count} × 784 and ${count}`);
  }
  const schema = imagesSchema(data.classNames, dataset);
  const image = makeData({ type: schema.fields[0]!.type as FixedSizeBinary, length: count, nullCount: 0, data: images });
  const label = makeData({ type: schema.fields[1]!.type as Uint8, length: count, nullCount: 0, data: labels });
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

/** The column's values as one Uint8Array: a view when the column is one unsliced chunk, else a copy. */
function columnBytes(table: Table, name: string, bytesPerRow: number): Uint8Array {
  const chunks = table.getChild(name)!.data;
  if (chunks.length === 1 && chunks[0]!.offset === 0) return (chunks[0]!.values as Uint8Array).subarray(0, table.numRows * bytesPerRow);
  const out = new Uint8Array(table.numRows * bytesPerRow);
  let at = 0;
  for (const chunk of chunks) {
    const start = chunk.offset * bytesPerRow;
    const bytes = (chunk.values as Uint8Array).subarray(start, start + chunk.length * bytesPerRow);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/**
 * Read a split written by ingest (`train.arrow` or `test.arrow`). Checks at this boundary: the schema against
 * {@link ImagesSchema} (contract id `fmnist.images/v1`, fields, types, nullability), the metadata (class names, 28×28),
 * and every label against the class names; after that the data can be trusted. Verify the directory first with
 * `verifyManifest(dir, INGEST_CONTRACT)`.
 *
 * The pixels and labels are zero-copy views into the file's bytes when the file holds one record batch (ingest
 * always writes one), else copies.
 * @throws {TbpipeError} `ARTIFACT_MISSING` / `ARTIFACT_CORRUPT` (from core's readTable); {@link ContractError}
 *   `SCHEMA_MISMATCH`, `IMAGES_METADATA`, `IMAGES_LABEL_OUT_OF_RANGE`.
 * @example
 * await verifyManifest('artifacts/fashion-mnist/ingest', INGEST_CONTRACT);
 * const { images, labels, classNames, count } = await readImages('artifacts/fashion-mnist/ingest/train.arrow');
 * const firstImage = images.subarray(0, 784); // 28 rows of 28 pixels
 */
export async function readImages(path: string): Promise<ReadImagesResult> {
  const table = await readTable(path, ImagesSchema);
  const metadata = table.schema.metadata;
  let classNames: unknown;
  try {
    classNames = JSON.parse(metadata.get(CLASS_NAMES_KEY) ?? 'null');
  } catch {
    classNames = null;
  }
  if (!Array.isArray(classNames) || classNames.length === 0 || classNames.length > 256 || !classNames.every((c) => typeof c === 'string')) {
    throw new ContractError('IMAGES_METADATA', badMetadata(path, `${CLASS_NAMES_KEY} = ${JSON.stringify(metadata.get(CLASS_NAMES_KEY) ?? null)}`));
  }
  const height = Number(metadata.get(IMAGE_HEIGHT_KEY));
  const width = Number(metadata.get(IMAGE_WIDTH_KEY));
  if (height !== IMAGE_HEIGHT || width !== IMAGE_WIDTH) {
    throw new ContractError('IMAGES_METADATA', badMetadata(path, `images of ${metadata.get(IMAGE_HEIGHT_KEY)}×${metadata.get(IMAGE_WIDTH_KEY)}, not 28×28`));
  }
  const count = table.numRows;
  const images = columnBytes(table, 'image', IMAGE_PIXELS);
  const labels = columnBytes(table, 'label', 1);
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= classNames.length) {
      throw new ContractError('IMAGES_LABEL_OUT_OF_RANGE', labelOutOfRange(path, labels[i]!, i, classNames.length));
    }
  }
  return { images, labels, classNames: classNames as string[], count, height, width };
}
