import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Binary, Field, Int64, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import sharp from 'sharp';

/** 24 train + 24 test FashionMNIST images, RGB 16×12 PNG, as `train/<class>/NN.png` (scripts/make-image-folder.ts). */
export const FOLDER_FIXTURE = fileURLToPath(new URL('./fixtures/folder/', import.meta.url));
/** The same images as a Hugging Face-layout Parquet file with a split column (scripts/make-parquet-table.ts). */
export const TABLE_FIXTURE = fileURLToPath(new URL('./fixtures/table.parquet', import.meta.url));

/** The FashionMNIST class names as the fixture's folders spell them, sorted (`T-shirt/top` → `T-shirt-top`). */
export const FOLDER_CLASSES = ['Ankle Boot', 'Bag', 'Coat', 'Dress', 'Pullover', 'Sandal', 'Shirt', 'Sneaker', 'T-shirt-top', 'Trouser'];

/** Copy part of the folder fixture: `split` (train or test) as a one-tree folder at `to`. */
export async function copyTree(split: 'train' | 'test', to: string): Promise<string> {
  await cp(join(FOLDER_FIXTURE, split), to, { recursive: true });
  return to;
}

/** A PNG of `height × width × channels` filled with `value`. */
export async function png(height: number, width: number, channels: 1 | 3 = 3, value = 128): Promise<Buffer> {
  let image = sharp(new Uint8Array(height * width * channels).fill(value), { raw: { width, height, channels } });
  if (channels === 1) image = image.toColourspace('b-w');
  return image.png().toBuffer();
}

/** Write files (path → bytes) under `root`, making folders; an empty folder for a path ending in `/`. */
export async function writeTree(root: string, files: Record<string, Uint8Array | string>): Promise<string> {
  for (const [path, bytes] of Object.entries(files)) {
    if (path.endsWith('/')) await mkdir(join(root, path), { recursive: true });
    else {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), bytes);
    }
  }
  return root;
}

/** Every image file of the fixture's `split`, in the order folder ingest reads them (sorted class, then name). */
export async function fixtureFiles(split: 'train' | 'test'): Promise<Array<{ cls: string; file: string; row: number }>> {
  const out: Array<{ cls: string; file: string; row: number }> = [];
  for (const cls of FOLDER_CLASSES) {
    for (const file of (await readdir(join(FOLDER_FIXTURE, split, cls))).sort()) out.push({ cls, file: join(FOLDER_FIXTURE, split, cls, file), row: Number(file.split('.')[0]) });
  }
  return out;
}

export interface ParquetColumn {
  name: string;
  data: unknown[];
  /** hyparquet-writer's basic type, or undefined for the image struct. */
  type?: 'STRING' | 'INT64' | 'INT32' | 'BYTE_ARRAY';
}

/** Write a Parquet file; a column named `image` of `{bytes, path}` objects becomes the Hugging Face struct. */
export async function writeParquet(path: string, columns: ParquetColumn[], metadata: Record<string, string> = {}): Promise<string> {
  const schema: Array<Record<string, unknown>> = [{ name: 'schema', num_children: columns.length }];
  for (const c of columns) {
    if (c.type === undefined) {
      schema.push({ name: c.name, repetition_type: 'OPTIONAL', num_children: 2 });
      schema.push({ name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' });
      schema.push({ name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    } else if (c.type === 'STRING') schema.push({ name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    else schema.push({ name: c.name, type: c.type, repetition_type: 'OPTIONAL' });
  }
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: columns.map((c) => ({ name: c.name, data: c.type === 'INT64' ? c.data.map((x) => BigInt(x as number)) : c.data })) as never,
    schema: schema as never,
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    statistics: false,
  });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, new Uint8Array(writer.getBuffer()));
  return path;
}

/** The `huggingface` metadata of an Image column and a ClassLabel column `label`. */
export const hfMetadata = (names: string[], label = 'label') => ({ huggingface: JSON.stringify({ info: { features: { image: { _type: 'Image' }, [label]: { names, _type: 'ClassLabel' } } } }) });

/** Write an Arrow IPC file of the given columns (name → values and type) and schema metadata. */
export async function writeArrow(path: string, columns: Record<string, { values: unknown[]; type: DataType }>, metadata: Record<string, string> = {}): Promise<string> {
  const vectors = Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, vectorFromArray(c.values as never, c.type)]));
  const table = new Table(vectors);
  const schema = new Schema(table.schema.fields, new Map(Object.entries(metadata)));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, tableToIPC(new Table(schema, table.batches.map((b) => new RecordBatch(schema, b.data))), 'file'));
  return path;
}

/** The Hugging Face image struct type. */
export const IMAGE_STRUCT = () => new Struct([new Field('bytes', new Binary(), true), new Field('path', new Utf8(), true)]);
export { Int64, Utf8, Binary };
