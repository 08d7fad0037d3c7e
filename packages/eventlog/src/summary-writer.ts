import { join } from 'node:path';
import { writeFileAtomic } from '@tbpipe/core';
import {
  embeddingSubdir,
  formatMetadataTsv,
  formatProjectorConfig,
  formatTensorsTsv,
  makeSprite,
  matrixRows,
  type EmbeddingInfo,
  type MetadataCell,
} from './embedding.ts';
import { eventlogError } from './errors.ts';
import { EventFileWriter, FILE_VERSION } from './event-file-writer.ts';
import { encodeGraphDef, encodeRunMetadata, type GraphDef } from './graph.ts';
import { makeHistogram, type HistogramBins } from './histogram.ts';
import { hparamsValues, type HparamValue } from './hparams.ts';
import { imageFromPixels, imageToPixels, type DataFormats, type TensorLike } from './image.ts';
import { readPngHeader } from './png.ts';
import {
  DEFAULT_PR_THRESHOLDS,
  checkThresholds,
  computePrCurve,
  encodePrCurveEventInto,
  prCurveEventSize,
  prCurveTensor,
  prCurveValue,
} from './pr-curve.ts';
import { SessionStatus, type Event, type Summary, type SummaryValue } from './proto/messages.ts';
import { pythonFloatRepr } from './python-format.ts';
import { encodeScalarEventInto, scalarEventSize, scalarValue, textValue, type ScalarOptions } from './scalar.ts';

/** Options of {@link SummaryWriter}. Defaults are in {@link DEFAULT_SUMMARY_WRITER_OPTIONS}. */
export interface SummaryWriterOptions {
  /** Records queued before a write starts (torch's `max_queue`). Default 10. */
  maxQueue?: number;
  /** Queued records are written at least this often, in ms (torch's `flush_secs` × 1000). Default 120 000. */
  flushMillis?: number;
  /** Appended to every event file name, e.g. `.train` (torch's `filename_suffix`). Default `''`. */
  filenameSuffix?: string;
  /**
   * Resume after a crash: TensorBoard hides points with step ≥ `purgeStep` from earlier files of this run (torch's
   * `purge_step`: an extra `file_version` event and a `session_log { status: START }`, both at this step).
   */
  purgeStep?: number;
  /** Clock in seconds since the epoch, like Python's `time.time()`; pin it for reproducible files. */
  now?: () => number;
  /** Host name used in file names. Default `os.hostname()`. */
  hostname?: string;
  /**
   * A fixed event file name instead of torch's `events.out.tfevents.<seconds>.<host>.<pid>.<n><suffix>`, e.g.
   * {@link stableEventFileName}`(suffix)`; must start with `events.out.tfevents.` and end with `filenameSuffix`.
   * The file is replaced if it exists, so a rerun (or a build cache restoring an older run's file over it) never
   * leaves two files whose points TensorBoard would both show; sub-runs (`addScalars`, `addHparams`) use the same
   * name in their folders. With `purgeStep`, the existing file is continued instead: its records at or after
   * `purgeStep` (and a record cut off by a crash) are dropped from the file itself and no purge marker is written.
   */
  fileName?: string;
}

/** Every default of {@link SummaryWriterOptions} in one place (torch's defaults). */
export const DEFAULT_SUMMARY_WRITER_OPTIONS = {
  maxQueue: 10,
  flushMillis: 120_000,
  filenameSuffix: '',
  now: (): number => Date.now() / 1000,
} as const;

/** Options of {@link SummaryWriter.addEmbedding} (torch's keyword arguments). */
export interface EmbeddingOptions {
  /** One label per point, or one row per point with `metadataHeader`. */
  metadata?: readonly (MetadataCell | readonly MetadataCell[])[];
  /** Column names when `metadata` rows have several columns. */
  metadataHeader?: readonly string[];
  /** NCHW thumbnails, one per point (1 or 3 channels), tiled into sprite.png. */
  labelImg?: TensorLike;
  /**
   * A sprite made earlier by `makeSprite` (e.g. by another process, from the same thumbnails), written as it is
   * instead of tiling `labelImg`; give one or the other.
   */
  sprite?: { png: Uint8Array; singleImageDim: readonly [number, number] };
  /** Default `'default'`. */
  tag?: string;
  /** Default 0; the files go to `<globalStep %05d>/<tag>/`. */
  globalStep?: number;
}

/** Options of {@link SummaryWriter.addHparams}. */
export interface HparamsOptions {
  /** Allowed values per hparam, shown as filters in the HPARAMS tab. */
  hparamDomainDiscrete?: Record<string, (number | string | boolean)[]>;
  /** Sub-run folder name; default torch's `str(time.time())`, e.g. `1700000000.0`. Pass one for deterministic output. */
  runName?: string;
}

/** Keyword form of `addImage`/`addImages`' trailing arguments: `addImage(tag, img, step, { dataformats: 'HWC' })`. */
export interface ImageOptions {
  walltime?: number;
  dataformats?: DataFormats;
}

/** Options of {@link SummaryWriter.addGraph}. */
export interface GraphOptions {
  walltime?: number;
  /** Device of the `step1` RunMetadata. Default `/device:CPU:0` (torch's). */
  device?: string;
}

const utf8 = new TextEncoder();
const MAX_CACHED_TAGS = 4096;

function checkStep(step: number | undefined): number {
  if (step === undefined) return 0;
  if (!Number.isFinite(step)) {
    throw eventlogError('EVENTLOG_BAD_STEP', `step ${step}`, 'a finite integer', 'pass the global step as a number');
  }
  // Python's int() truncates, and so does torch's `event.step = int(global_step)`.
  return Math.trunc(step);
}

/**
 * Writes TensorBoard event files byte-compatible with PyTorch 1.13.1's `torch.utils.tensorboard.SummaryWriter`;
 * methods are camelCase twins of torch's (`addScalar` ↔ `add_scalar`, same positional order). The event file is
 * created by the constructor; records are queued and written in the background (see {@link EventFileWriter}).
 * Call {@link close} (or use `await using`) so the last records reach the disk.
 * @example
 * await using writer = new SummaryWriter('runs/fashion_mnist_experiment_1', { filenameSuffix: '.train' });
 * writer.addScalar('training loss', 0.8524, 1000);
 */
export class SummaryWriter {
  /** The run directory. */
  readonly logdir: string;
  private readonly options: Required<Omit<SummaryWriterOptions, 'purgeStep' | 'hostname' | 'fileName'>> & { hostname?: string; purgeStep?: number; fileName?: string };
  private readonly fileWriter: EventFileWriter;
  private readonly scalarWriters = new Map<string, EventFileWriter>();
  private readonly embeddings: EmbeddingInfo[] = [];
  private readonly tagBytes = new Map<string, Uint8Array>();
  /** Sprites already encoded, by label-image buffer: several embeddings usually share one set of thumbnails. */
  private readonly sprites = new WeakMap<object, { shape: string; sprite: ReturnType<typeof makeSprite> }>();
  private configWrite: Promise<void> = Promise.resolve();

  constructor(logdir: string, options: SummaryWriterOptions = {}) {
    this.logdir = logdir;
    this.options = { ...DEFAULT_SUMMARY_WRITER_OPTIONS, ...stripUndefined(options) };
    this.fileWriter = this.openFile(logdir);
  }

  /** Path of this writer's event file. */
  get filePath(): string {
    return this.fileWriter.path;
  }

  private openFile(dir: string, purge = true): EventFileWriter {
    const o = this.options;
    const keep = o.fileName !== undefined && purge && o.purgeStep !== undefined ? { keepStepsBelow: checkStep(o.purgeStep) } : {};
    const w = new EventFileWriter(dir, { maxQueue: o.maxQueue, flushMillis: o.flushMillis, filenameSuffix: o.filenameSuffix, now: o.now, hostname: o.hostname, fileName: o.fileName, ...keep });
    // A fixed-name file is purged in place (see `fileName`); a marker would also hide other files' points at ≥ step.
    if (purge && o.purgeStep !== undefined && o.fileName === undefined) {
      const step = checkStep(o.purgeStep);
      w.addEvent({ wallTime: o.now(), step, fileVersion: FILE_VERSION });
      w.addEvent({ wallTime: o.now(), step, sessionLog: { status: SessionStatus.START } });
    }
    return w;
  }

  /** Queue a complete {@link Event} as is (for events no `add*` method builds). */
  addEvent(event: Event): void {
    this.fileWriter.addEvent(event);
  }

  /** Queue `Event{summary}` at `step` (default 0, not serialized) and `walltime` (default now), like torch's `add_summary`. */
  addSummary(summary: Summary, step?: number, walltime?: number): void {
    this.fileWriter.addEvent({ wallTime: walltime ?? this.options.now(), step: checkStep(step), summary });
  }

  private addValue(value: SummaryValue, step?: number, walltime?: number): void {
    this.addSummary({ value: [value] }, step, walltime);
  }

  /**
   * Log a scalar: `simple_value` (float32; NaN and ±Inf kept), or a rank-0 tensor with `newStyle`.
   * @param step global step (integer; default 0); @param walltime seconds since the epoch (default now).
   */
  addScalar(tag: string, value: number, step?: number, walltime?: number, options?: ScalarOptions): void {
    const s = checkStep(step);
    if (options?.newStyle || !(s >= 0 && s <= Number.MAX_SAFE_INTEGER)) {
      this.addValue(scalarValue(tag, Number(value), options), s, walltime);
      return;
    }
    let tb = this.tagBytes.get(tag);
    if (tb === undefined) {
      if (this.tagBytes.size >= MAX_CACHED_TAGS) this.tagBytes.clear();
      tb = utf8.encode(tag);
      this.tagBytes.set(tag, tb);
    }
    const wall = walltime ?? this.options.now();
    const size = scalarEventSize(wall, s, tb.length);
    const at = this.fileWriter.reserve(size);
    encodeScalarEventInto(this.fileWriter.pendingBuffer, at, wall, s, tb, Number(value));
    this.fileWriter.commit(size);
  }

  /**
   * torch's `add_scalars`: each `tag` of `tagScalarDict` goes to its own run `<logdir>/<mainTag with / → _>_<tag>`
   * (one file writer per run, kept open), under the tag `mainTag`, all with one wall time.
   * N.B. torch applies `purge_step` to the main file only; here the sub-runs get it too, so a resumed run has no
   * duplicate points there either.
   */
  addScalars(mainTag: string, tagScalarDict: Record<string, number>, step?: number, walltime?: number): void {
    const wall = walltime ?? this.options.now();
    const s = checkStep(step);
    for (const [tag, value] of Object.entries(tagScalarDict)) {
      const dir = `${this.logdir}/${mainTag.replaceAll('/', '_')}_${tag}`;
      let w = this.scalarWriters.get(dir);
      if (!w) {
        w = this.openFile(dir);
        this.scalarWriters.set(dir, w);
      }
      w.addEvent({ wallTime: wall, step: s, summary: { value: [scalarValue(mainTag, Number(value))] } });
    }
  }

  /**
   * torch's `add_histogram`: `bins` `'tensorflow'` (default; TensorFlow's exponential edges), a bin count
   * (NumPy equal-width bins over [min, max]) or explicit increasing edges; `maxBins` merges neighbouring bins.
   */
  addHistogram(tag: string, values: ArrayLike<number>, step?: number, bins: HistogramBins = 'tensorflow', walltime?: number, maxBins?: number): void {
    this.addValue({ tag, histo: makeHistogram(values, bins, maxBins) }, step, walltime);
  }

  /** torch's `add_histogram_raw`: a histogram from precomputed statistics; `bucketLimits[i]` is bucket i's right edge. */
  addHistogramRaw(
    tag: string,
    stats: { min: number; max: number; num: number; sum: number; sumSquares: number; bucketLimits: ArrayLike<number>; bucketCounts: ArrayLike<number> },
    step?: number,
    walltime?: number,
  ): void {
    if (stats.bucketLimits.length !== stats.bucketCounts.length) {
      throw eventlogError('EVENTLOG_HISTOGRAM_RAW', `${stats.bucketLimits.length} bucket limits and ${stats.bucketCounts.length} counts`, 'as many limits as counts', 'pass one right edge per bucket');
    }
    const { min, max, num, sum, sumSquares } = stats;
    this.addValue({ tag, histo: { min, max, num, sum, sumSquares, bucketLimit: Array.from(stats.bucketLimits), bucket: Array.from(stats.bucketCounts) } }, step, walltime);
  }

  /**
   * torch's `add_image`: one image (`dataformats` default `'CHW'`; also `'HWC'`, `'HW'`), uint8 as is, floats in
   * [0, 1] scaled by 255 and truncated like torch (clamped first, unlike torch), PNG-encoded. The 4th argument may
   * also be an {@link ImageOptions} object.
   */
  addImage(tag: string, img: TensorLike, step?: number, walltime?: number | ImageOptions, dataformats: DataFormats = 'CHW'): void {
    const o = typeof walltime === 'object' ? walltime : { walltime, dataformats };
    this.addValue({ tag, image: imageFromPixels(imageToPixels(img, o.dataformats ?? 'CHW')) }, step, o.walltime);
  }

  /** torch's `add_images`: a batch (`dataformats` default `'NCHW'`, or `'NHWC'`) tiled 8 per row by torch's `make_grid`. */
  addImages(tag: string, imgs: TensorLike, step?: number, walltime?: number | ImageOptions, dataformats: DataFormats = 'NCHW'): void {
    const o = typeof walltime === 'object' ? walltime : { walltime, dataformats };
    this.addImage(tag, imgs, step, o.walltime, o.dataformats ?? 'NCHW');
  }

  /**
   * torch's `add_figure` for a figure already rendered to PNG elsewhere (e.g. `@tbpipe/figures`), so eventlog needs
   * no canvas. Width, height and colorspace come from the PNG header; the bytes are stored unchanged.
   */
  addFigure(tag: string, png: Uint8Array, step?: number, walltime?: number): void {
    const { width, height, channels } = readPngHeader(png);
    this.addValue({ tag, image: { width, height, colorspace: channels, encodedImageString: png } }, step, walltime);
  }

  /** torch's `add_text`: markdown shown in the TEXT tab under `<tag>/text_summary`. */
  addText(tag: string, text: string, step?: number, walltime?: number): void {
    this.addValue(textValue(tag, text), step, walltime);
  }

  /**
   * torch's `add_graph`, given the graph instead of a model to trace: an `Event.graph_def` with the serialized
   * {@link GraphDef}, then `tagged_run_metadata` tag `step1` with torch's RunMetadata (device `/device:CPU:0`).
   */
  addGraph(graph: GraphDef, options: GraphOptions = {}): void {
    const wallTime = options.walltime ?? this.options.now();
    this.fileWriter.addEvent({ wallTime, step: 0, graphDef: encodeGraphDef(graph) });
    this.fileWriter.addEvent({ wallTime, step: 0, taggedRunMetadata: { tag: 'step1', runMetadata: encodeRunMetadata(options.device) } });
  }

  /**
   * torch's `add_pr_curve`: TP/FP/TN/FN/precision/recall at `numThresholds` thresholds (capped at 127 like torch).
   * A `Float32Array` of predictions is bucketed in float32 like a float32 tensor; other arrays in float64.
   */
  addPrCurve(
    tag: string,
    labels: ArrayLike<number | boolean>,
    predictions: ArrayLike<number>,
    step?: number,
    numThresholds: number = DEFAULT_PR_THRESHOLDS,
    weights?: ArrayLike<number>,
    walltime?: number,
  ): void {
    const n = checkThresholds(numThresholds);
    this.addPrTensor(tag, prCurveTensor(computePrCurve(labels, predictions, n, weights), n), n, step, walltime);
  }

  private addPrTensor(tag: string, flat: Float32Array, n: number, step?: number, walltime?: number): void {
    const s = checkStep(step);
    const wall = walltime ?? this.options.now();
    if (!(s >= 0 && s <= Number.MAX_SAFE_INTEGER)) {
      this.addValue(prCurveValue(tag, { truePositives: flat.subarray(0, n), falsePositives: flat.subarray(n, 2 * n), trueNegatives: flat.subarray(2 * n, 3 * n), falseNegatives: flat.subarray(3 * n, 4 * n), precision: flat.subarray(4 * n, 5 * n), recall: flat.subarray(5 * n) }, n), s, wall);
      return;
    }
    const tagBytes = utf8.encode(tag);
    const size = prCurveEventSize(wall, s, tagBytes.length, n);
    const at = this.fileWriter.reserve(size);
    encodePrCurveEventInto(this.fileWriter.pendingBuffer, at, wall, s, tagBytes, flat, n);
    this.fileWriter.commit(size);
  }

  /** torch's `add_pr_curve_raw`: the six rows given directly (each `numThresholds` long after the cap at 127). */
  addPrCurveRaw(
    tag: string,
    truePositiveCounts: ArrayLike<number>,
    falsePositiveCounts: ArrayLike<number>,
    trueNegativeCounts: ArrayLike<number>,
    falseNegativeCounts: ArrayLike<number>,
    precision: ArrayLike<number>,
    recall: ArrayLike<number>,
    step?: number,
    numThresholds: number = DEFAULT_PR_THRESHOLDS,
    weights?: ArrayLike<number>,
    walltime?: number,
  ): void {
    void weights; // accepted and ignored, as in torch
    const n = checkThresholds(numThresholds);
    const data = { truePositives: truePositiveCounts, falsePositives: falsePositiveCounts, trueNegatives: trueNegativeCounts, falseNegatives: falseNegativeCounts, precision, recall };
    this.addPrTensor(tag, prCurveTensor(data, n), n, step, walltime);
  }

  /**
   * torch's `add_embedding`: writes `<step %05d>/<tag>/tensors.tsv`, `metadata.tsv` and `sprite.png` under the
   * logdir and rewrites `projector_config.pbtxt` with every embedding added so far (files written atomically).
   * No event is written. Resolves when the files are on disk. The sprite of a `labelImg` buffer is encoded once per
   * writer and reused by later embeddings passing the same buffer: don't modify it in between.
   */
  async addEmbedding(mat: TensorLike | ArrayLike<ArrayLike<number>>, options: EmbeddingOptions = {}): Promise<void> {
    const tag = options.tag ?? 'default';
    const step = checkStep(options.globalStep);
    const rows = matrixRows(mat);
    const subdir = embeddingSubdir(tag, step);
    const dir = join(this.logdir, subdir);
    const info: EmbeddingInfo = { tensorName: `${tag}:${subdir.split('/')[0]}`, tensorPath: `${subdir}/tensors.tsv` };
    const writes: Promise<void>[] = [];
    if (options.metadata !== undefined) {
      if (options.metadata.length !== rows.length) {
        throw eventlogError('EVENTLOG_EMBEDDING_METADATA', `${options.metadata.length} metadata rows for ${rows.length} points`, 'one per point', 'pass a label for every row of the matrix');
      }
      writes.push(writeFileAtomic(join(dir, 'metadata.tsv'), formatMetadataTsv(options.metadata, options.metadataHeader)));
      info.metadataPath = `${subdir}/metadata.tsv`;
    }
    if (options.labelImg !== undefined && options.sprite !== undefined) {
      throw eventlogError('EVENTLOG_EMBEDDING_IMAGES', 'both labelImg and sprite', 'one of them', 'pass the thumbnails or a sprite made from them, not both');
    }
    if (options.labelImg !== undefined && options.labelImg.shape[0] !== rows.length) {
      throw eventlogError('EVENTLOG_EMBEDDING_IMAGES', `${options.labelImg.shape[0]} label images for ${rows.length} points`, 'one per point', 'pass a thumbnail for every row of the matrix');
    }
    const sprite = options.sprite ?? (options.labelImg !== undefined ? this.spriteOf(options.labelImg) : undefined);
    if (sprite !== undefined) {
      writes.push(writeFileAtomic(join(dir, 'sprite.png'), sprite.png));
      info.sprite = { imagePath: `${subdir}/sprite.png`, singleImageDim: [sprite.singleImageDim[0], sprite.singleImageDim[1]] };
    }
    writes.push(writeFileAtomic(join(dir, 'tensors.tsv'), formatTensorsTsv(rows)));
    await Promise.all(writes);
    this.embeddings.push(info);
    // Serialize config rewrites so concurrent calls cannot leave an older config last.
    const config = formatProjectorConfig(this.embeddings);
    this.configWrite = this.configWrite.then(() => writeFileAtomic(join(this.logdir, 'projector_config.pbtxt'), config));
    await this.configWrite;
  }

  /** The sprite for `labelImg`, encoded once per buffer and shape (a PNG of 2 000 thumbnails takes ~0.25 s). */
  private spriteOf(labelImg: TensorLike): ReturnType<typeof makeSprite> {
    const shape = labelImg.shape.join('x');
    const cached = this.sprites.get(labelImg.data);
    if (cached?.shape === shape) return cached.sprite;
    const sprite = makeSprite(labelImg);
    this.sprites.set(labelImg.data, { shape, sprite });
    return sprite;
  }

  /**
   * torch's `add_hparams`: a sub-run `<logdir>/<runName>` with its own event file holding `_hparams_/experiment`,
   * `_hparams_/session_start_info`, `_hparams_/session_end_info` and one scalar per metric, all at step 0 and the
   * current time. Resolves when that file is closed.
   */
  async addHparams(hparams: Record<string, HparamValue>, metrics: Record<string, number>, options: HparamsOptions = {}): Promise<void> {
    const values = hparamsValues(hparams, metrics, options.hparamDomainDiscrete);
    const runName = options.runName || pythonFloatRepr(this.options.now());
    const w = this.openFile(join(this.logdir, runName), false);
    try {
      const now = this.options.now;
      for (const v of [values.experiment, values.sessionStartInfo, values.sessionEndInfo]) w.addEvent({ wallTime: now(), step: 0, summary: { value: [v] } });
      for (const [tag, value] of Object.entries(metrics)) w.addEvent({ wallTime: now(), step: 0, summary: { value: [scalarValue(tag, Number(value))] } });
    } finally {
      await w.close();
    }
  }

  /** Resolves when every record queued so far is written (all of this writer's files). */
  async flush(): Promise<void> {
    await Promise.all([this.fileWriter.flush(), ...[...this.scalarWriters.values()].map((w) => w.flush())]);
  }

  /** Flush, fsync and close every file of this writer. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([this.fileWriter.close(), ...[...this.scalarWriters.values()].map((w) => w.close()), this.configWrite]);
  }

  /** `await using writer = new SummaryWriter(…)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
