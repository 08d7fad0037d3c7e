/**
 * The scalars plugin: `/tags`, `/scalars` (JSON or `format=csv`) and `/scalars_multirun` (form POST), as TensorBoard
 * 2.20's `scalars_plugin.py` answers them.
 */
import { pythonFloatRepr } from '@tbpipe/eventlog';
import type { ScalarColumns } from '../store/provider.ts';
import { jsonNumber, jsonString, jsonTextReply } from './json-text.ts';
import { describe } from './markdown.ts';
import { downsampleFor } from './sampling.ts';
import { BadRequest, jsonReply, type PluginRoutes, type RouteContext, type RouteReply } from './types.ts';

const PLUGIN = 'scalars';
/** TensorBoard's request-time default (`_DEFAULT_DOWNSAMPLING`): scalars per series. */
const DEFAULT_DOWNSAMPLING = 1000;

/** `[wall_time, step, value]` rows, TensorBoard's JSON shape for one series. */
export function scalarRows(columns: ScalarColumns): [number, number, number][] {
  const rows: [number, number, number][] = new Array(columns.steps.length);
  for (let i = 0; i < rows.length; i++) rows[i] = [columns.wallTimes[i], columns.steps[i], columns.values[i]];
  return rows;
}

/** `[[wall_time, step, value], …]` as JSON text. */
export function scalarRowsJson(columns: ScalarColumns): string {
  const parts: string[] = new Array(columns.steps.length);
  for (let i = 0; i < parts.length; i++) {
    parts[i] = `[${jsonNumber(columns.wallTimes[i])},${jsonNumber(columns.steps[i])},${jsonNumber(columns.values[i])}]`;
  }
  return `[${parts.join(',')}]`;
}

/** A CSV number cell as Python's `csv` module writes one: floats by `repr`, integral steps as ints. */
export function csvNumber(x: number, integral = false): string {
  if (integral && Number.isSafeInteger(x)) return String(x);
  // Where both use fixed notation (Python: 1e-4 ≤ |x| < 1e16; JavaScript: 1e-7 ≤ |x| < 1e21) both write the same
  // shortest round-trip digits; Python adds `.0` to integral values.
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    const text = String(x);
    return text.includes('.') ? text : `${text}.0`;
  }
  return pythonFloatRepr(x);
}

function readOne(ctx: RouteContext, run: string, tag: string): ScalarColumns | undefined {
  const downsample = downsampleFor(ctx, PLUGIN, DEFAULT_DOWNSAMPLING);
  return ctx.provider.readScalars(PLUGIN, downsample, { runs: [run], tags: [tag] }).get(run)?.get(tag);
}

function csvReply(columns: ScalarColumns): RouteReply {
  const lines: string[] = ['Wall time,Step,Value'];
  for (let i = 0; i < columns.steps.length; i++) {
    lines.push(`${csvNumber(columns.wallTimes[i])},${csvNumber(columns.steps[i], true)},${csvNumber(columns.values[i])}`);
  }
  lines.push('');
  return { status: 200, contentType: 'text/csv; charset=utf-8', body: lines.join('\r\n') };
}

export const scalarsRoutes: PluginRoutes = {
  plugin: PLUGIN,
  routes: {
    '/tags': (_req, ctx) => {
      const result: Record<string, Record<string, { displayName: string; description: string }>> = {};
      for (const [run, tags] of ctx.provider.listScalars(PLUGIN)) {
        const entry: Record<string, { displayName: string; description: string }> = (result[run] = {});
        for (const [tag, info] of tags) entry[tag] = { displayName: info.displayName, description: describe(info.description) };
      }
      return jsonReply(result);
    },
    '/scalars': (req, ctx) => {
      const run = req.query.get('run');
      const tag = req.query.get('tag');
      if (run === null || tag === null) {
        throw new BadRequest(`both run and tag must be given: run=${JSON.stringify(run)}, tag=${JSON.stringify(tag)}`);
      }
      const columns = readOne(ctx, run, tag);
      if (!columns) throw new BadRequest(`no scalar data for run=${JSON.stringify(run)}, tag=${JSON.stringify(tag)}`, 404);
      const format = req.query.get('format');
      if (format === 'csv') return csvReply(columns);
      return jsonTextReply(scalarRowsJson(columns));
    },
    '/scalars_multirun': (req, ctx) => {
      if (req.method !== 'POST') throw new BadRequest('scalars_multirun takes a POST with form fields tag and runs', 405);
      const tags = req.form.get('tag') ?? [];
      if (tags.length !== 1) throw new BadRequest(`form field "tag" given ${tags.length} times, expected exactly once`);
      const runs = req.form.get('runs') ?? [];
      const downsample = downsampleFor(ctx, PLUGIN, DEFAULT_DOWNSAMPLING);
      const data = ctx.provider.readScalars(PLUGIN, downsample, { runs, tags });
      const parts: string[] = [];
      for (const [run, byTag] of data) {
        const columns = byTag.get(tags[0]);
        if (columns) parts.push(`${jsonString(run)}:${scalarRowsJson(columns)}`);
      }
      return jsonTextReply(`{${parts.join(',')}}`);
    },
  },
};
