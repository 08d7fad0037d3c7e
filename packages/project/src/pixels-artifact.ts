import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError, readTable, verifyManifest } from '@tbpipe/core';
import { readImages, type ImageShape } from '@tbpipe/ingest/contract';
import { COORDINATE_COLUMNS, PIXELS_CONTRACT, PIXELS_FILES, projectionsSchema, type PixelsManifestInfo } from './contract.ts';
import type { SourceMetrics } from './project.ts';

/** A sprite as `makeSprite` returns it: the PNG and one thumbnail's (width, height). */
export interface SpritePng {
  png: Uint8Array;
  singleImageDim: [number, number];
}

/** The pixel side of the projections: what a pixels-only run computes once and a later run reuses. */
export interface PixelLayouts {
  /** n × 3 PCA scores. */
  pca: Float32Array;
  /** n × 2 and n × 3 UMAP layouts. */
  umap2: Float32Array;
  umap3: Float32Array;
  nEpochs: number;
  metrics: SourceMetrics;
}

/** A pixels-only run's output (`tbpipe.project-pixels/v1`), read and checked at this boundary. */
export interface PixelsArtifact {
  dir: string;
  info: PixelsManifestInfo;
  classNames: string[];
  shape: ImageShape;
  /** The tutorial's sampled training images, in sample order. */
  trainSample: { images: Uint8Array; labels: Uint16Array; count: number };
  /** Row in test.arrow of each projected point, ascending, and its label. */
  rows: Uint32Array;
  labels: Uint16Array;
  layouts: PixelLayouts;
  sprite: SpritePng;
  figures: { pca: Uint8Array; umap: Uint8Array };
}

const bad = (path: string, seen: string, expected: string) =>
  new ContractError('PIXELS_CORRUPT', `contract: ${path} has ${seen}, expected ${expected}; rerun the pixels-only project stage that wrote it.`);

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Interleave the named Float32 columns of `table` into one n × columns.length array. */
function interleave(table: Awaited<ReturnType<typeof readTable>>, names: readonly string[]): Float32Array {
  const n = table.numRows;
  const out = new Float32Array(n * names.length);
  names.forEach((name, c) => {
    const values = table.getChild(name)!.toArray() as Float32Array;
    for (let i = 0; i < n; i++) out[i * names.length + c] = values[i];
  });
  return out;
}

/**
 * Verify a pixels-only project run's manifest (contract {@link PIXELS_CONTRACT}, every file's sha256) and return what
 * it records: the sampling and UMAP params the run was made with and the sprite's thumbnail size. A later run reads
 * this first, to settle its own params, then the rest with {@link readPixelsArtifact}.
 */
export async function readPixelsManifest(dir: string): Promise<PixelsManifestInfo> {
  const manifest = await verifyManifest(dir, PIXELS_CONTRACT);
  const info = manifest.info as Partial<PixelsManifestInfo> | undefined;
  const dim = info?.spriteImageDim;
  if (
    !info ||
    !isCount(info.points) ||
    !isCount(info.sampleImages) ||
    !isCount(info.seed) ||
    !isCount(info.umapNeighbors) ||
    typeof info.umapMinDist !== 'number' ||
    !Array.isArray(dim) ||
    dim.length !== 2 ||
    !dim.every((d) => isCount(d) && d > 0)
  ) {
    throw bad(join(dir, 'manifest.json'), `info ${JSON.stringify(info)}`, 'points, sampleImages, seed, umapNeighbors, umapMinDist and spriteImageDim');
  }
  return info as PixelsManifestInfo;
}

/**
 * Read the rest of a pixels-only project run's directory, whose manifest {@link readPixelsManifest} verified: the
 * training sample (ingest's images contract), `projections.arrow` (pixels rows only), `metrics.json`, the sprite and
 * the two figures. Throws a ContractError naming the file on anything another writer could have left.
 */
export async function readPixelsArtifact(dir: string, info: PixelsManifestInfo): Promise<PixelsArtifact> {
  const dim = info.spriteImageDim;
  const trainPath = join(dir, PIXELS_FILES.trainSample);
  const train = await readImages(trainPath);
  if (train.count !== info.sampleImages) throw bad(trainPath, `${train.count} images`, `${info.sampleImages} (the manifest's sampleImages)`);
  const projectionsPath = join(dir, PIXELS_FILES.projections);
  const table = await readTable(projectionsPath, projectionsSchema(train.classNames.length));
  const n = table.numRows;
  if (n !== info.points) throw bad(projectionsPath, `${n} rows`, `${info.points} (the manifest's points)`);
  const source = table.getChild('source')!;
  for (let i = 0; i < n; i++) if (source.get(i) !== 'pixels') throw bad(projectionsPath, `source ${JSON.stringify(source.get(i))} at row ${i}`, 'pixels rows only');
  const rows = Uint32Array.from(table.getChild('index')!.toArray() as Uint32Array);
  const labels = Uint16Array.from(table.getChild('label')!.toArray() as Uint8Array | Uint16Array);
  const metricsPath = join(dir, PIXELS_FILES.metrics);
  const metrics = JSON.parse(await readFile(metricsPath, 'utf8')) as { umap?: { nEpochs?: unknown }; sources?: { pixels?: SourceMetrics } };
  const pixels = metrics.sources?.pixels;
  if (!pixels || typeof pixels.knnAccuracy !== 'object' || !Array.isArray(pixels.explainedVarianceRatio) || !isCount(metrics.umap?.nEpochs)) {
    throw bad(metricsPath, 'no sources.pixels metrics or no umap.nEpochs', 'the metrics of a pixels-only run');
  }
  const [sprite, pca, umap] = await Promise.all([PIXELS_FILES.sprite, PIXELS_FILES.pcaFigure, PIXELS_FILES.umapFigure].map((f) => readFile(join(dir, f))));
  return {
    dir,
    info,
    classNames: train.classNames,
    shape: { height: train.height, width: train.width, channels: train.channels },
    trainSample: { images: train.images, labels: train.labels, count: train.count },
    rows,
    labels,
    layouts: {
      pca: interleave(table, COORDINATE_COLUMNS.pca),
      umap2: interleave(table, COORDINATE_COLUMNS.umap2),
      umap3: interleave(table, COORDINATE_COLUMNS.umap3),
      nEpochs: metrics.umap!.nEpochs as number,
      metrics: pixels,
    },
    sprite: { png: new Uint8Array(sprite.buffer, sprite.byteOffset, sprite.byteLength), singleImageDim: [dim[0], dim[1]] },
    figures: { pca: new Uint8Array(pca.buffer, pca.byteOffset, pca.byteLength), umap: new Uint8Array(umap.buffer, umap.byteOffset, umap.byteLength) },
  };
}
