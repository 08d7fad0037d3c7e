import { readFile } from 'node:fs/promises';
import { tableFromIPC, tableToIPC, type Schema, type Table } from 'apache-arrow';
import { writeFileAtomic } from './atomic-write.ts';
import { expectSchema } from './contract.ts';
import { TbpipeError } from './errors.ts';

/** Write `table` as an Arrow IPC *file* (random-access format, magic `ARROW1`) atomically. */
export async function writeTableAtomic(path: string, table: Table): Promise<void> {
  await writeFileAtomic(path, tableToIPC(table, 'file'));
}

/**
 * Read an Arrow IPC file; if `expected` is given, check its schema at this boundary ({@link expectSchema}).
 * A missing or unparsable file is a one-line error naming the file.
 */
export async function readTable(path: string, expected?: Schema): Promise<Table> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TbpipeError(
      'ARTIFACT_MISSING',
      `arrow: cannot read ${path} (${code ?? String(err)}), expected an Arrow IPC file; run the producing stage first.`,
      { cause: err },
    );
  }
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new TbpipeError(
      'ARTIFACT_CORRUPT',
      `arrow: ${path} is not a readable Arrow IPC file (${(err as Error).message}); delete it and rerun the producing stage.`,
      { cause: err },
    );
  }
  if (expected) expectSchema(table, expected, path);
  return table;
}
