/**
 * The hparams plugin's `/download_data` table (TensorBoard's `download_data.py`): one column per hparam, then one per
 * metric, filtered by `columnsVisibility`, as JSON, CSV (Python's `csv.writer`) or a LaTeX table.
 */
import { pythonFloatRepr } from '@tbpipe/eventlog';
import { pythonFormatG } from './python-numbers.ts';
import type { Experiment, HValue, SessionGroup } from './hparams-protos.ts';
import { BadRequest, jsonReply, type RouteReply } from './types.ts';

/** A cell: a number, string or bool from an hparam or metric, '' for a missing hparam, null for a missing metric. */
export type Cell = number | string | boolean | null;

/** Header and rows of the table, columns filtered by `visibility` (extra columns beyond it are dropped, as zip does). */
export function downloadTable(experiment: Experiment, groups: SessionGroup[], visibility: readonly unknown[]): { header: string[]; rows: Cell[][] } {
  const keep = <T>(row: T[]) => row.filter((_, i) => i < visibility.length && Boolean(visibility[i]));
  const header = keep([
    ...experiment.hparamInfos.map((h) => h.displayName || h.name),
    ...experiment.metricInfos.map((m) => m.displayName || (m.name?.tag ?? '')),
  ]);
  const metricId = (name: { group: string; tag: string } | undefined) => `${name?.group ?? ''}.${name?.tag ?? ''}`;
  const rows = groups.map((group) => {
    const cells: Cell[] = experiment.hparamInfos.map((h) => cellOf(group.hparams[h.name]));
    const values = new Map(group.metricValues.map((m) => [metricId(m.name), m.value]));
    for (const m of experiment.metricInfos) cells.push(values.get(metricId(m.name)) ?? null);
    return keep(cells);
  });
  return { header, rows };
}

function cellOf(v: HValue | undefined): Cell {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : '';
}

/** Python's `str()` of a cell as `csv.writer` writes it. */
function csvText(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pythonFloatRepr(v);
  return v;
}

/** One row as Python's `csv.writer` (excel dialect, QUOTE_MINIMAL) writes it, `\r\n` included. */
export function csvRow(cells: Cell[]): string {
  if (cells.length === 1 && (cells[0] === '' || cells[0] === null)) return '""\r\n';
  return `${cells
    .map((c) => {
      const t = csvText(c);
      return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
    })
    .join(',')}\r\n`;
}

/** download_data.py's `latex_format`: numbers in math mode with 3 significant digits, `_` and `%` escaped in text. */
export function latexCell(v: Cell): string {
  if (v === null) return '-';
  if (typeof v === 'boolean') return `$${v ? 1 : 0}$`; // bool is an int in Python: '$%d$'
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '$\\mathrm{NaN}$';
    if (!Number.isFinite(v)) return `$${v < 0 ? '-' : '+'}\\infty$`;
    const scientific = pythonFormatG(v, 3);
    if (scientific.includes('e')) {
      const [coefficient, exponent] = scientific.split('e');
      return `$${coefficient}\\cdot 10^{${Number(exponent)}}$`;
    }
    return `$${scientific}$`;
  }
  return v.replace(/_/g, '\\_').replace(/%/g, '\\%');
}

/** The reply for `format` = json | csv | latex; any other format is a 400. */
export function downloadReply(format: string | null, table: { header: string[]; rows: Cell[][] }): RouteReply {
  if (format === 'json') return jsonReply(table);
  if (format === 'csv') {
    return { status: 200, contentType: 'text/csv; charset=utf-8', body: [table.header, ...table.rows].map(csvRow).join('') };
  }
  if (format === 'latex') {
    const line = (cells: Cell[]) => cells.map(latexCell).join(' & ');
    const body =
      `\\begin{table}[tbp]\n\\begin{tabular}{${'l'.repeat(table.header.length)}}\n` +
      `${line(table.header)} \\\\ \\hline\n` +
      table.rows.map((r) => `${line(r)} \\\\\n`).join('') +
      '\\hline\n\\end{tabular}\n\\end{table}\n';
    return { status: 200, contentType: 'application/x-latex', body };
  }
  throw new BadRequest(`hparams: download format ${JSON.stringify(format)}, expected json, csv or latex`);
}
