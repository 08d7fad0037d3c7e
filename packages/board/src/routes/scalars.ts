/**
 * The scalars plugin: `/tags`, `/scalars` (JSON or `format=csv`) and `/scalars_multirun` (form POST), as TensorBoard
 * 2.20's `scalars_plugin.py` answers them.
 */
import { pythonFloatRepr } from '@tbpipe/eventlog';
import type { ScalarColumns } from '../store/provider.ts';
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

/** A CSV number cell as Python's `csv` module writes one: floats by `repr`, integral steps as ints. */
export function csvNumber(x: number, integral = false): string {
  return integral && Number.isSafeInteger(x) ? String(x) : pythonFloatRepr(x);
}

function readOne(ctx: RouteContext, run: string, tag: string): ScalarColumns | undefined {
  const downsample = downsampleFor(ctx, PLUGIN, DEFAULT_DOWNSAMPLING);
  return ctx.provider.readScalars(PLUGIN, downsample, { runs: [run], tags: [tag] }).get(run)?.get(tag);
}

function csvReply(columns: ScalarColumns): RouteReply {
  let text = 'Wall time,Step,Value\r\n';
  for (let i = 0; i < columns.steps.length; i++) {
    text += `${csvNumber(columns.wallTimes[i])},${csvNumber(columns.steps[i], true)},${csvNumber(columns.values[i])}\r\n`;
  }
  return { status: 200, contentType: 'text/csv; charset=utf-8', body: text };
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
      return jsonReply(scalarRows(columns));
    },
    '/scalars_multirun': (req, ctx) => {
      if (req.method !== 'POST') throw new BadRequest('scalars_multirun takes a POST with form fields tag and runs', 405);
      const tags = req.form.get('tag') ?? [];
      if (tags.length !== 1) throw new BadRequest(`form field "tag" given ${tags.length} times, expected exactly once`);
      const runs = req.form.get('runs') ?? [];
      const downsample = downsampleFor(ctx, PLUGIN, DEFAULT_DOWNSAMPLING);
      const data = ctx.provider.readScalars(PLUGIN, downsample, { runs, tags });
      const body: Record<string, [number, number, number][]> = {};
      for (const [run, byTag] of data) {
        const columns = byTag.get(tags[0]);
        if (columns) body[run] = scalarRows(columns);
      }
      return jsonReply(body);
    },
  },
};
