/**
 * The data provider: the one interface between the loader (src/load) and the HTTP routes (src/routes).
 *
 * It mirrors TensorBoard's `tensorboard/data/provider.py` (list/read scalars, tensors and blob sequences, read a blob),
 * with columnar typed arrays instead of an object per point. Routes never reach into loaders; loaders never shape
 * HTTP replies. Everything here is already converted to the plugin forms (TensorBoard's `data_compat` and
 * `dataclass_compat`): an old-style `simple_value` is a `scalars` point, an old-style `Summary.Image` is an `images`
 * blob sequence `[width, height, png]`, an old-style `HistogramProto` is a `histograms` tensor `[k, 3]`, a run's
 * `graph_def` is a `graphs` blob sequence under the tag {@link RUN_GRAPH_TAG}, and so on.
 */

/** TensorBoard's tag for a run's `graph_def` in the `graphs` plugin (`graphs/metadata.py` RUN_GRAPH_NAME). */
export const RUN_GRAPH_TAG = '__run_graph__';

/** One run: a directory under the logdir holding a `*tfevents*` file. */
export interface RunInfo {
  /** Path relative to the logdir with `/` separators, `.` for the logdir itself (TensorBoard's run name). */
  name: string;
  /** Absolute path of the run directory (the projector reads its files from here). */
  path: string;
  /** Wall time (seconds) of the first event of the run's first file, or null before any event was read. */
  startTime: number | null;
}

/** Selects runs and tags; an absent list means "all". */
export interface RunTagFilter {
  runs?: readonly string[];
  tags?: readonly string[];
}

/** What is known about one (run, tag) series without reading its points. */
export interface TimeSeriesInfo {
  /**
   * Largest step among the kept points, as TensorBoard's `MultiplexerDataProvider._list` computes it (the newest
   * point offered is always kept, so this is the latest step unless a purge or out-of-order steps intervened).
   */
  maxStep: number;
  /** Largest wall time among the kept points, in seconds. */
  maxWallTime: number;
  /** `SummaryMetadata.plugin_data.content` of the first record of this tag (TensorBoard keeps the first). */
  pluginContent: Uint8Array;
  /** `SummaryMetadata.summary_description` of the first record. */
  description: string;
  /** `SummaryMetadata.display_name` of the first record. */
  displayName: string;
}

/** A blob sequence series also knows its longest sequence (images: 2 + the number of samples). */
export interface BlobSequenceInfo extends TimeSeriesInfo {
  maxLength: number;
}

/** The kept points of one scalar series, oldest first, as parallel columns of equal length. */
export interface ScalarColumns {
  steps: Float64Array;
  wallTimes: Float64Array;
  /** float32 values are widened to float64 exactly; NaN and ±Infinity are kept. */
  values: Float64Array;
}

/**
 * A tensor value. Numeric dtypes are widened to float64 (int64 beyond 2^53 loses precision, as in TensorBoard's
 * JSON); string tensors keep their raw bytes (`strings`, row-major).
 */
export interface TensorValue {
  /** TensorFlow DataType enum value (`DT_FLOAT` = 1, `DT_DOUBLE` = 2, `DT_STRING` = 7, ...). */
  dtype: number;
  shape: number[];
  /** Row-major numbers for numeric dtypes, else undefined. */
  numbers?: Float64Array;
  /** Row-major byte strings for DT_STRING, else undefined. */
  strings?: Uint8Array[];
}

/** One kept tensor point. */
export interface TensorDatum {
  step: number;
  wallTime: number;
  value: TensorValue;
}

/** One kept blob-sequence point: its blobs are fetched by key with {@link DataProvider.readBlob}. */
export interface BlobSequenceDatum {
  step: number;
  wallTime: number;
  /**
   * Keys, one per element of the sequence; stable while the point is kept. They are TensorBoard's own blob keys for
   * `/data/...` (URL-safe base64 of `["", plugin, run, tag, step, index]`); `readBlob` ignores the experiment id.
   */
  blobKeys: string[];
}

/** run → tag → T */
export type RunTagMap<T> = Map<string, Map<string, T>>;

/** One series gained points (sent to subscribers after each commit; the SSE `/api/events` stream). */
export interface SeriesChange {
  run: string;
  /** Plugin name of the series (`scalars`, `images`, `histograms`, ...). */
  plugin: string;
  tag: string;
  /** Largest step now known for the series. */
  lastStep: number;
}

/** What changed in one reload cycle. */
export interface ReloadReport {
  runsAdded: string[];
  runsRemoved: string[];
  changes: SeriesChange[];
  /** Event-file bytes read in this cycle. */
  bytesRead: number;
  /** Corrupt records skipped in this cycle (each also logged with file and offset). */
  skippedRecords: number;
}

/**
 * Read access to a loaded logdir. `downsample` is the most points a read returns per series: when a series has more,
 * a deterministic subset of that size that always includes the newest point (TensorBoard's `_downsample`);
 * `downsample = 0` returns no points, as TensorBoard 2.20 does.
 */
export interface DataProvider {
  /** The logdir as given (absolute). */
  readonly logdir: string;
  /** Runs sorted by (startTime, name), as TensorBoard's `/data/runs` lists them; runs with no start time last. */
  listRuns(): RunInfo[];
  /** Plugin names that have at least one series (drives `/data/plugins_listing`' `enabled`). */
  listPlugins(): string[];
  listScalars(plugin: string, filter?: RunTagFilter): RunTagMap<TimeSeriesInfo>;
  readScalars(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<ScalarColumns>;
  listTensors(plugin: string, filter?: RunTagFilter): RunTagMap<TimeSeriesInfo>;
  readTensors(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<TensorDatum[]>;
  listBlobSequences(plugin: string, filter?: RunTagFilter): RunTagMap<BlobSequenceInfo>;
  readBlobSequences(plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<BlobSequenceDatum[]>;
  /** The blob's bytes, or undefined for an unknown or evicted key. */
  readBlob(blobKey: string): Uint8Array | undefined;
  /** Called after every commit that changed something; returns the unsubscribe function. */
  subscribe(listener: (report: ReloadReport) => void): () => void;
}

/** Options of {@link openLogdir} (implemented in src/load). */
export interface LoadOptions {
  /** Directory to read; must exist. */
  logdir: string;
  /**
   * Reservoir size per (run, tag) by plugin name; missing plugins get TensorBoard 2.20's defaults (scalars 1000,
   * images 10, audio 10, histograms 500, pr_curves 100, everything else 10 — text included: data_ingester.py has no
   * text entry; 100 is the text route's request-time default). 0 keeps every point.
   */
  samplesPerPlugin?: Record<string, number>;
  /** Seconds between reload cycles; 0 disables the timer (call reload() yourself). Default 5. */
  reloadIntervalSeconds?: number;
  /** pino-style logger; silent by default. */
  logger?: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
}

/** A loaded logdir that keeps itself current. */
export interface LogdirStore extends DataProvider {
  /** Run one reload cycle now (scan, read appended bytes, commit); resolves when it is committed. */
  reload(): Promise<ReloadReport>;
  /** Stop the timer and watchers, close files, end worker threads. */
  close(): Promise<void>;
}
