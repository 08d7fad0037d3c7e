import { readdir, stat } from 'node:fs/promises';
import { join, relative, dirname } from 'node:path';
import { eventlogError } from './errors.ts';
import { decodeGraphDef } from './graph.ts';
import { DataType, SessionStatus, tensorStrings, type Event, type SummaryValue } from './proto/messages.ts';
import { readEvents, type ReadEventsOptions } from './reader.ts';

const DTYPE_NAMES = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k]));
const STATUS_NAMES = Object.fromEntries(Object.entries(SessionStatus).map(([k, v]) => [v, k]));
const jsonNumber = (x: number): number | string => (Number.isFinite(x) ? x : String(x));

/** Is this file name an event file (`*tfevents*`, as TensorBoard's loader decides)? */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

/** Event files under `path` (the file itself, or every event file below a directory), sorted. */
export async function findEventFiles(path: string): Promise<string[]> {
  let s;
  try {
    s = await stat(path);
  } catch (err) {
    throw eventlogError('EVENTLOG_OPEN', `cannot open ${path} (${(err as NodeJS.ErrnoException).code ?? err})`, 'an event file or a log directory', 'check the path', err);
  }
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && isEventFileName(entry.name)) out.push(join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
  }
  return out.sort();
}

/** A short, JSON-friendly description of a summary value's payload (for `tbpipe-events dump`). */
export function describeValue(v: SummaryValue): unknown {
  if (v.simpleValue !== undefined) return jsonNumber(v.simpleValue);
  if (v.image) return { width: v.image.width, height: v.image.height, colorspace: v.image.colorspace, png_bytes: v.image.encodedImageString.length };
  if (v.histo) return { min: jsonNumber(v.histo.min), max: jsonNumber(v.histo.max), num: v.histo.num, sum: jsonNumber(v.histo.sum), buckets: v.histo.bucket.length };
  if (v.audio) return { sample_rate: v.audio.sampleRate, frames: v.audio.lengthFrames, bytes: v.audio.encodedAudioString.length };
  if (v.tensor) {
    const t = v.tensor;
    const shape = t.tensorShape?.dim.map((d) => d.size) ?? [];
    if (t.dtype === DataType.DT_STRING) {
      const s = tensorStrings(t);
      return shape.length <= 1 && s.length === 1 ? s[0] : { dtype: 'DT_STRING', shape, values: s };
    }
    const values = Array.from(t.floatVal ?? t.doubleVal ?? t.intVal ?? t.int64Val ?? []);
    if (shape.length === 0 && values.length === 1) return jsonNumber(values[0]);
    return { dtype: DTYPE_NAMES[t.dtype] ?? t.dtype, shape, ...(values.length > 0 ? { first: values.slice(0, 8).map(jsonNumber) } : {}), ...(t.tensorContent ? { content_bytes: t.tensorContent.length } : {}) };
  }
  if (v.metadata?.pluginData) return { content_bytes: v.metadata.pluginData.content.length };
  return null;
}

/** One JSON-lines row per summary value (or per non-summary event), as `tbpipe-events dump` prints them. */
export function dumpRows(event: Event): Record<string, unknown>[] {
  const base = { wall_time: event.wallTime, step: event.step };
  if (event.summary) {
    return event.summary.value.map((v) => ({ ...base, tag: v.tag, plugin: v.metadata?.pluginData?.pluginName || kindOf(v), value: describeValue(v) }));
  }
  if (event.fileVersion !== undefined) return [{ ...base, what: 'file_version', value: event.fileVersion, ...(event.sourceMetadata ? { writer: event.sourceMetadata.writer } : {}) }];
  if (event.graphDef) {
    let nodes: number | string;
    try {
      nodes = decodeGraphDef(event.graphDef).node.length;
    } catch {
      nodes = 'undecodable';
    }
    return [{ ...base, what: 'graph_def', value: { bytes: event.graphDef.length, nodes } }];
  }
  if (event.sessionLog) return [{ ...base, what: 'session_log', value: { status: STATUS_NAMES[event.sessionLog.status] ?? event.sessionLog.status, ...(event.sessionLog.msg ? { msg: event.sessionLog.msg } : {}) } }];
  if (event.taggedRunMetadata) return [{ ...base, what: 'tagged_run_metadata', tag: event.taggedRunMetadata.tag, value: { bytes: event.taggedRunMetadata.runMetadata.length } }];
  if (event.logMessage) return [{ ...base, what: 'log_message', value: event.logMessage.message }];
  if (event.metaGraphDef) return [{ ...base, what: 'meta_graph_def', value: { bytes: event.metaGraphDef.length } }];
  return [{ ...base, what: 'empty' }];
}

/** The TensorBoard category of a value: scalars, images, histograms, audio or tensors. */
function kindOf(v: SummaryValue): string {
  if (v.simpleValue !== undefined) return 'scalars';
  if (v.image) return 'images';
  if (v.histo) return 'histograms';
  if (v.audio) return 'audio';
  if (v.tensor) return 'tensors';
  return 'metadata';
}

/** Per-run tag statistics, like `tensorboard --inspect`. */
export interface RunTags {
  /** Run directory relative to the logdir (`.` for the logdir itself). */
  run: string;
  files: number;
  events: number;
  tags: { tag: string; kind: string; plugin: string; count: number; firstStep: number; lastStep: number }[];
  graphs: number;
  sessionLogs: { status: string; step: number }[];
  runMetadataTags: string[];
}

/** Collect {@link RunTags} for every run below `logdir`. */
export async function inspectLogdir(logdir: string, options: ReadEventsOptions = {}): Promise<RunTags[]> {
  const files = await findEventFiles(logdir);
  const runs = new Map<string, RunTags>();
  const tagStats = new Map<string, Map<string, RunTags['tags'][number]>>();
  for (const file of files) {
    const run = relative(logdir, dirname(file)) || '.';
    let r = runs.get(run);
    if (!r) {
      r = { run, files: 0, events: 0, tags: [], graphs: 0, sessionLogs: [], runMetadataTags: [] };
      runs.set(run, r);
      tagStats.set(run, new Map());
    }
    r.files++;
    const stats = tagStats.get(run)!;
    for await (const { event } of readEvents(file, options)) {
      r.events++;
      if (event.graphDef) r.graphs++;
      if (event.sessionLog) r.sessionLogs.push({ status: STATUS_NAMES[event.sessionLog.status] ?? String(event.sessionLog.status), step: event.step });
      if (event.taggedRunMetadata) r.runMetadataTags.push(event.taggedRunMetadata.tag);
      for (const v of event.summary?.value ?? []) {
        let s = stats.get(v.tag);
        if (!s) {
          s = { tag: v.tag, kind: kindOf(v), plugin: v.metadata?.pluginData?.pluginName ?? '', count: 0, firstStep: event.step, lastStep: event.step };
          stats.set(v.tag, s);
          r.tags.push(s);
        }
        s.count++;
        s.firstStep = Math.min(s.firstStep, event.step);
        s.lastStep = Math.max(s.lastStep, event.step);
      }
    }
  }
  return [...runs.values()].sort((a, b) => a.run.localeCompare(b.run));
}

/** Human-readable report of {@link inspectLogdir}'s result. */
export function formatRunTags(runs: RunTags[]): string {
  const lines: string[] = [];
  for (const r of runs) {
    lines.push(`run ${r.run}: ${r.events} events in ${r.files} file(s)`);
    const kinds = [...new Set(r.tags.map((t) => t.kind))].sort();
    for (const kind of kinds) {
      lines.push(`  ${kind}:`);
      for (const t of r.tags.filter((x) => x.kind === kind)) {
        const steps = t.firstStep === t.lastStep ? `step ${t.firstStep}` : `steps ${t.firstStep}–${t.lastStep}`;
        lines.push(`    ${t.tag}${t.plugin ? ` [${t.plugin}]` : ''}: ${t.count} point(s), ${steps}`);
      }
    }
    if (r.graphs > 0) lines.push(`  graph: ${r.graphs}`);
    if (r.runMetadataTags.length > 0) lines.push(`  run metadata: ${r.runMetadataTags.join(', ')}`);
    for (const s of r.sessionLogs) lines.push(`  session_log ${s.status} at step ${s.step}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : 'no event files\n';
}
