/**
 * A loaded logdir that keeps itself current: scan → per-run loaders → reads (store/reads.ts). One reload cycle at a
 * time; a cycle asked for while one runs is folded into a single follow-up cycle.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TbpipeError } from '@tbpipe/core';
import * as reads from '../store/reads.ts';
import type { BlobSequenceDatum, BlobSequenceInfo, LoadOptions, LogdirStore, ReloadReport, RunInfo, RunTagFilter, RunTagMap, ScalarColumns, SeriesChange, TensorDatum, TimeSeriesInfo } from '../store/provider.ts';
import { DEFAULT_SAMPLES_PER_PLUGIN, RunLoader, type CycleStats, type LoaderLog } from './run-loader.ts';
import { byCodePoint, scanLogdir } from './scan.ts';
import { watchLogdir } from './watch.ts';

/** Default of {@link LoadOptions.reloadIntervalSeconds}: TensorBoard's `--reload_interval`. */
export const DEFAULT_RELOAD_INTERVAL_SECONDS = 5;

const silent: LoaderLog & { info(o: object, m: string): void } = { warn() {}, info() {} };

export class Logdir implements LogdirStore {
  readonly logdir: string;
  private readonly runs = new Map<string, RunLoader>();
  private readonly listeners = new Set<(report: ReloadReport) => void>();
  private readonly samplesPerPlugin: Record<string, number>;
  private readonly log: LoaderLog & { info(o: object, m: string): void };
  private running: Promise<ReloadReport> | null = null;
  private queued: Promise<ReloadReport> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopWatching: (() => void) | null = null;
  private closed = false;
  /** Event-file read buffer, reused across cycles (cycles never overlap). */
  private readonly readBuffer = { bytes: new Uint8Array(0) };

  constructor(private readonly options: LoadOptions) {
    this.logdir = resolve(options.logdir);
    this.samplesPerPlugin = { ...DEFAULT_SAMPLES_PER_PLUGIN, ...options.samplesPerPlugin };
    this.log = options.logger ?? silent;
  }

  /** First load, then the timer and the watcher. */
  async start(): Promise<void> {
    const st = await stat(this.logdir).catch(() => undefined);
    if (!st?.isDirectory()) {
      throw new TbpipeError('BOARD_LOGDIR', `board: logdir ${this.logdir} ${st ? 'is not a directory' : 'does not exist'}, expected a directory of TensorBoard event files; check --logdir`);
    }
    await this.reload();
    const seconds = this.options.reloadIntervalSeconds ?? DEFAULT_RELOAD_INTERVAL_SECONDS;
    if (seconds > 0 && !this.closed) {
      this.timer = setInterval(() => void this.reload().catch((err) => this.log.warn({ err }, 'reload failed')), seconds * 1000);
      this.timer.unref();
      this.stopWatching = watchLogdir(this.logdir, () => void this.reload().catch((err) => this.log.warn({ err }, 'reload failed')));
    }
  }

  reload(): Promise<ReloadReport> {
    if (this.running === null) {
      this.running = this.cycle().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // Changes may have landed after the running cycle read their file: run once more after it.
    this.queued ??= this.running.then(
      () => {
        this.queued = null;
        return this.reload();
      },
      () => {
        this.queued = null;
        return this.reload();
      },
    );
    return this.queued;
  }

  private async cycle(): Promise<ReloadReport> {
    const stats: CycleStats = { bytesRead: 0, skippedRecords: 0, buffer: this.readBuffer };
    const report: ReloadReport = { runsAdded: [], runsRemoved: [], changes: [], bytesRead: 0, skippedRecords: 0 };
    if (this.closed) return report;
    const scanned = await scanLogdir(this.logdir);
    const names = new Set(scanned.map((r) => r.name));
    for (const name of [...this.runs.keys()]) {
      if (!names.has(name)) {
        this.runs.delete(name);
        report.runsRemoved.push(name);
      }
    }
    for (const s of scanned) {
      let run = this.runs.get(s.name);
      if (!run) {
        run = new RunLoader(s.name, s.path, this.samplesPerPlugin, this.log);
        this.runs.set(s.name, run);
        report.runsAdded.push(s.name);
      }
      await run.reload(s.files, stats);
      for (const t of run.takeChanges()) {
        if (t.meta === null || t.points === null) continue;
        report.changes.push({ run: run.name, plugin: t.meta.plugin, tag: t.tag, lastStep: t.points.length > 0 ? t.points.maxStep() : -1 } satisfies SeriesChange);
      }
    }
    report.bytesRead = stats.bytesRead;
    report.skippedRecords = stats.skippedRecords;
    if (report.runsAdded.length + report.runsRemoved.length + report.changes.length > 0) {
      for (const l of this.listeners) {
        try {
          l(report);
        } catch (err) {
          this.log.warn({ err }, 'reload listener failed');
        }
      }
    }
    return report;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopWatching?.();
    this.stopWatching = null;
    await this.running?.catch(() => undefined);
    this.listeners.clear();
  }

  subscribe(listener: (report: ReloadReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listRuns(): RunInfo[] {
    return [...this.runs.values()]
      .map((r) => ({ name: r.name, path: r.path, startTime: r.startTime }))
      .sort((a, b) => {
        if (a.startTime !== b.startTime) {
          if (a.startTime === null) return 1;
          if (b.startTime === null) return -1;
          return a.startTime - b.startTime;
        }
        return byCodePoint(a.name, b.name);
      });
  }

  listPlugins(): string[] {
    const out = new Set<string>();
    for (const r of this.runs.values()) for (const p of r.plugins()) out.add(p);
    return [...out].sort(byCodePoint);
  }

  listScalars(plugin: string, filter?: RunTagFilter): RunTagMap<TimeSeriesInfo> {
    return reads.listScalars(this.runs.values(), plugin, filter);
  }
  readScalars(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<ScalarColumns> {
    return reads.readScalars(this.runs.values(), plugin, downsample, filter);
  }
  listTensors(plugin: string, filter?: RunTagFilter): RunTagMap<TimeSeriesInfo> {
    return reads.listTensors(this.runs.values(), plugin, filter);
  }
  readTensors(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<TensorDatum[]> {
    return reads.readTensors(this.runs.values(), plugin, downsample, filter);
  }
  listBlobSequences(plugin: string, filter?: RunTagFilter): RunTagMap<BlobSequenceInfo> {
    return reads.listBlobSequences(this.runs.values(), plugin, filter);
  }
  readBlobSequences(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<BlobSequenceDatum[]> {
    return reads.readBlobSequences(this.runs.values(), plugin, downsample, filter);
  }
  readBlob(blobKey: string): Uint8Array | undefined {
    return reads.readBlob(this.runs, blobKey);
  }
}
