/**
 * `/api/export`: every run × tag of a plugin in one download, long format (`run,tag,step,wall_time,value`), with
 * optional `run` / `tag` regular expressions (matched anywhere in the name, like TensorBoard's filter boxes).
 * Beyond TensorBoard, which has been asked for this since 2018 (tensorflow/tensorboard#1232).
 */
import { ALL_POINTS } from './sampling.ts';
import { comparePython } from './params.ts';
import { jsonNumber, jsonString } from './json-text.ts';
import { csvNumber } from './scalars.ts';
import { BadRequest, type RouteHandler } from './types.ts';

const MAX_PATTERN_LENGTH = 500;

function pattern(name: string, raw: string | null): RegExp | undefined {
  if (raw === null || raw === '') return undefined;
  if (raw.length > MAX_PATTERN_LENGTH) throw new BadRequest(`${name} pattern is ${raw.length} characters, expected at most ${MAX_PATTERN_LENGTH}`);
  try {
    return new RegExp(raw);
  } catch (err) {
    throw new BadRequest(`${name} pattern ${JSON.stringify(raw)} is not a regular expression: ${(err as Error).message}`);
  }
}

/** RFC 4180 quoting, only where needed. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const exportRoute: RouteHandler = (req, ctx) => {
  const plugin = req.query.get('plugin') ?? 'scalars';
  if (plugin !== 'scalars') throw new BadRequest(`plugin ${JSON.stringify(plugin)} cannot be exported, expected scalars`);
  const format = req.query.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new BadRequest(`format ${JSON.stringify(format)}, expected csv or json`);
  const runRe = pattern('run', req.query.get('run'));
  const tagRe = pattern('tag', req.query.get('tag'));
  const runs = ctx.provider
    .listRuns()
    .map((r) => r.name)
    .filter((r) => !runRe || runRe.test(r));
  const data = ctx.provider.readScalars(plugin, ALL_POINTS, { runs });
  const lines: string[] = format === 'csv' ? ['run,tag,step,wall_time,value'] : [];
  for (const run of runs) {
    const byTag = data.get(run);
    if (!byTag) continue;
    for (const tag of [...byTag.keys()].sort(comparePython)) {
      if (tagRe && !tagRe.test(tag)) continue;
      const c = byTag.get(tag);
      if (!c) continue;
      if (format === 'json') {
        const head = `{"run":${jsonString(run)},"tag":${jsonString(tag)},"step":`;
        for (let i = 0; i < c.steps.length; i++) {
          lines.push(`${head}${jsonNumber(c.steps[i])},"wall_time":${jsonNumber(c.wallTimes[i])},"value":${jsonNumber(c.values[i])}}`);
        }
      } else {
        const head = `${csvCell(run)},${csvCell(tag)},`;
        for (let i = 0; i < c.steps.length; i++) {
          lines.push(`${head}${csvNumber(c.steps[i], true)},${csvNumber(c.wallTimes[i])},${csvNumber(c.values[i])}`);
        }
      }
    }
  }
  const disposition = { 'Content-Disposition': `attachment; filename="${plugin}.${format}"` };
  if (format === 'json') return { status: 200, contentType: 'application/json', body: `[${lines.join(',')}]`, headers: disposition };
  lines.push('');
  return { status: 200, contentType: 'text/csv; charset=utf-8', body: lines.join('\r\n'), headers: disposition };
};
