import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tableFromIPC, type Table } from 'apache-arrow';
import { evaluateError } from '../errors.ts';

/** A scalar cell as the readers give it: JavaScript numbers (int64 arrives as bigint), strings, or null. */
export type Cell = number | bigint | string | boolean | null | undefined;

/** A list cell: the row's values (Arrow vector, typed or plain array), or null. */
export type ListCell = ArrayLike<number | bigint | null> | null | undefined;

/**
 * A predictions file's columns as plain values, whatever its format: what the checks in `predictions-file.ts` read.
 * Only the columns asked for are decoded.
 */
export interface RawTable {
  path: string;
  format: 'Arrow IPC' | 'Parquet';
  /** sha256 of the bytes read (the file as parsed, not as it may be on disk later). */
  sha256: string;
  numRows: number;
  /** Column names in file order. */
  columns: string[];
  /** Schema (Arrow) or key–value (Parquet) metadata: where `tbpipe.classNames` is found. */
  metadata: Map<string, string>;
  /** One cell per row of a scalar column. */
  scalars(name: string): Cell[];
  /** One list per row of a list column (`list<float>`, `fixed_size_list<float>`, `large_list`). */
  lists(name: string): ListCell[];
}

const ARROW_MAGIC = 'ARROW1';
const PARQUET_MAGIC = 'PAR1';

const unreadable = (path: string, seen: string, cause?: unknown) =>
  evaluateError(
    'EVALUATE_PREDICTIONS_FILE',
    `--predictions ${path} ${seen}`,
    'an Arrow IPC (file or stream) or Parquet file',
    'write it with pyarrow (pq.write_table / pa.ipc.new_file) or pandas (DataFrame.to_parquet); see the evaluate README',
    cause,
  );

function arrowTable(path: string, table: Table, sha256: string): RawTable {
  const vector = (name: string) => table.getChild(name)!;
  const toList = (v: unknown): ListCell => {
    if (v === null || v === undefined) return null;
    const arr = v as { toArray?: () => ArrayLike<number> };
    return typeof arr.toArray === 'function' ? arr.toArray() : (v as ArrayLike<number>);
  };
  return {
    path,
    format: 'Arrow IPC',
    sha256,
    numRows: table.numRows,
    columns: table.schema.fields.map((f) => f.name),
    metadata: new Map(table.schema.metadata),
    scalars: (name) => Array.from({ length: table.numRows }, (_, i) => vector(name).get(i) as Cell),
    lists: (name) => Array.from({ length: table.numRows }, (_, i) => toList(vector(name).get(i))),
  };
}

/** A raw table whose columns are decoded on `load` (Parquet) or already there (Arrow). */
export type LoadableTable = RawTable & { load(names: string[]): Promise<void> };

async function parquetTable(path: string, bytes: Uint8Array, sha256: string): Promise<LoadableTable> {
  const { parquetMetadata, parquetReadObjects, parquetSchema } = await import('hyparquet');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    metadata = parquetMetadata(buffer);
  } catch (err) {
    throw unreadable(path, `is not a readable Parquet file (${(err as Error).message})`, err);
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const cache = new Map<string, unknown[]>();
  // Decoded lazily, one column at a time: a file may hold columns this stage never reads.
  const column = (name: string): unknown[] => {
    const hit = cache.get(name);
    if (hit) return hit;
    throw new Error(`column ${name} not loaded`);
  };
  const table: LoadableTable = {
    path,
    format: 'Parquet',
    sha256,
    numRows: Number(metadata.num_rows),
    columns,
    metadata: new Map((metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? ''])),
    scalars: (name) => column(name) as Cell[],
    lists: (name) => column(name) as ListCell[],
    async load(names) {
      const wanted = names.filter((n) => !cache.has(n));
      if (wanted.length === 0) return;
      let rows: Record<string, unknown>[];
      try {
        rows = await parquetReadObjects({ file: buffer, metadata, columns: wanted });
      } catch (err) {
        throw unreadable(path, `could not be decoded (${(err as Error).message})`, err);
      }
      for (const name of wanted) cache.set(name, rows.map((r) => r[name]));
    },
  };
  return table;
}

/**
 * Open a predictions file made elsewhere: Arrow IPC (file format, magic `ARROW1`, or stream format) or Parquet
 * (magic `PAR1`, decoded with hyparquet: plain, dictionary and snappy-compressed pages as pyarrow and pandas write
 * them), recognised by its bytes, not its name. `load` decodes the named columns (Parquet decodes lazily).
 */
export async function openPredictionsFile(path: string): Promise<LoadableTable> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw unreadable(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 6));
  const tail = new TextDecoder('latin1').decode(bytes.subarray(Math.max(0, bytes.length - 4)));
  if (head.startsWith(PARQUET_MAGIC) && tail === PARQUET_MAGIC) return parquetTable(path, bytes, sha256);
  const streamStart = bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
  if (head === ARROW_MAGIC || streamStart) {
    let table: Table;
    try {
      table = tableFromIPC(bytes);
    } catch (err) {
      throw unreadable(path, `is not a readable Arrow IPC file (${(err as Error).message})`, err);
    }
    return { ...arrowTable(path, table, sha256), load: async () => {} };
  }
  throw unreadable(path, `starts with ${JSON.stringify(head.replace(/[^\x20-\x7e]/g, '.'))}`);
}
