import { Field, Float32, Schema, Uint32, Uint8, Utf8 } from 'apache-arrow';
import { CONTRACT_KEY } from '@tbpipe/core';
import { EVALUATE_CONTRACT, EVALUATE_FILES, FEATURE_COUNT } from '@tbpipe/evaluate/contract';
import { IMAGE_PIXELS, INGEST_CONTRACT, TEST_FILE, TRAIN_FILE } from '@tbpipe/ingest/contract';

/** Contract id of the project stage's output directory (its `manifest.json`). */
export const PROJECT_CONTRACT = 'tbpipe.project/v1';
/** Contract id of `projections.arrow`; bump on any schema change. */
export const PROJECTIONS_CONTRACT = 'tbpipe.projections/v1';
/** Upstream contracts this stage checks with `verifyManifest` before reading. */
export const INPUT_CONTRACTS = { ingest: INGEST_CONTRACT, evaluate: EVALUATE_CONTRACT } as const;
/** Upstream files read, relative to `--data` and `--predictions`. */
export const INPUT_FILES = { train: TRAIN_FILE, test: TEST_FILE, predictions: EVALUATE_FILES.predictions } as const;
/** Width of evaluate's learned features (fc2's 84 outputs) and of an image (28 × 28). */
export const FEATURE_WIDTH = FEATURE_COUNT;
export const PIXEL_WIDTH = IMAGE_PIXELS;

/** File names inside the project stage's `outDir`. */
export const PROJECT_FILES = {
  projections: 'projections.arrow',
  metrics: 'metrics.json',
  /** Durations and rates: differ from run to run, so never hashed or cached as outputs. */
  volatile: 'volatile',
  timings: 'volatile/timings.json',
} as const;

/** The two point sets projected: the same sampled test images as raw pixels and as the network's learned features. */
export const SOURCES = ['pixels', 'features'] as const;
export type Source = (typeof SOURCES)[number];

/**
 * `projections.arrow`: one row per (source, sampled test image); all `pixels` rows first, then the `features` rows
 * for the same images in the same order. None nullable.
 * - `source`: `pixels` (784 values in [0, 1]) or `features` (evaluate's 84 learned features).
 * - `index`: the image's row in the ingest stage's `test.arrow`.
 * - `label`: its true class.
 * - `pca_x`, `pca_y`, `pca_z`: coordinates on the first three principal axes of that source.
 * - `umap2_x`, `umap2_y`: 2-D UMAP layout; `umap3_x`, `umap3_y`, `umap3_z`: a separate 3-D UMAP layout.
 */
export const ProjectionsSchema = new Schema(
  [
    new Field('source', new Utf8(), false),
    new Field('index', new Uint32(), false),
    new Field('label', new Uint8(), false),
    ...['pca_x', 'pca_y', 'pca_z', 'umap2_x', 'umap2_y', 'umap3_x', 'umap3_y', 'umap3_z'].map((name) => new Field(name, new Float32(), false)),
  ],
  new Map([[CONTRACT_KEY, PROJECTIONS_CONTRACT]]),
);

/** Coordinate columns of {@link ProjectionsSchema}, per method, in schema order. */
export const COORDINATE_COLUMNS = {
  pca: ['pca_x', 'pca_y', 'pca_z'],
  umap2: ['umap2_x', 'umap2_y'],
  umap3: ['umap3_x', 'umap3_y', 'umap3_z'],
} as const;
export type Method = keyof typeof COORDINATE_COLUMNS;
