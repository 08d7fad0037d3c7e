/**
 * The text plugin: `/tags` and `/text` (`markdown=true` by default renders each string as sanitised Markdown;
 * `markdown=false` only sanitises), as TensorBoard 2.20's `text_plugin.py`: a scalar string is one document, a
 * vector or matrix becomes an HTML table of cells, higher ranks are cut to their first 2-D slice with a warning.
 */
import type { TensorDatum } from '../store/provider.ts';
import { markdownToSafeHtml, markdownToUnsafeHtml, safeHtml } from './markdown.ts';
import { downsampleFor } from './sampling.ts';
import { jsonReply, type PluginRoutes } from './types.ts';

const PLUGIN = 'text';
const DEFAULT_DOWNSAMPLING = 100;
const decoder = new TextDecoder('utf-8');

function tableRow(cells: readonly string[]): string {
  return `<tr>\n${cells.map((c) => `<td>${c}</td>\n`).join('')}</tr>\n`;
}

/** TensorBoard's `make_table`: a vector is laid out one cell per row. */
function makeTable(cells: readonly string[], shape: readonly number[]): string {
  const rows: string[] = [];
  if (shape.length === 1) for (const c of cells) rows.push(tableRow([c]));
  else {
    const [n, m] = shape;
    for (let i = 0; i < n; i++) rows.push(tableRow(cells.slice(i * m, (i + 1) * m)));
  }
  return `<table>\n<tbody>\n${rows.join('')}</tbody>\n</table>`;
}

/** The HTML of one text tensor. */
export function textToHtml(datum: TensorDatum, markdown: boolean): string {
  let strings = (datum.value.strings ?? []).map((s) => decoder.decode(s));
  let shape = datum.value.shape;
  if (shape.length === 0) return markdown ? markdownToSafeHtml(strings[0] ?? '') : safeHtml(strings[0] ?? '');
  let warning = '';
  if (shape.length > 2) {
    // Three spaces before "2d", as TensorBoard's dedented, backslash-continued template has them.
    warning = markdownToSafeHtml(
      `**Warning:** This text summary contained data of dimensionality ${shape.length}, but only   2d tables are supported. Showing a 2d slice of the data instead.`,
    );
    const [n, m] = shape.slice(-2);
    strings = strings.slice(0, n * m);
    shape = [n, m];
  }
  const table = markdown
    ? safeHtml(makeTable(strings.map(markdownToUnsafeHtml), shape))
    : safeHtml(makeTable(strings, shape));
  return warning + table;
}

export const textRoutes: PluginRoutes = {
  plugin: PLUGIN,
  routes: {
    '/tags': (_req, ctx) => {
      const result: Record<string, string[]> = {};
      for (const [run, tags] of ctx.provider.listTensors(PLUGIN)) result[run] = [...tags.keys()];
      return jsonReply(result);
    },
    '/text': (req, ctx) => {
      const run = req.query.get('run') ?? '';
      const tag = req.query.get('tag') ?? '';
      const markdown = req.query.get('markdown') !== 'false';
      const series = ctx.provider
        .readTensors(PLUGIN, downsampleFor(ctx, PLUGIN, DEFAULT_DOWNSAMPLING), { runs: [run], tags: [tag] })
        .get(run)
        ?.get(tag);
      // An unknown run or tag is an empty list in TensorBoard, not an error.
      return jsonReply((series ?? []).map((d) => ({ wall_time: d.wallTime, step: d.step, text: textToHtml(d, markdown) })));
    },
  },
};
