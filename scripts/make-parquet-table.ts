// Writes FashionMNIST as a Parquet file in the layout Hugging Face `datasets` publishes (what `Dataset.to_parquet`
// and the Hub's parquet conversion write):
//   image  struct<bytes: binary, path: string>   the encoded PNG (RGB, resized; as scripts/make-image-folder.ts)
//   label  int64                                  class index; the names are a ClassLabel feature in the metadata
//   split  string                                 "train" or "test" (leave it out with --split-files)
// key-value metadata `huggingface` = {"info": {"features": {"image": {"_type": "Image"},
//   "label": {"names": [...], "_type": "ClassLabel"}}}}, as `datasets` writes it.
//
//   npx tsx scripts/make-parquet-table.ts --out data/fashion-mnist.parquet [--limit 100] [--size 32x32] [--grey]
//       [--split-files]   (then --out is a folder: <out>/data/train-00000-of-00001.parquet and test-…)
//
// Written with hyparquet-writer (snappy, one row group per split file); deterministic for one sharp/libvips version.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { FASHION_MNIST_CLASSES } from '@tbpipe/ingest';
import { DEFAULT_DATA_DIR, inBatches, parseSize, readFashionMnist, renderImage, type RenderOptions } from './make-image-folder.ts';

/** The `huggingface` metadata `datasets` writes for an Image column and a ClassLabel column. */
export function huggingFaceMetadata(classNames: readonly string[], withSplit: boolean): string {
  const features: Record<string, unknown> = {
    image: { _type: 'Image' },
    label: { names: classNames, _type: 'ClassLabel' },
  };
  if (withSplit) features.split = { dtype: 'string', _type: 'Value' };
  return JSON.stringify({ info: { features } });
}

interface Row {
  png: Uint8Array;
  path: string;
  label: number;
  split: 'train' | 'test';
}

/** Encode rows as Parquet bytes in the Hugging Face layout. */
export function encodeParquet(rows: Row[], classNames: readonly string[], withSplit: boolean): Uint8Array {
  const writer = new ByteWriter();
  const columnData = [
    { name: 'image', data: rows.map((r) => ({ bytes: r.png, path: r.path })) },
    { name: 'label', data: rows.map((r) => BigInt(r.label)) },
    ...(withSplit ? [{ name: 'split', data: rows.map((r) => r.split) }] : []),
  ];
  parquetWrite({
    writer,
    columnData,
    schema: [
      { name: 'schema', num_children: columnData.length },
      { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
      ...(withSplit ? [{ name: 'split', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const }] : []),
    ],
    kvMetadata: [{ key: 'huggingface', value: huggingFaceMetadata(classNames, withSplit) }],
    rowGroupSize: 100_000,
    statistics: false,
  });
  return new Uint8Array(writer.getBuffer());
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      data: { type: 'string', default: DEFAULT_DATA_DIR },
      limit: { type: 'string' },
      size: { type: 'string', default: '32x32' },
      grey: { type: 'boolean', default: false },
      'split-files': { type: 'boolean', default: false },
    },
  });
  if (!values.out) throw new Error('--out <file.parquet> is required');
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  const o: RenderOptions = { ...parseSize(values.size), grey: values.grey, format: 'png' };
  const bySplit: Record<'train' | 'test', Row[]> = { train: [], test: [] };
  for (const splitName of ['train', 'test'] as const) {
    const split = await readFashionMnist(values.data, splitName, limit);
    const rows: Row[] = new Array(split.count);
    await inBatches(split.count, 8, async (i) => {
      rows[i] = { png: await renderImage(split, i, o), path: `${splitName}/${i}.png`, label: split.labels[i]!, split: splitName };
    });
    bySplit[splitName] = rows;
  }
  if (values['split-files']) {
    await rm(values.out, { recursive: true, force: true });
    for (const splitName of ['train', 'test'] as const) {
      const file = join(values.out, 'data', `${splitName}-00000-of-00001.parquet`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, encodeParquet(bySplit[splitName], FASHION_MNIST_CLASSES, false));
      console.log(`${splitName}: ${bySplit[splitName].length} rows in ${file}`);
    }
  } else {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, encodeParquet([...bySplit.train, ...bySplit.test], FASHION_MNIST_CLASSES, true));
    console.log(`${bySplit.train.length} train + ${bySplit.test.length} test rows (${o.height}×${o.width}×${o.grey ? 1 : 3} PNG) in ${values.out}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => {
    console.error(`make-parquet-table: ${err.message}`);
    process.exit(1);
  });
}
