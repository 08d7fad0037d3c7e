/** The projector's metadata TSV (DOM-free, so unit tests run it in Node). */

/** Metadata: column names and, per column, one string per point. */
export interface Metadata {
  columns: string[];
  values: string[][];
}

/**
 * Metadata TSV as TensorBoard's projector reads it: one column → no header row (the column is called `label`);
 * several → the first row names them. Trailing empty lines are dropped.
 */
export function parseMetadata(text: string, rows: number): Metadata {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const firstCells = (lines[0] ?? '').split('\t');
  const header = firstCells.length > 1;
  const columns = header ? firstCells : ['label'];
  const body = header ? lines.slice(1) : lines;
  const values = columns.map(() => new Array<string>(rows).fill(''));
  for (let i = 0; i < Math.min(rows, body.length); i++) {
    const cells = body[i]!.split('\t');
    for (let c = 0; c < columns.length; c++) values[c]![i] = cells[c] ?? '';
  }
  return { columns, values };
}
