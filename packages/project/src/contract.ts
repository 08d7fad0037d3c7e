import { Field, Float32, Schema, Uint32, Utf8 } from 'apache-arrow';
import { CONTRACT_KEY } from '@tbpipe/core';
import { EVALUATE_CONTRACT, EVALUATE_FILES } from '@tbpipe/evaluate/contract';
import { INGEST_CONTRACT, labelType, TEST_FILE, TRAIN_FILE } from '@tbpipe/ingest/contract';

/** Contract id of the project stage's output directory (its `manifest.json`). */
export const PROJECT_CONTRACT = 'tbpipe.project/v2';
/** Contract id of `projections.arrow`; bump on any schema change. */
export const PROJECTIONS_CONTRACT = 'tbpipe.projections/v2';
/** Upstream contracts this stage checks with `verifyManifest` before reading. */
export const INPUT_CONTRACTS = { ingest: INGEST_CONTRACT, evaluate: EVALUATE_CONTRACT } as const;
/** Upstream files read, relative to `--data` and `--predictions`. */
export const INPUT_FILES = { train: TRAIN_FILE, test: TEST_FILE, predictions: EVALUATE_FILES.predictions } as const;

/** File names inside the project stage's `outDir`. */
export const PROJECT_FILES = {
  projections: 'projections.arrow',
  metrics: 'metrics.json',
  /** Durations and rates: differ from run to run, so never hashed or cached as outputs. */
  volatile: 'volatile',
  timings: 'volatile/timings.json',
} as const;

/**
 * Contract id of a pixels-only run's output directory (`--data` without `--predictions`): the pixel projections and
 * what the PROJECTOR shows of the images, made while training runs, for a later run's `--pixels`. Bump on any change
 * to the files below or to `manifest.json`'s `info`.
 */
export const PIXELS_CONTRACT = 'tbpipe.project-pixels/v1';

/** File names inside a pixels-only run's `outDir` ({@link PIXELS_CONTRACT}). */
export const PIXELS_FILES = {
  /** {@link projectionsSchema}: the `pixels` rows only. */
  projections: 'projections.arrow',
  /** `ProjectMetrics` with `sources.pixels` only. */
  metrics: 'metrics.json',
  /** The tutorial's sampled training images (tag `default`), in sample order: ingest's images contract. */
  trainSample: 'train-sample.arrow',
  /** The sampled test images' thumbnails as the projector's sprite (`makeSprite`); its cell size is in the manifest. */
  sprite: 'sprite.png',
  /** The IMAGES tab's scatter plots of the pixels' PCA and UMAP 2-D layouts, PNG. */
  pcaFigure: 'figures/pixels_pca.png',
  umapFigure: 'figures/pixels_umap.png',
  volatile: 'volatile',
  timings: 'volatile/timings.json',
} as const;

/** `manifest.json` `info` of a pixels-only run: the params its samples and layouts depend on, and the sprite's cell. */
export interface PixelsManifestInfo {
  points: number;
  sampleImages: number;
  seed: number;
  umapNeighbors: number;
  umapMinDist: number;
  /** The sprite's `single_image_dim` (width, height of one thumbnail). */
  spriteImageDim: [number, number];
}

/**
 * The point sets projected: the same sampled test images as raw pixels (when `--data` is given) and as the network's
 * learned features (when the predictions carry them), in this order.
 */
export const SOURCES = ['pixels', 'features'] as const;
export type Source = (typeof SOURCES)[number];

/**
 * `projections.arrow` (`tbpipe.projections/v2`) for `classCount` classes: one row per (source, sampled test
 * image); all `pixels` rows first, then the `features` rows for the same images in the same order (either source
 * may be absent, see {@link SOURCES}). None nullable.
 * - `source`: `pixels` (H × W × C values in [0, 1]) or `features` (evaluate's D learned features).
 * - `index`: the image's row in the ingest stage's `test.arrow` (or in the external predictions file).
 * - `label`: its true class, Uint8 up to 256 classes, else Uint16.
 * - `pca_x`, `pca_y`, `pca_z`: coordinates on the first three principal axes of that source.
 * - `umap2_x`, `umap2_y`: 2-D UMAP layout; `umap3_x`, `umap3_y`, `umap3_z`: a separate 3-D UMAP layout.
 */
export function projectionsSchema(classCount: number): Schema {
  return new Schema(
    [
      new Field('source', new Utf8(), false),
      new Field('index', new Uint32(), false),
      new Field('label', labelType(classCount), false),
      ...['pca_x', 'pca_y', 'pca_z', 'umap2_x', 'umap2_y', 'umap3_x', 'umap3_y', 'umap3_z'].map((name) => new Field(name, new Float32(), false)),
    ],
    new Map([[CONTRACT_KEY, PROJECTIONS_CONTRACT]]),
  );
}

/** {@link projectionsSchema} of up to 256 classes (label Uint8), e.g. the tutorial's. */
export const ProjectionsSchema = projectionsSchema(10);

/** Coordinate columns of {@link ProjectionsSchema}, per method, in schema order. */
export const COORDINATE_COLUMNS = {
  pca: ['pca_x', 'pca_y', 'pca_z'],
  umap2: ['umap2_x', 'umap2_y'],
  umap3: ['umap3_x', 'umap3_y', 'umap3_z'],
} as const;
export type Method = keyof typeof COORDINATE_COLUMNS;
