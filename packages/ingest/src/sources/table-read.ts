/**
 * Reading an Arrow IPC or Parquet file into plain per-row column values: the reader behind `--source table`.
 * Parquet through hyparquet (pure JS; chosen over parquet-wasm by measurement, see the README), Arrow through
 * apache-arrow. Only the columns asked for are decoded.
 */
import { readFile } from 'node:fs/promises';
import { tableFromIPC, type Table, type Vector } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { SourceError } from '../errors.ts';

/** A table as the table source needs it. */
export interface ReadTable {
  format: 'parquet' | 'arrow';
  /** Every top-level column name, in the file's order. */
  columns: string[];
  /** Schema metadata (Arrow) or key-value metadata (Parquet). */
  metadata: Map<string, string>;
  rows: number;
  /** The values of the named columns, one JS value per row: numbers (bigints narrowed), strings, Uint8Array, objects, arrays. */
  read(columns: string[]): Promise<Map<string, unknown[]>>;
}

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // PAR1
const ARROW_FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // ARROW1
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** Narrow what readers return to plain JS: bigint → number, Arrow rows and vectors → objects and arrays. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined || value instanceof Uint8Array || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, (x) => Number(x));
  if (Array.isArray(value)) return value.map(plain);
  const asJson = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof asJson === 'function' && !(value instanceof Date)) {
    const json = asJson.call(value);
    if (json !== value) return plain(json);
  }
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]));
}

function fromArrow(table: Table): ReadTable {
  return {
    format: 'arrow',
    columns: table.schema.fields.map((f) => f.name),
    metadata: new Map(table.schema.metadata),
    rows: table.numRows,
    async read(columns) {
      const out = new Map<string, unknown[]>();
      for (const name of columns) {
        const vector = table.getChild(name) as Vector | null;
        if (!vector) continue;
        const values = new Array<unknown>(table.numRows);
        for (let i = 0; i < table.numRows; i++) values[i] = plain(vector.get(i));
        out.set(name, values);
      }
      return out;
    },
  };
}

function fromParquet(bytes: Uint8Array, path: string): ReadTable {
  // hyparquet wants an ArrayBuffer of the file alone; a large file read whole already is one (no copy then).
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
  } catch (err) {
    throw new SourceError('SOURCE_FORMAT', `table: ${path} is not a readable Parquet file (${(err as Error).message}), expected Parquet or Arrow IPC; check the file`, { cause: err });
  }
  const schema = parquetSchema(metadata);
  return {
    format: 'parquet',
    columns: schema.children.map((c) => c.element.name),
    metadata: new Map((metadata.key_value_metadata ?? []).map(({ key, value }) => [key, value ?? ''])),
    rows: Number(metadata.num_rows),
    async read(columns) {
      let rows: Record<string, unknown>[];
      try {
        // utf8: false keeps un-annotated BYTE_ARRAY columns (encoded images) as bytes; STRING columns stay strings.
        rows = await parquetReadObjects({ file: buffer, metadata, columns, utf8: false });
      } catch (err) {
        throw new SourceError('SOURCE_FORMAT', `table: cannot read columns ${columns.join(', ')} of ${path} (${(err as Error).message}), expected Parquet with snappy or no compression; re-save it with pyarrow's defaults`, {
          cause: err,
        });
      }
      return new Map(columns.map((name) => [name, rows.map((row) => plain(row[name]))]));
    },
  };
}

/** Open `path` as Parquet (magic `PAR1`) or Arrow IPC (file `ARROW1` or stream format), told apart by content. */
export async function readTableFile(path: string): Promise<ReadTable> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new SourceError('SOURCE_PATH', `table: cannot read --path ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}), expected an Arrow IPC or Parquet file; check the path`, { cause: err });
  }
  if (startsWith(bytes, PARQUET_MAGIC)) return fromParquet(bytes, path);
  try {
    return fromArrow(tableFromIPC(bytes));
  } catch (err) {
    const what = startsWith(bytes, ARROW_FILE_MAGIC) ? 'a damaged Arrow IPC file' : 'neither Parquet nor Arrow IPC';
    throw new SourceError('SOURCE_FORMAT', `table: ${path} is ${what} (${(err as Error).message}), expected an Arrow IPC or Parquet file; check the file`, { cause: err });
  }
}
