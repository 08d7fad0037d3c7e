/**
 * A small in-memory {@link LogdirStore} for the server's unit tests: series are added by hand, `reload()` publishes
 * what was added since the last call to subscribers. Downsampling keeps the newest `k` points (the real store's
 * choice of the others is random; tests here never depend on which).
 */
import type {
  BlobSequenceDatum,
  BlobSequenceInfo,
  LogdirStore,
  ReloadReport,
  RunInfo,
  RunTagFilter,
  RunTagMap,
  ScalarColumns,
  SeriesChange,
  TensorDatum,
  TimeSeriesInfo,
} from '../../src/store/provider.ts';

type Kind = 'scalars' | 'tensors' | 'blobs';
interface Point {
  step: number;
  wallTime: number;
  value?: number;
  tensor?: TensorDatum['value'];
  blobs?: Uint8Array[];
}
interface Series {
  kind: Kind;
  plugin: string;
  info: TimeSeriesInfo;
  points: Point[];
}

/** Metadata of a series, taken from its first point (as TensorBoard keeps the first record's metadata). */
export interface SeriesMeta {
  pluginContent?: Uint8Array;
  /** Default: the tag. */
  displayName?: string;
}

export class FakeStore implements LogdirStore {
  readonly runs = new Map<string, RunInfo>();
  private series = new Map<string, Map<string, Series>>();
  private blobs = new Map<string, Uint8Array>();
  private listeners = new Set<(r: ReloadReport) => void>();
  private pending: SeriesChange[] = [];
  private pendingRuns: string[] = [];
  closed = false;

  constructor(readonly logdir: string) {}

  private add(run: string, tag: string, kind: Kind, plugin: string, point: Point, meta: SeriesMeta = {}): void {
    if (!this.runs.has(run)) {
      this.runs.set(run, { name: run, path: `${this.logdir}/${run}`, startTime: point.wallTime });
      this.pendingRuns.push(run);
    }
    let byTag = this.series.get(run);
    if (!byTag) this.series.set(run, (byTag = new Map()));
    let s = byTag.get(tag);
    if (!s) {
      const info = { maxStep: -Infinity, maxWallTime: -Infinity, pluginContent: meta.pluginContent ?? new Uint8Array(), description: '', displayName: meta.displayName ?? tag };
      s = { kind, plugin, info, points: [] };
      byTag.set(tag, s);
    }
    s.points.push(point);
    s.info.maxStep = Math.max(s.info.maxStep, point.step);
    s.info.maxWallTime = Math.max(s.info.maxWallTime, point.wallTime);
    this.pending.push({ run, plugin, tag, lastStep: s.info.maxStep });
  }

  /** Declares a run with its own path and start time (otherwise a run appears with its first point). */
  addRun(info: RunInfo): this {
    this.runs.set(info.name, info);
    this.pendingRuns.push(info.name);
    return this;
  }

  addScalar(run: string, tag: string, step: number, wallTime: number, value: number, plugin = 'scalars', meta?: SeriesMeta): this {
    this.add(run, tag, 'scalars', plugin, { step, wallTime, value }, meta);
    return this;
  }

  addTensor(run: string, tag: string, plugin: string, step: number, wallTime: number, tensor: TensorDatum['value'], meta?: SeriesMeta): this {
    this.add(run, tag, 'tensors', plugin, { step, wallTime, tensor }, meta);
    return this;
  }

  addBlobs(run: string, tag: string, plugin: string, step: number, wallTime: number, blobs: Uint8Array[], meta?: SeriesMeta): this {
    this.add(run, tag, 'blobs', plugin, { step, wallTime, blobs }, meta);
    return this;
  }

  private select<T>(plugin: string, kind: Kind, filter: RunTagFilter | undefined, map: (s: Series) => T): RunTagMap<T> {
    const out: RunTagMap<T> = new Map();
    for (const [run, byTag] of this.series) {
      if (filter?.runs && !filter.runs.includes(run)) continue;
      for (const [tag, s] of byTag) {
        if (s.plugin !== plugin || s.kind !== kind) continue;
        if (filter?.tags && !filter.tags.includes(tag)) continue;
        if (!out.has(run)) out.set(run, new Map());
        out.get(run)?.set(tag, map(s));
      }
    }
    return out;
  }

  private static take(points: Point[], k: number): Point[] {
    return k <= 0 ? [] : points.slice(Math.max(0, points.length - k));
  }

  listRuns(): RunInfo[] {
    return [...this.runs.values()].sort((a, b) => (a.startTime ?? Infinity) - (b.startTime ?? Infinity) || (a.name < b.name ? -1 : 1));
  }
  listPlugins(): string[] {
    const names = new Set<string>();
    for (const byTag of this.series.values()) for (const s of byTag.values()) names.add(s.plugin);
    return [...names];
  }
  listScalars(plugin: string, filter?: RunTagFilter) {
    return this.select(plugin, 'scalars', filter, (s) => s.info);
  }
  readScalars(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<ScalarColumns> {
    return this.select(plugin, 'scalars', filter, (s) => {
      const pts = FakeStore.take(s.points, downsample);
      return {
        steps: Float64Array.from(pts, (p) => p.step),
        wallTimes: Float64Array.from(pts, (p) => p.wallTime),
        values: Float64Array.from(pts, (p) => p.value as number),
      };
    });
  }
  listTensors(plugin: string, filter?: RunTagFilter) {
    return this.select(plugin, 'tensors', filter, (s) => s.info);
  }
  readTensors(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<TensorDatum[]> {
    return this.select(plugin, 'tensors', filter, (s) =>
      FakeStore.take(s.points, downsample).map((p) => ({ step: p.step, wallTime: p.wallTime, value: p.tensor as TensorDatum['value'] })),
    );
  }
  listBlobSequences(plugin: string, filter?: RunTagFilter): RunTagMap<BlobSequenceInfo> {
    return this.select(plugin, 'blobs', filter, (s) => ({ ...s.info, maxLength: Math.max(...s.points.map((p) => p.blobs?.length ?? 0)) }));
  }
  readBlobSequences(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<BlobSequenceDatum[]> {
    const out = new Map<string, Map<string, BlobSequenceDatum[]>>();
    for (const [run, byTag] of this.series) {
      if (filter?.runs && !filter.runs.includes(run)) continue;
      for (const [tag, s] of byTag) {
        if (s.plugin !== plugin || s.kind !== 'blobs' || (filter?.tags && !filter.tags.includes(tag))) continue;
        const data = FakeStore.take(s.points, downsample).map((p) => ({
          step: p.step,
          wallTime: p.wallTime,
          blobKeys: (p.blobs ?? []).map((b, i) => {
            const key = `${run}\0${tag}\0${p.step}\0${i}`;
            this.blobs.set(key, b);
            return key;
          }),
        }));
        if (!out.has(run)) out.set(run, new Map());
        out.get(run)?.set(tag, data);
      }
    }
    return out;
  }
  readBlob(blobKey: string): Uint8Array | undefined {
    return this.blobs.get(blobKey);
  }
  subscribe(listener: (r: ReloadReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async reload(): Promise<ReloadReport> {
    const report: ReloadReport = { runsAdded: this.pendingRuns, runsRemoved: [], changes: this.pending, bytesRead: 0, skippedRecords: 0 };
    this.pending = [];
    this.pendingRuns = [];
    if (report.changes.length > 0 || report.runsAdded.length > 0) for (const l of this.listeners) l(report);
    return report;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
