/**
 * A DataProvider over series given in memory, for route tests that need a logdir shape the golden corpus lacks (or
 * that must not depend on the loader), built on the server tests' FakeStore. Downsampling keeps the newest points.
 */
import type { DataProvider, RunInfo, TensorDatum } from '../src/store/provider.ts';
import { FakeStore } from './helpers/fake-store.ts';
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

/** A provider over `data`: the server tests' {@link FakeStore}, filled with its runs and series. */
export function memoryProvider(data: MemoryData): DataProvider {
  const store = new FakeStore(data.logdir);
  for (const run of data.runs) store.addRun(run);
  const meta = (s: MemorySeries<MemoryPoint>) => ({ pluginContent: s.pluginContent, displayName: '' });
  for (const s of data.scalars ?? []) for (const p of s.points) store.addScalar(s.run, s.tag, p.step, p.wallTime, p.value, s.plugin, meta(s));
  for (const s of data.tensors ?? []) for (const p of s.points) store.addTensor(s.run, s.tag, s.plugin, p.step, p.wallTime, p.value, meta(s));
  for (const s of data.blobs ?? []) for (const p of s.points) store.addBlobs(s.run, s.tag, s.plugin, p.step, p.wallTime, p.blobs, meta(s));
  return store;
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
