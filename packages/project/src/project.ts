import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeData, makeVector, RecordBatch, Struct, Table, vectorFromArray, Utf8 } from 'apache-arrow';
import { createProgress, MANIFEST_FILE, removeTempDebris, resolveStageOptions, silentLogger, writeFileAtomic, writeManifest, writeTableAtomic, type Logger } from '@tbpipe/core';
import { makeSprite, SummaryWriter, stableEventFileName } from '@tbpipe/eventlog';
import { newLabelArray, writeImages, type ImageShape } from '@tbpipe/ingest/contract';
import { PIXELS_CONTRACT, PIXELS_FILES, PROJECT_CONTRACT, PROJECT_FILES, projectionsSchema, SOURCES, type PixelsManifestInfo, type Source } from './contract.ts';
import { ClassMismatchError, InputCombinationError, PixelsMismatchError, TooFewPointsError } from './errors.ts';
import { readSample, type Sample } from './inputs.ts';
import { accuracyFromGraph, KNN_ACCURACY_K } from './knn-accuracy.ts';
import { EVENT_FILE_SUFFIX, removePreviousOutputs, renderScatterFigure, thumbnails, writeEmbedding, writeFigure } from './projector.ts';
import { readPixelsArtifact, readPixelsManifest, type PixelsArtifact, type SpritePng } from './pixels-artifact.ts';
import { lowerPriority } from './priority.ts';
import { deriveSeed } from './sampling.ts';
import { toKebab } from '@tbpipe/core/option-rules';
import { createRandom } from '@tbpipe/core/random';
import { nearestNeighbors, type KnnGraph } from './knn.ts';
import { fitPca, type PcaModel } from './pca.ts';
import { prepareUmap } from './umap.ts';
import { nearestNeighborsU8 } from './wasm-kernels.mjs';
import { createLayoutRunner, defaultWorkerCount, MAX_WORKERS, type LayoutRunner, type OnEpoch } from './worker-pool.ts';
import { PROJECT_STAGE, SAMPLING_DEFAULTS, type ProjectOptions, type ProjectParams, type ResolvedProjectParams, type SamplingParams } from './options.ts';

export { DEFAULT_PROJECT_OPTIONS, MAX_FEATURE_POINTS } from './options.ts';
export type { ProjectOptions } from './options.ts';
/** Dimensions pixels are reduced to (PCA) before the neighbour search that UMAP starts from. */
export const PIXEL_KNN_DIMENSIONS = 50;

/** Per-source numbers in `metrics.json`. */
export interface SourceMetrics {
  /** Width of the raw vectors (H × W × C pixels, or D features). */
  width: number;
  /** Fraction of variance on each of the first three principal axes. */
  explainedVarianceRatio: number[];
  /** Leave-one-out kNN (k = 10) accuracy in each space: raw vectors, the UMAP input, PCA 2-D/3-D, UMAP 2-D/3-D. */
  knnAccuracy: { raw: number; umapInput: number; pca2: number; pca3: number; umap2: number; umap3: number };
  /** What UMAP's neighbour graph was computed on: `pca50` for pixels, `raw` for features. */
  umapInput: 'pca50' | 'raw';
}

/** `metrics.json`. Deterministic for a seed (no times). */
export interface ProjectMetrics {
  points: number;
  sampleImages: number;
  seed: number;
  knnK: number;
  umap: { nNeighbors: number; minDist: number; nEpochs: number };
  /** One entry per source projected: `pixels` (with `--data`) and `features` (when the predictions carry them). */
  sources: Partial<Record<Source, SourceMetrics>>;
}

/** What {@link project} returns. */
export interface ProjectResult {
  /** Paths written under `outDir`, relative to it (the manifest's file list). */
  files: string[];
  metrics: ProjectMetrics;
  /** Embedding tags written to the run directory's projector config. */
  embeddingTags: string[];
  /** Figure tags written to the IMAGES tab. */
  figureTags: string[];
}

interface Layouts {
  pca: Float32Array;
  /** The first two columns of `pca`: the 2-D PCA layout (kNN accuracy and scatter plot). */
  pca2: Float32Array;
  umap2: Float32Array;
  umap3: Float32Array;
  /** Epochs of the UMAP fits (umap-js's rule for n points). */
  nEpochs: number;
  metrics: SourceMetrics;
}

/** A graph without its first (self) column: the k nearest *other* points, for the kNN vote. */
function withoutSelf(graph: KnnGraph): KnnGraph {
  const k = graph.k - 1;
  const indices = new Int32Array(graph.count * k);
  const distances = new Float32Array(graph.count * k);
  for (let i = 0; i < graph.count; i++) {
    indices.set(graph.indices.subarray(i * graph.k + 1, (i + 1) * graph.k), i * k);
    distances.set(graph.distances.subarray(i * graph.k + 1, (i + 1) * graph.k), i * k);
  }
  return { count: graph.count, k, indices, distances };
}

function columns(values: Float32Array, width: number, take: number): Float32Array {
  const n = values.length / width;
  const out = new Float32Array(n * take);
  for (let i = 0; i < n; i++) for (let c = 0; c < take; c++) out[i * take + c] = values[i * width + c];
  return out;
}

/** One progress reporter over every UMAP fit (they run at the same time: one bar, not four fighting for a line). */
function createUmapProgress(fits: number, log: Logger) {
  const progress = createProgress({ label: 'umap', total: fits, unit: 'fits', logger: log });
  const fractions = new Map<string, number>();
  return {
    onEpoch: (fit: string) => (epoch: number, nEpochs: number) => {
      fractions.set(fit, epoch / nEpochs);
      let done = 0;
      for (const f of fractions.values()) done += f;
      progress.update(Math.round(done * 100) / 100);
    },
    done: (fields: Record<string, number>) => progress.done(fields),
  };
}

interface Fit {
  embedding: Float32Array;
  nEpochs: number;
  accuracy: number;
}

/** A source after its prerequisites: PCA and the neighbour graph done, both UMAP fits handed to the runner. */
interface Started {
  source: Source;
  x: Float32Array;
  /** The same vectors as uint8 when they are images (x = bytes / 255): the raw kNN then runs on integers. */
  bytes?: Uint8Array;
  width: number;
  wide: boolean;
  pca: PcaModel;
  graph: KnnGraph;
  fits: [Promise<Fit>, Promise<Fit>];
}

type Timer = <T>(name: string, f: () => T) => T;

const timer =
  (source: Source, timings: Record<string, number>): Timer =>
  (name, f) => {
    const started = performance.now();
    const result = f();
    timings[`${source}.${name}`] = Math.round(performance.now() - started);
    return result;
  };

const layoutAccuracy = (values: Float32Array, n: number, width: number, labels: Uint16Array) =>
  accuracyFromGraph(nearestNeighbors(values, n, width, KNN_ACCURACY_K), labels);

/**
 * PCA and the neighbour graph of one source in this thread, then both UMAP fits: each prepared here (umap-js's
 * `initializeFit`) and its SGD epochs handed to `runner`, so the next step here overlaps the fits.
 */
function startSource(
  source: Source,
  x: Float32Array,
  bytes: Uint8Array | undefined,
  width: number,
  labels: Uint16Array,
  o: ProjectParams,
  timings: Record<string, number>,
  runner: LayoutRunner,
  onEpoch: (fit: string) => OnEpoch,
): Started {
  const n = labels.length;
  const time = timer(source, timings);
  const wide = width > 2 * PIXEL_KNN_DIMENSIONS && n > PIXEL_KNN_DIMENSIONS;
  const nComponents = wide ? PIXEL_KNN_DIMENSIONS : Math.min(3, width, n);
  const pca = time('pca', () => fitPca(x, n, width, { nComponents, random: createRandom(deriveSeed(o.seed, `${source}/pca`)) }));
  const k = pca.explainedVariance.length;
  const umapInput = wide ? pca.scores : x;
  const neighbors = Math.max(o.umapNeighbors, KNN_ACCURACY_K + 1);
  const graph = time('knn', () => nearestNeighbors(umapInput, n, wide ? k : width, neighbors, { includeSelf: true }));
  const fit = (dims: 2 | 3): Promise<Fit> => {
    const seed = deriveSeed(o.seed, `${source}/umap${dims}`);
    const job = time(`umap${dims}Prepare`, () => prepareUmap(graph, { nComponents: dims, nNeighbors: o.umapNeighbors, minDist: o.umapMinDist, seed }));
    return runner.run(job, { onEpoch: onEpoch(`${source}/umap${dims}`) }).then(({ embedding, millis }) => {
      timings[`${source}.umap${dims}`] = Math.round(millis);
      const coords = Float32Array.from(embedding);
      return { embedding: coords, nEpochs: job.nEpochs, accuracy: time(`umap${dims}Accuracy`, () => layoutAccuracy(coords, n, dims, labels)) };
    });
  };
  return { source, x, bytes, width, wide, pca, graph, fits: [fit(2), fit(3)] };
}

/** The kNN scores that need no UMAP layout (raw space, UMAP input, PCA 2-D/3-D), in this thread while the fits run. */
function scoresWithoutUmap(s: Started, labels: Uint16Array, timings: Record<string, number>) {
  const n = labels.length;
  const time = timer(s.source, timings);
  const k = s.pca.explainedVariance.length;
  const pca3 = columns(s.pca.scores, k, 3);
  const pca2 = columns(pca3, 3, 2);
  const umapInput = accuracyFromGraph(withoutSelf(s.graph), labels);
  // Raw pixels: the exact integer search on the uint8 images (the same neighbours as on x = pixels / 255, in wasm SIMD).
  const rawGraph = (): KnnGraph => {
    if (!s.bytes) return nearestNeighbors(s.x, n, s.width, KNN_ACCURACY_K);
    const { indices, squaredDistances } = nearestNeighborsU8(s.bytes, n, s.width, KNN_ACCURACY_K);
    return { count: n, k: KNN_ACCURACY_K, indices, distances: Float32Array.from(squaredDistances, (q) => Math.sqrt(q) / 255) };
  };
  const raw = s.wide ? time('knnRaw', () => accuracyFromGraph(rawGraph(), labels)) : umapInput;
  const [pca2Accuracy, pca3Accuracy] = time('pcaAccuracy', () => [layoutAccuracy(pca2, n, 2, labels), layoutAccuracy(pca3, n, 3, labels)]);
  return { pca2, pca3, raw, umapInput, pca2Accuracy, pca3Accuracy };
}

/** Wait for a source's fits and assemble its layouts and metrics. */
async function finishSource(s: Started, scores: ReturnType<typeof scoresWithoutUmap>, log: Logger): Promise<Layouts> {
  const [u2, u3] = await Promise.all(s.fits);
  const metrics: SourceMetrics = {
    width: s.width,
    explainedVarianceRatio: Array.from(s.pca.explainedVarianceRatio.slice(0, 3)),
    knnAccuracy: { raw: scores.raw, umapInput: scores.umapInput, pca2: scores.pca2Accuracy, pca3: scores.pca3Accuracy, umap2: u2.accuracy, umap3: u3.accuracy },
    umapInput: s.wide ? 'pca50' : 'raw',
  };
  log.info({ source: s.source, explainedVarianceRatio: metrics.explainedVarianceRatio, knnAccuracy: metrics.knnAccuracy }, 'projected');
  return { pca: scores.pca3, pca2: scores.pca2, umap2: u2.embedding, umap3: u3.embedding, nEpochs: u2.nEpochs, metrics };
}

function projectionsTable(rows: Uint32Array, labels: Uint16Array, layouts: Partial<Record<Source, Layouts>>, sources: readonly Source[], classCount: number): Table {
  const n = rows.length;
  const m = sources.length * n;
  const schema = projectionsSchema(classCount);
  const sourceColumn = vectorFromArray(sources.flatMap((s) => Array<string>(n).fill(s)), new Utf8());
  const index = new Uint32Array(m);
  const label = newLabelArray(m, classCount);
  const coords: Record<string, Float32Array> = {};
  for (const name of ['pca_x', 'pca_y', 'pca_z', 'umap2_x', 'umap2_y', 'umap3_x', 'umap3_y', 'umap3_z']) coords[name] = new Float32Array(m);
  sources.forEach((s, si) => {
    const l = layouts[s]!;
    for (let i = 0; i < n; i++) {
      const r = si * n + i;
      index[r] = rows[i];
      label[r] = labels[i];
      coords.pca_x[r] = l.pca[3 * i];
      coords.pca_y[r] = l.pca[3 * i + 1];
      coords.pca_z[r] = l.pca[3 * i + 2];
      coords.umap2_x[r] = l.umap2[2 * i];
      coords.umap2_y[r] = l.umap2[2 * i + 1];
      coords.umap3_x[r] = l.umap3[3 * i];
      coords.umap3_y[r] = l.umap3[3 * i + 1];
      coords.umap3_z[r] = l.umap3[3 * i + 2];
    }
  });
  const children = schema.fields.map((f) => {
    if (f.name === 'source') return sourceColumn.data[0];
    const values = f.name === 'index' ? index : f.name === 'label' ? label : coords[f.name];
    return makeVector(values).data[0];
  });
  const struct = makeData({ type: new Struct(schema.fields), length: m, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/** What the PROJECTOR and the IMAGES tab show of the images: computed here from `--data`, or read from `--pixels`. */
interface ImageViews {
  shape: ImageShape;
  /** The tutorial's sampled training images (tag `default`), in sample order. */
  trainSample: { images: Uint8Array; labels: Uint16Array; count: number };
  /** The sampled test images' sprite, shared by every embedding of the test points. */
  sprite: SpritePng;
  /** The pixels' scatter plots (PNG), when the pixels are projected. */
  figures?: { pca: Uint8Array; umap: Uint8Array };
}

const identityRows = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

/** Title and subtitle of a source's scatter plots. */
function figureTexts(source: Source, method: 'pca' | 'umap', n: number, width: number, featureLayer: string | undefined, accuracy: number) {
  const what = source === 'pixels' ? `raw pixels (${width}-d)` : `learned features (${width}-d${featureLayer ? `, ${featureLayer}` : ''})`;
  return {
    title: `${method === 'pca' ? 'PCA' : 'UMAP'} of ${what}`,
    subtitle: `${n} test images · 10-NN accuracy of this layout ${(accuracy * 100).toFixed(1)} %`,
  };
}

/** A source's two scatter plots (PCA and UMAP 2-D), PNG. */
async function renderFigures(source: Source, l: Layouts, labels: Uint16Array, classNames: readonly string[], width: number, featureLayer?: string) {
  const png = (method: 'pca' | 'umap', points: Float32Array, accuracy: number) => {
    const { title, subtitle } = figureTexts(source, method, labels.length, width, featureLayer, accuracy);
    return renderScatterFigure(points, labels, classNames, title, subtitle);
  };
  const [pca, umap] = await Promise.all([png('pca', l.pca2, l.metrics.knnAccuracy.pca2), png('umap', l.umap2, l.metrics.knnAccuracy.umap2)]);
  return { pca, umap };
}

/** The views of the images from `--data`: sampled training images, the test sample's sprite, the pixels' figures. */
async function imageViews(sample: Sample, layouts: Partial<Record<Source, Layouts>>): Promise<ImageViews | undefined> {
  const { train, test, shape, trainRows, testRows, pixelWidth } = sample;
  if (!train || !test || !shape) return undefined;
  const images = new Uint8Array(trainRows.length * pixelWidth);
  const labels = new Uint16Array(trainRows.length);
  trainRows.forEach((r, i) => {
    images.set(train.images.subarray(r * pixelWidth, (r + 1) * pixelWidth), i * pixelWidth);
    labels[i] = train.labels[r];
  });
  const pixels = layouts.pixels;
  return {
    shape,
    trainSample: { images, labels, count: trainRows.length },
    sprite: makeSprite(thumbnails(test.images, testRows, shape)),
    figures: pixels ? await renderFigures('pixels', pixels, sample.labels, sample.classNames, pixelWidth) : undefined,
  };
}

/** Layouts of the `pixels` source as read from a pixels-only run. */
function pixelLayouts(p: PixelsArtifact): Layouts {
  return { pca: p.layouts.pca, pca2: columns(p.layouts.pca, 3, 2), umap2: p.layouts.umap2, umap3: p.layouts.umap3, nEpochs: p.layouts.nEpochs, metrics: p.layouts.metrics };
}

/**
 * The sampling and UMAP params this run works with: each as given; an omitted one is the pixels run's (`--pixels`,
 * from its manifest) or else the default. One given that differs from the pixels run's is a PROJECT_PIXELS_MISMATCH:
 * that run's layouts were made from other points or with another UMAP.
 */
function settleSampling(o: ResolvedProjectParams, pixels: { dir: string; info: PixelsManifestInfo } | undefined): ProjectParams {
  const made: SamplingParams | undefined = pixels && {
    seed: pixels.info.seed,
    sampleImages: pixels.info.sampleImages,
    featurePoints: pixels.info.points,
    umapNeighbors: pixels.info.umapNeighbors,
    umapMinDist: pixels.info.umapMinDist,
  };
  const settled = {} as SamplingParams;
  for (const key of Object.keys(SAMPLING_DEFAULTS) as (keyof SamplingParams)[]) {
    const given = o[key];
    if (made && given !== undefined && given !== made[key]) {
      const flag = `--${toKebab(key)}`;
      const todo = `leave ${flag} out to use the pixels run's value, or rerun the pixels-only stage with ${flag} ${given}`;
      throw new PixelsMismatchError(pixels!.dir, `was made with ${flag} ${made[key]}`, `${flag} ${given} (this run's)`, todo);
    }
    settled[key] = given ?? made?.[key] ?? SAMPLING_DEFAULTS[key];
  }
  return { ...o, ...settled };
}

/** Check that `--pixels` projects the very points, with the same class names, that this run samples. */
function checkPixels(p: PixelsArtifact, sample: Sample, o: ProjectParams): void {
  const names = sample.classNames;
  if (names.length !== p.classNames.length || names.some((c, i) => c !== p.classNames[i])) {
    throw new ClassMismatchError(o.predictionsDir!, names, p.dir, p.classNames);
  }
  for (let i = 0; i < sample.testRows.length; i++) {
    if (p.rows[i] !== sample.testRows[i] || p.labels[i] !== sample.labels[i]) {
      throw new PixelsMismatchError(
        p.dir,
        `projects test row ${p.rows[i]} (label ${p.labels[i]}) as point ${i}`,
        `test row ${sample.testRows[i]} (label ${sample.labels[i]}), the one this run samples from the predictions`,
        'the predictions do not cover test.arrow row by row in its order (a pixels-only run samples those rows): pass --data instead of --pixels',
      );
    }
  }
}

/** Which of the four ways to run this is, or a PROJECT_INPUTS error. */
function checkInputs(o: ResolvedProjectParams): void {
  if (o.dataDir !== undefined && o.pixelsDir !== undefined) {
    throw new InputCombinationError('both --data and --pixels', 'one of them', 'drop --pixels to compute the pixels here, or --data to reuse them');
  }
  if (o.predictionsDir === undefined) {
    if (o.dataDir === undefined) {
      const seen = o.pixelsDir !== undefined ? '--pixels without --predictions' : 'neither --data nor --predictions';
      throw new InputCombinationError(seen, '--predictions, or --data alone for a pixels-only run', 'pass the evaluate stage\'s output as --predictions');
    }
    if (o.runDir !== undefined) {
      throw new InputCombinationError(
        `--run-dir ${o.runDir} in a pixels-only run (--data without --predictions)`,
        'no run directory (a pixels-only run writes no TensorBoard files)',
        'drop --run-dir (in pipeline.json: "runDir": false on this stage)',
      );
    }
  } else if (o.runDir === undefined) {
    throw new InputCombinationError('--predictions without --run-dir', 'a TensorBoard run directory', 'pass --run-dir');
  }
}

/**
 * The project stage: the tutorial's PROJECTOR embedding (100 random training images as 784 raw pixel values, class
 * names, thumbnails) plus precomputed PCA and UMAP layouts of sampled test images — raw pixels and the network's
 * learned features side by side — as `projections.arrow`, `metrics.json` (explained variance, kNN accuracies),
 * extra projector embeddings and class-coloured scatter plots in the run directory.
 *
 * The pixel half needs only the images, so it can run before the predictions exist: with `dataDir` and no
 * `predictionsDir` (a pixels-only run) it writes the pixels' projections, sprite and figures to `outDir` only
 * (contract `tbpipe.project-pixels/v1`), and a later run given them as `pixelsDir` (instead of `dataDir`) reuses them,
 * producing the same files as one run with `dataDir`.
 *
 * @example
 * const { metrics } = await project({
 *   dataDir: 'artifacts/fashion-mnist/ingest', predictionsDir: 'artifacts/fashion-mnist/evaluate',
 *   outDir: 'artifacts/fashion-mnist/project', runDir: 'runs/fashion_mnist_experiment_1',
 * });
 * // or, the pixels while training runs, then the rest:
 * await project({ dataDir: 'artifacts/fashion-mnist/ingest', outDir: 'artifacts/fashion-mnist/project-pixels' });
 * await project({
 *   pixelsDir: 'artifacts/fashion-mnist/project-pixels', predictionsDir: 'artifacts/fashion-mnist/evaluate',
 *   outDir: 'artifacts/fashion-mnist/project', runDir: 'runs/fashion_mnist_experiment_1',
 * });
 */
export async function project(options: ProjectOptions): Promise<ProjectResult> {
  // The same check as the CLI's (PROJECT_STAGE): a library call with featurePoints: 0 fails with the flag's message.
  const given: ResolvedProjectParams = resolveStageOptions(PROJECT_STAGE, withoutUndefined(options));
  const log = (options.logger ?? silentLogger).child({ stage: 'project' });
  const started = performance.now();
  const timings: Record<string, number> = {};
  checkInputs(given);
  const pixelsInfo = given.pixelsDir !== undefined ? await readPixelsManifest(given.pixelsDir) : undefined;
  const o = settleSampling(given, pixelsInfo && { dir: given.pixelsDir!, info: pixelsInfo });
  if (o.featurePoints <= o.umapNeighbors) throw new TooFewPointsError(o.featurePoints, o.umapNeighbors);
  const workers = o.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) throw new RangeError(`project: workers = ${workers}, expected 0–${MAX_WORKERS}`);
  // Before the workers start: they inherit it.
  const priority = lowerPriority(o.niceness);
  // Started before the inputs are read, so the threads boot meanwhile.
  const runner = createLayoutRunner(workers);
  let sample: Sample;
  let pixels: PixelsArtifact | undefined;
  let layouts: Partial<Record<Source, Layouts>>;
  try {
    [sample, pixels] = await Promise.all([readSample(o), pixelsInfo ? readPixelsArtifact(o.pixelsDir!, pixelsInfo) : undefined]);
    if (pixels) checkPixels(pixels, sample, o);
    timings.read = Math.round(performance.now() - started);
    log.info({ points: sample.labels.length, sampleImages: sample.trainRows.length, workers, priority, pixels: o.pixelsDir ?? (sample.shape ? 'computed' : 'none') }, 'inputs read');
    layouts = await computeLayouts(sample, o, timings, runner, log);
  } finally {
    await runner.close();
  }
  if (pixels) layouts = { pixels: pixelLayouts(pixels), ...layouts };
  const sources = SOURCES.filter((s) => layouts[s] !== undefined);
  const { classNames, testRows, labels } = sample;
  const n = labels.length;
  const views: ImageViews | undefined = pixels
    ? { shape: pixels.shape, trainSample: pixels.trainSample, sprite: pixels.sprite, figures: pixels.figures }
    : await imageViews(sample, layouts);

  const metrics: ProjectMetrics = {
    points: n,
    sampleImages: views?.trainSample.count ?? 0,
    seed: o.seed,
    knnK: KNN_ACCURACY_K,
    umap: { nNeighbors: o.umapNeighbors, minDist: o.umapMinDist, nEpochs: layouts[sources.at(-1)!]!.nEpochs },
    sources: Object.fromEntries(sources.map((s) => [s, layouts[s]!.metrics])),
  };

  // Artifacts: a failed run must not leave a manifest that vouches for old files.
  await mkdir(o.outDir, { recursive: true });
  await rm(join(o.outDir, MANIFEST_FILE), { force: true });
  // A run killed mid-write leaves `.projections.arrow.tmp-…`; Nx would cache it with the outputs.
  await removeTempDebris(o.outDir);
  await writeTableAtomic(join(o.outDir, PROJECT_FILES.projections), projectionsTable(testRows, labels, layouts, sources, classNames.length));
  await writeFileAtomic(join(o.outDir, PROJECT_FILES.metrics), `${JSON.stringify(metrics, null, 2)}\n`);

  if (o.predictionsDir === undefined) {
    // A pixels-only run: what a later run's --pixels needs, and nothing in a run directory.
    const v = views!;
    const trainSample = { images: v.trainSample.images, labels: v.trainSample.labels, count: v.trainSample.count, classNames, ...v.shape };
    await writeImages(join(o.outDir, PIXELS_FILES.trainSample), trainSample, PIXELS_CONTRACT);
    await writeFileAtomic(join(o.outDir, PIXELS_FILES.sprite), v.sprite.png);
    await mkdir(join(o.outDir, dirname(PIXELS_FILES.pcaFigure)), { recursive: true });
    await writeFileAtomic(join(o.outDir, PIXELS_FILES.pcaFigure), v.figures!.pca);
    await writeFileAtomic(join(o.outDir, PIXELS_FILES.umapFigure), v.figures!.umap);
    timings.totalMillis = Math.round(performance.now() - started);
    await writeFileAtomic(join(o.outDir, PIXELS_FILES.timings), `${JSON.stringify(timings, null, 2)}\n`);
    const files = [PIXELS_FILES.projections, PIXELS_FILES.metrics, PIXELS_FILES.trainSample, PIXELS_FILES.sprite, PIXELS_FILES.pcaFigure, PIXELS_FILES.umapFigure];
    const info: PixelsManifestInfo = {
      points: n,
      sampleImages: v.trainSample.count,
      seed: o.seed,
      umapNeighbors: o.umapNeighbors,
      umapMinDist: o.umapMinDist,
      spriteImageDim: v.sprite.singleImageDim,
    };
    await writeManifest(o.outDir, PIXELS_CONTRACT, files, { ...info });
    log.info({ millis: timings.totalMillis }, 'project (pixels only) done');
    return { files, metrics, embeddingTags: [], figureTags: [] };
  }

  const writing = performance.now();
  const { embeddingTags, figureTags } = await writeRunDir(o.runDir!, sample, layouts, sources, views);
  timings.writeRunDir = Math.round(performance.now() - writing);
  timings.totalMillis = Math.round(performance.now() - started);
  await writeFileAtomic(join(o.outDir, PROJECT_FILES.timings), `${JSON.stringify(timings, null, 2)}\n`);
  const files = [PROJECT_FILES.projections, PROJECT_FILES.metrics];
  await writeManifest(o.outDir, PROJECT_CONTRACT, files, {
    points: n,
    sampleImages: metrics.sampleImages,
    seed: o.seed,
    embeddingTags,
    figureTags,
  });
  log.info({ millis: timings.totalMillis }, 'project done');
  return { files, metrics, embeddingTags, figureTags };
}

/** PCA, the neighbour graphs and both UMAP fits of every source `sample` holds, with their kNN scores. */
async function computeLayouts(
  sample: Sample,
  o: ProjectParams,
  timings: Record<string, number>,
  runner: LayoutRunner,
  log: Logger,
): Promise<Partial<Record<Source, Layouts>>> {
  const progress = createUmapProgress(2 * sample.sources.length, log);
  // Every source's fits are queued before any kNN score is computed here, so the workers start as early as possible.
  // Features first: their PCA is the cheap one (no 784-d randomized PCA), so the first fits reach the workers sooner.
  const startOrder = [...sample.sources].sort((a, b) => Number(b === 'features') - Number(a === 'features'));
  const startedBy = new Map(
    startOrder.map((source) => [
      source,
      source === 'pixels'
        ? startSource('pixels', sample.pixels, sample.pixelBytes, sample.pixelWidth, sample.labels, o, timings, runner, progress.onEpoch)
        : startSource('features', sample.features, undefined, sample.featureWidth, sample.labels, o, timings, runner, progress.onEpoch),
    ]),
  );
  const started = sample.sources.map((source) => startedBy.get(source)!);
  // A fit that fails while this thread is busy must not be reported as unhandled; it is awaited below.
  for (const s of started) for (const f of s.fits) f.catch(() => {});
  const scores = started.map((s) => scoresWithoutUmap(s, sample.labels, timings));
  const finished = await Promise.all(started.map((s, i) => finishSource(s, scores[i], log)));
  if (finished.length) progress.done({ epochs: finished[0].nEpochs });
  return Object.fromEntries(sample.sources.map((s, i) => [s, finished[i]]));
}

/** TensorBoard: the PROJECTOR embeddings and the IMAGES tab's figures, replacing what a previous run left. */
async function writeRunDir(runDir: string, sample: Sample, layouts: Partial<Record<Source, Layouts>>, sources: readonly Source[], views: ImageViews | undefined) {
  const { classNames, labels, predicted, features } = sample;
  await removePreviousOutputs(runDir);
  // A fixed name: an Nx cache restore overwrites it rather than leaving a newer run's file beside it.
  const writer = new SummaryWriter(runDir, { filenameSuffix: EVENT_FILE_SUFFIX, fileName: stableEventFileName(EVENT_FILE_SUFFIX) });
  const embeddingTags: string[] = [];
  const figureTags: string[] = [];
  try {
    if (views) {
      const t = views.trainSample;
      await writeEmbedding(writer, {
        tag: 'default',
        values: Float32Array.from(t.images),
        width: t.images.length / t.count,
        metadata: Array.from(t.labels, (l) => classNames[l]),
        sprite: thumbnails(t.images, identityRows(t.count), views.shape),
      });
      embeddingTags.push('default');
    }
    // Without images (predictions made elsewhere) the embeddings have no thumbnails.
    const metadata = Array.from(labels, (l, i) => [classNames[l], classNames[predicted[i]], l === predicted[i] ? 'true' : 'false']);
    const shared = { metadata, metadataHeader: ['label', 'predicted', 'correct'], spritePng: views?.sprite };
    if (layouts.features) {
      await writeEmbedding(writer, { tag: 'features', values: features, width: sample.featureWidth, ...shared });
      embeddingTags.push('features');
    }
    for (const source of sources) {
      const l = layouts[source]!;
      for (const [method, values, width] of [['pca', l.pca, 3], ['umap2', l.umap2, 2], ['umap3', l.umap3, 3]] as const) {
        const tag = `${source}_${method}`;
        await writeEmbedding(writer, { tag, values, width, ...shared });
        embeddingTags.push(tag);
      }
      const figures = source === 'pixels' ? views!.figures! : await renderFigures(source, l, labels, classNames, sample.featureWidth, sample.featureLayer);
      for (const method of ['pca', 'umap'] as const) {
        const tag = `projections/${source}_${method}`;
        writeFigure(writer, tag, figures[method]);
        figureTags.push(tag);
      }
    }
  } finally {
    await writer.close();
  }
  return { embeddingTags, figureTags };
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as T;
}
