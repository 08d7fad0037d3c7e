/**
 * A DataProvider over series given in memory, for route tests that need a logdir shape the golden corpus lacks (or
 * that must not depend on the loader). Downsampling keeps the newest `downsample` points.
 */
import type {
  BlobSequenceDatum,
  BlobSequenceInfo,
  DataProvider,
  RunInfo,
  RunTagFilter,
  RunTagMap,
  ScalarColumns,
  TensorDatum,
  TimeSeriesInfo,
} from '../src/store/provider.ts';
import type { RouteContext } from '../src/routes/types.ts';

export interface MemoryPoint {
  step: number;
  wallTime: number;
}
export interface MemorySeries<P extends MemoryPoint> {
  run: string;
  plugin: string;
  tag: string;
  pluginContent?: Uint8Array;
  points: P[];
}
export type ScalarPoint = MemoryPoint & { value: number };
export type BlobPoint = MemoryPoint & { blobs: Uint8Array[] };
export type TensorPoint = MemoryPoint & { value: TensorDatum['value'] };

export interface MemoryData {
  logdir: string;
  runs: RunInfo[];
  scalars?: MemorySeries<ScalarPoint>[];
  tensors?: MemorySeries<TensorPoint>[];
  blobs?: MemorySeries<BlobPoint>[];
}

function select<P extends MemoryPoint>(series: MemorySeries<P>[] | undefined, plugin: string, filter?: RunTagFilter) {
  return (series ?? []).filter(
    (s) => s.plugin === plugin && (!filter?.runs || filter.runs.includes(s.run)) && (!filter?.tags || filter.tags.includes(s.tag)),
  );
}

function put<T>(map: RunTagMap<T>, run: string, tag: string, value: T): void {
  let tags = map.get(run);
  if (!tags) map.set(run, (tags = new Map()));
  tags.set(tag, value);
}

function info<P extends MemoryPoint>(s: MemorySeries<P>): TimeSeriesInfo {
  return {
    maxStep: Math.max(...s.points.map((p) => p.step)),
    maxWallTime: Math.max(...s.points.map((p) => p.wallTime)),
    pluginContent: s.pluginContent ?? new Uint8Array(0),
    description: '',
    displayName: '',
  };
}

const newest = <P>(points: P[], n: number) => (n <= 0 ? [] : points.slice(Math.max(0, points.length - n)));

/** A provider over `data`. */
export function memoryProvider(data: MemoryData): DataProvider {
  const blobStore = new Map<string, Uint8Array>();
  for (const s of data.blobs ?? []) {
    s.points.forEach((p, i) => p.blobs.forEach((b, j) => blobStore.set(`${s.run}\0${s.plugin}\0${s.tag}\0${i}\0${j}`, b)));
  }
  const plugins = new Set([...(data.scalars ?? []), ...(data.tensors ?? []), ...(data.blobs ?? [])].map((s) => s.plugin));
  return {
    logdir: data.logdir,
    listRuns: () => data.runs,
    listPlugins: () => [...plugins],
    listScalars(plugin, filter) {
      const out: RunTagMap<TimeSeriesInfo> = new Map();
      for (const s of select(data.scalars, plugin, filter)) put(out, s.run, s.tag, info(s));
      return out;
    },
    readScalars(plugin, downsample, filter) {
      const out: RunTagMap<ScalarColumns> = new Map();
      for (const s of select(data.scalars, plugin, filter)) {
        const pts = newest(s.points, downsample);
        put(out, s.run, s.tag, {
          steps: Float64Array.from(pts, (p) => p.step),
          wallTimes: Float64Array.from(pts, (p) => p.wallTime),
          values: Float64Array.from(pts, (p) => p.value),
        });
      }
      return out;
    },
    listTensors(plugin, filter) {
      const out: RunTagMap<TimeSeriesInfo> = new Map();
      for (const s of select(data.tensors, plugin, filter)) put(out, s.run, s.tag, info(s));
      return out;
    },
    readTensors(plugin, downsample, filter) {
      const out: RunTagMap<TensorDatum[]> = new Map();
      for (const s of select(data.tensors, plugin, filter)) put(out, s.run, s.tag, newest(s.points, downsample));
      return out;
    },
    listBlobSequences(plugin, filter) {
      const out: RunTagMap<BlobSequenceInfo> = new Map();
      for (const s of select(data.blobs, plugin, filter)) put(out, s.run, s.tag, { ...info(s), maxLength: Math.max(...s.points.map((p) => p.blobs.length)) });
      return out;
    },
    readBlobSequences(plugin, downsample, filter) {
      const out: RunTagMap<BlobSequenceDatum[]> = new Map();
      for (const s of select(data.blobs, plugin, filter)) {
        const all = s.points.map((p, i) => ({ step: p.step, wallTime: p.wallTime, blobKeys: p.blobs.map((_, j) => `${s.run}\0${s.plugin}\0${s.tag}\0${i}\0${j}`) }));
        put(out, s.run, s.tag, newest(all, downsample));
      }
      return out;
    },
    readBlob: (key) => blobStore.get(key),
    subscribe: () => () => {},
  };
}

/** A RouteContext around a provider; warnings are collected in `warnings`. */
export function routeContext(provider: DataProvider, samplesPerPlugin: Record<string, number> = {}) {
  const warnings: { fields: object; message: string }[] = [];
  const ctx: RouteContext = {
    provider,
    logdir: provider.logdir,
    samplesPerPlugin,
    host: '127.0.0.1',
    port: 0,
    reloadIntervalSeconds: 0,
    warn: (fields, message) => warnings.push({ fields, message }),
  };
  return { ctx, warnings };
}

/** A GET request as a route sees it. */
export function getRequest(path: string, query: Record<string, string> = {}, experimentId = '') {
  return {
    method: 'GET' as const,
    path,
    query: new URLSearchParams(query),
    body: new Uint8Array(0),
    contentType: '',
    form: new Map<string, string[]>(),
    experimentId,
  };
}

/** A POST request with a JSON body (`contentType` as the frontend sends it). */
export function postRequest(path: string, body: unknown, contentType = 'application/json', experimentId = '') {
  return {
    method: 'POST' as const,
    path,
    query: new URLSearchParams(),
    body: new TextEncoder().encode(JSON.stringify(body)),
    contentType,
    form: new Map<string, string[]>(),
    experimentId,
  };
}

/**
 * A test-only reading of a logdir into {@link MemoryData}: runs (directories with tfevents files), `simple_value`
 * scalars, `hparams` summaries (as tensors carrying their plugin content) and run graphs. Not the loader: no
 * purging, no sampling, only what the hparams, graphs and projector route tests need.
 */
export async function memoryDataFromLogdir(logdir: string): Promise<MemoryData> {
  const { readdirSync } = await import('node:fs');
  const { join, relative } = await import('node:path');
  const { readAllEvents } = await import('@tbpipe/eventlog');
  const data: MemoryData = { logdir, runs: [], scalars: [], tensors: [], blobs: [] };
  const series = new Map<string, MemorySeries<any>>();
  const add = <P extends MemoryPoint>(list: MemorySeries<P>[], run: string, plugin: string, tag: string, point: P, pluginContent?: Uint8Array) => {
    const key = `${run}\0${plugin}\0${tag}`;
    let s = series.get(key) as MemorySeries<P> | undefined;
    if (!s) {
      s = { run, plugin, tag, pluginContent, points: [] };
      series.set(key, s);
      list.push(s);
    }
    s.points.push(point);
  };
  const walk = async (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    const files = entries.filter((e) => e.isFile() && e.name.includes('tfevents')).map((e) => e.name).sort();
    if (files.length) {
      const run = relative(logdir, dir) || '.';
      let startTime: number | null = null;
      for (const file of files) {
        for (const e of await readAllEvents(join(dir, file))) {
          startTime ??= e.wallTime;
          if (e.graphDef) add(data.blobs as MemorySeries<BlobPoint>[], run, 'graphs', '__run_graph__', { step: e.step, wallTime: e.wallTime, blobs: [e.graphDef] });
          for (const v of e.summary?.value ?? []) {
            const plugin = v.metadata?.pluginData?.pluginName;
            if (plugin === 'hparams') {
              add(data.tensors as MemorySeries<TensorPoint>[], run, 'hparams', v.tag, { step: e.step, wallTime: e.wallTime, value: { dtype: 1, shape: [0], numbers: new Float64Array(0) } }, v.metadata?.pluginData?.content);
            } else if (v.simpleValue !== undefined) {
              add(data.scalars as MemorySeries<ScalarPoint>[], run, 'scalars', v.tag, { step: e.step, wallTime: e.wallTime, value: v.simpleValue });
            }
          }
        }
      }
      data.runs.push({ name: run, path: dir, startTime });
    }
    for (const e of entries) if (e.isDirectory()) await walk(join(dir, e.name));
  };
  await walk(logdir);
  return data;
}
