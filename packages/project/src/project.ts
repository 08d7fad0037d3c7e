import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeData, makeVector, RecordBatch, Struct, Table, vectorFromArray, Utf8 } from 'apache-arrow';
import { createProgress, createRandom, removeTempDebris, silentLogger, writeFileAtomic, writeManifest, writeTableAtomic, type Logger } from '@tbpipe/core';
import { SummaryWriter, stableEventFileName } from '@tbpipe/eventlog';
import {
  FEATURE_WIDTH,
  PIXEL_WIDTH,
  PROJECT_CONTRACT,
  PROJECT_FILES,
  ProjectionsSchema,
  SOURCES,
  type Source,
} from './contract.ts';
import { TooFewPointsError } from './errors.ts';
import { readInputs } from './inputs.ts';
import { accuracyFromGraph, KNN_ACCURACY_K } from './knn-accuracy.ts';
import { nearestNeighbors, type KnnGraph } from './knn.ts';
import { fitPca } from './pca.ts';
import { EVENT_FILE_SUFFIX, firstTwoColumns, removePreviousOutputs, thumbnails, writeEmbedding, writeScatterFigure } from './projector.ts';
import { deriveSeed, sampleRows } from './sampling.ts';
import { runUmap } from './umap.ts';

/** Options of {@link project}; every parameter has its default in {@link DEFAULT_PROJECT_OPTIONS}. */
export interface ProjectOptions {
  /** The ingest stage's output (`train.arrow`, `test.arrow`, manifest `tbpipe.ingest/v1`). CLI `--data`. */
  dataDir: string;
  /** The evaluate stage's output (`predictions.arrow`, manifest `tbpipe.evaluate/v1`). CLI `--predictions`. */
  predictionsDir: string;
  /** This stage's artifact directory. CLI `--out`. */
  outDir: string;
  /** The TensorBoard run directory. CLI `--run-dir`. */
  runDir: string;
  /** Seed of every random choice: samples, PCA start vectors, UMAP init and negative sampling. Default 0. */
  seed?: number;
  /** Training images in the tutorial's embedding (tag `default`), 1 ≤ n ≤ training images. Default 100. */
  sampleImages?: number;
  /** Test images projected (pixels and learned features), nUmapNeighbors < n ≤ 10 000. Default 2000. */
  featurePoints?: number;
  /** UMAP's n_neighbors, 2–100. Default 15. */
  umapNeighbors?: number;
  /** UMAP's min_dist, 0 ≤ x ≤ 1. Default 0.1. */
  umapMinDist?: number;
  /** pino logger; silent by default. */
  logger?: Logger;
}

/** The defaults of every {@link ProjectOptions} parameter (the tutorial's, and pipeline.json's). */
export const DEFAULT_PROJECT_OPTIONS = {
  seed: 0,
  sampleImages: 100,
  featurePoints: 2000,
  umapNeighbors: 15,
  umapMinDist: 0.1,
} as const;

/** Upper bound of `featurePoints`: exact neighbour search is O(n²). */
export const MAX_FEATURE_POINTS = 10_000;
/** Dimensions pixels are reduced to (PCA) before the neighbour search that UMAP starts from. */
export const PIXEL_KNN_DIMENSIONS = 50;

/** Per-source numbers in `metrics.json`. */
export interface SourceMetrics {
  /** Width of the raw vectors (784 or 84). */
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
  sources: Record<Source, SourceMetrics>;
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
  umap2: Float32Array;
  umap3: Float32Array;
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

const layoutAccuracy = (values: Float32Array, width: number, labels: Uint8Array) =>
  accuracyFromGraph(nearestNeighbors(values, labels.length, width, KNN_ACCURACY_K), labels);

/** PCA, the neighbour graph, UMAP 2-D and 3-D, and kNN accuracies for one source. */
async function projectSource(
  source: Source,
  x: Float32Array,
  width: number,
  labels: Uint8Array,
  o: Required<Omit<ProjectOptions, 'logger'>>,
  log: Logger,
  timings: Record<string, number>,
): Promise<Layouts> {
  const n = labels.length;
  const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await f();
    timings[`${source}.${name}`] = Math.round(performance.now() - t);
    log.debug({ source, step: name, millis: timings[`${source}.${name}`] }, 'projection step');
    return r;
  };
  const wide = width > 2 * PIXEL_KNN_DIMENSIONS && n > PIXEL_KNN_DIMENSIONS;
  const pca = await time('pca', () =>
    fitPca(x, n, width, { nComponents: wide ? PIXEL_KNN_DIMENSIONS : Math.min(3, width, n), random: createRandom(deriveSeed(o.seed, `${source}/pca`)) }),
  );
  const k = pca.explainedVariance.length;
  const pca3 = columns(pca.scores, k, 3);
  const umapInput = wide ? pca.scores : x;
  const umapInputWidth = wide ? k : width;
  const graph = await time('knn', () =>
    nearestNeighbors(umapInput, n, umapInputWidth, Math.max(o.umapNeighbors, KNN_ACCURACY_K + 1), { includeSelf: true }),
  );
  const rawAccuracy = wide
    ? await time('knnRaw', () => layoutAccuracy(x, width, labels))
    : accuracyFromGraph(withoutSelf(graph), labels);
  const umap = async (nComponents: number) => {
    const progress = createProgress({ label: `umap ${source} ${nComponents}-D`, total: 1, unit: 'epochs', logger: log });
    let total = 0;
    const out = await runUmap(graph, {
      nComponents,
      nNeighbors: o.umapNeighbors,
      minDist: o.umapMinDist,
      random: createRandom(deriveSeed(o.seed, `${source}/umap${nComponents}`)),
      onEpoch: (epoch, nEpochs) => {
        total = nEpochs;
        progress.update(epoch / nEpochs);
      },
    });
    progress.done({ epochs: total });
    return { out, total };
  };
  const u2 = await time('umap2', () => umap(2));
  const u3 = await time('umap3', () => umap(3));
  timings.umapEpochs = u2.total;
  const metrics: SourceMetrics = {
    width,
    explainedVarianceRatio: Array.from(pca.explainedVarianceRatio.slice(0, 3)),
    knnAccuracy: {
      raw: rawAccuracy,
      umapInput: accuracyFromGraph(withoutSelf(graph), labels),
      pca2: layoutAccuracy(columns(pca3, 3, 2), 2, labels),
      pca3: layoutAccuracy(pca3, 3, labels),
      umap2: layoutAccuracy(u2.out, 2, labels),
      umap3: layoutAccuracy(u3.out, 3, labels),
    },
    umapInput: wide ? 'pca50' : 'raw',
  };
  log.info({ source, explainedVarianceRatio: metrics.explainedVarianceRatio, knnAccuracy: metrics.knnAccuracy }, 'projected');
  return { pca: pca3, umap2: u2.out, umap3: u3.out, metrics };
}

function projectionsTable(rows: Uint32Array, labels: Uint8Array, layouts: Record<Source, Layouts>): Table {
  const n = rows.length;
  const sourceColumn = vectorFromArray(SOURCES.flatMap((s) => Array<string>(n).fill(s)), new Utf8());
  const index = new Uint32Array(2 * n);
  const label = new Uint8Array(2 * n);
  const coords: Record<string, Float32Array> = {};
  for (const name of ['pca_x', 'pca_y', 'pca_z', 'umap2_x', 'umap2_y', 'umap3_x', 'umap3_y', 'umap3_z']) coords[name] = new Float32Array(2 * n);
  SOURCES.forEach((s, si) => {
    const l = layouts[s];
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
  const children = ProjectionsSchema.fields.map((f) => {
    if (f.name === 'source') return sourceColumn.data[0];
    const values = f.name === 'index' ? index : f.name === 'label' ? label : coords[f.name];
    return makeVector(values).data[0];
  });
  const struct = makeData({ type: new Struct(ProjectionsSchema.fields), length: 2 * n, nullCount: 0, children });
  return new Table(ProjectionsSchema, [new RecordBatch(ProjectionsSchema, struct)]);
}

/**
 * The project stage: the tutorial's PROJECTOR embedding (100 random training images as 784 raw pixel values, class
 * names, thumbnails) plus precomputed PCA and UMAP layouts of sampled test images — raw pixels and the network's
 * learned features side by side — as `projections.arrow`, `metrics.json` (explained variance, kNN accuracies),
 * extra projector embeddings and class-coloured scatter plots in the run directory.
 *
 * @example
 * const { metrics } = await project({
 *   dataDir: 'artifacts/fashion-mnist/ingest', predictionsDir: 'artifacts/fashion-mnist/evaluate',
 *   outDir: 'artifacts/fashion-mnist/project', runDir: 'runs/fashion_mnist_experiment_1',
 * });
 */
export async function project(options: ProjectOptions): Promise<ProjectResult> {
  const o = { ...DEFAULT_PROJECT_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<
    Omit<ProjectOptions, 'logger'>
  >;
  const log = (options.logger ?? silentLogger).child({ stage: 'project' });
  const started = performance.now();
  const timings: Record<string, number> = {};
  if (o.featurePoints <= o.umapNeighbors) throw new TooFewPointsError(o.featurePoints, o.umapNeighbors);
  const inputs = await readInputs(o.dataDir, o.predictionsDir, o.sampleImages, o.featurePoints);
  const { classNames, train, test, predictions } = inputs;

  // The tutorial's embedding: select_n_random(trainset.data, trainset.targets), features = images.view(-1, 28*28).
  const trainRows = sampleRows(train.count, o.sampleImages, deriveSeed(o.seed, 'train-sample'));
  const trainPixels = new Float32Array(trainRows.length * PIXEL_WIDTH);
  for (let i = 0; i < trainRows.length; i++) {
    const src = train.images.subarray(trainRows[i] * PIXEL_WIDTH, (trainRows[i] + 1) * PIXEL_WIDTH);
    for (let j = 0; j < PIXEL_WIDTH; j++) trainPixels[i * PIXEL_WIDTH + j] = src[j];
  }

  // Sampled predictions (sorted by prediction row) and the same test images' pixels.
  const picks = sampleRows(predictions.count, o.featurePoints, deriveSeed(o.seed, 'test-sample'), { sorted: true });
  const n = picks.length;
  const testRows = new Uint32Array(n);
  const labels = new Uint8Array(n);
  const predicted = new Uint8Array(n);
  const features = new Float32Array(n * FEATURE_WIDTH);
  const pixels = new Float32Array(n * PIXEL_WIDTH);
  for (let i = 0; i < n; i++) {
    const p = picks[i];
    testRows[i] = predictions.index[p];
    labels[i] = predictions.label[p];
    predicted[i] = predictions.predicted[p];
    features.set(predictions.features.subarray(p * FEATURE_WIDTH, (p + 1) * FEATURE_WIDTH), i * FEATURE_WIDTH);
    const img = test.images.subarray(testRows[i] * PIXEL_WIDTH, (testRows[i] + 1) * PIXEL_WIDTH);
    for (let j = 0; j < PIXEL_WIDTH; j++) pixels[i * PIXEL_WIDTH + j] = img[j] / 255;
  }
  log.info({ points: n, sampleImages: trainRows.length }, 'inputs read');

  const layouts = {} as Record<Source, Layouts>;
  layouts.pixels = await projectSource('pixels', pixels, PIXEL_WIDTH, labels, o, log, timings);
  layouts.features = await projectSource('features', features, FEATURE_WIDTH, labels, o, log, timings);

  const metrics: ProjectMetrics = {
    points: n,
    sampleImages: trainRows.length,
    seed: o.seed,
    knnK: KNN_ACCURACY_K,
    umap: { nNeighbors: o.umapNeighbors, minDist: o.umapMinDist, nEpochs: timings.umapEpochs ?? 0 },
    sources: { pixels: layouts.pixels.metrics, features: layouts.features.metrics },
  };
  delete timings.umapEpochs;

  // Artifacts: a failed run must not leave a manifest that vouches for old files.
  await mkdir(o.outDir, { recursive: true });
  await rm(join(o.outDir, 'manifest.json'), { force: true });
  // A run killed mid-write leaves `.projections.arrow.tmp-…`; Nx would cache it with the outputs.
  await removeTempDebris(o.outDir);
  await writeTableAtomic(join(o.outDir, PROJECT_FILES.projections), projectionsTable(testRows, labels, layouts));
  await writeFileAtomic(join(o.outDir, PROJECT_FILES.metrics), `${JSON.stringify(metrics, null, 2)}\n`);

  // TensorBoard: PROJECTOR embeddings and IMAGES figures.
  await removePreviousOutputs(o.runDir);
  // A fixed name: an Nx cache restore overwrites it rather than leaving a newer run's file beside it.
  const writer = new SummaryWriter(o.runDir, { filenameSuffix: EVENT_FILE_SUFFIX, fileName: stableEventFileName(EVENT_FILE_SUFFIX) });
  const embeddingTags: string[] = [];
  const figureTags: string[] = [];
  try {
    await writeEmbedding(writer, {
      tag: 'default',
      values: trainPixels,
      width: PIXEL_WIDTH,
      metadata: Array.from(trainRows, (r) => classNames[train.labels[r]]),
      sprite: thumbnails(train.images, trainRows),
    });
    embeddingTags.push('default');
    const sprite = thumbnails(test.images, testRows);
    const metadata = Array.from(labels, (l, i) => [classNames[l], classNames[predicted[i]], l === predicted[i] ? 'true' : 'false']);
    const shared = { metadata, metadataHeader: ['label', 'predicted', 'correct'], sprite };
    await writeEmbedding(writer, { tag: 'features', values: features, width: FEATURE_WIDTH, ...shared });
    embeddingTags.push('features');
    for (const source of SOURCES) {
      const l = layouts[source];
      for (const [method, values, width] of [['pca', l.pca, 3], ['umap2', l.umap2, 2], ['umap3', l.umap3, 3]] as const) {
        const tag = `${source}_${method}`;
        await writeEmbedding(writer, { tag, values, width, ...shared });
        embeddingTags.push(tag);
      }
      const m = layouts[source].metrics;
      const what = source === 'pixels' ? 'raw pixels (784-d)' : 'learned features (84-d, fc2)';
      for (const [method, points, acc] of [
        ['pca', firstTwoColumns(l.pca, 3), m.knnAccuracy.pca2],
        ['umap', l.umap2, m.knnAccuracy.umap2],
      ] as const) {
        const tag = `projections/${source}_${method}`;
        const title = `${method === 'pca' ? 'PCA' : 'UMAP'} of ${what}`;
        const sub = `${n} test images · 10-NN accuracy of this layout ${(acc * 100).toFixed(1)} %`;
        await writeScatterFigure(writer, tag, points, labels, classNames, title, sub);
        figureTags.push(tag);
      }
    }
  } finally {
    await writer.close();
  }

  timings.totalMillis = Math.round(performance.now() - started);
  await writeFileAtomic(join(o.outDir, PROJECT_FILES.timings), `${JSON.stringify(timings, null, 2)}\n`);
  const files = [PROJECT_FILES.projections, PROJECT_FILES.metrics];
  await writeManifest(o.outDir, PROJECT_CONTRACT, files, {
    points: n,
    sampleImages: trainRows.length,
    seed: o.seed,
    embeddingTags,
    figureTags,
  });
  log.info({ millis: timings.totalMillis }, 'project done');
  return { files, metrics, embeddingTags, figureTags };
}
