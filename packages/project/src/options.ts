import * as v from 'valibot';
import { inputDir, outputDir, type StageInput, type StageOutput, type StageSpec, type Logger } from '@tbpipe/core';

/** Upper bound of `featurePoints`: exact neighbour search is O(n²). */
export const MAX_FEATURE_POINTS = 10_000;

/**
 * The sampling and UMAP params a pixels-only run and the run reusing it (`--pixels`) must share, and their defaults
 * without `--pixels` (the tutorial's). With `--pixels`, an omitted one is the pixels run's value.
 */
export const SAMPLING_DEFAULTS = { seed: 0, sampleImages: 100, featurePoints: 2000, umapNeighbors: 15, umapMinDist: 0.1 } as const;

/** The params {@link SAMPLING_DEFAULTS} lists. */
export type SamplingParams = { -readonly [K in keyof typeof SAMPLING_DEFAULTS]: number };

function defaultNote(name: keyof typeof SAMPLING_DEFAULTS): string {
  return `default ${SAMPLING_DEFAULTS[name]}; with --pixels, the value the pixels run was made with`;
}

/**
 * The project stage's options, declared once: CLI flags and `--help`, {@link ProjectOptions}, pipeline.json's params,
 * `options.schema.json`. The defaults are the tutorial's (and pipeline.json's).
 */
export const PROJECT_STAGE = {
  package: '@tbpipe/project',
  bin: 'tbpipe-project',
  summary: `The tutorial's PROJECTOR embedding (random training images, their pixels, class names and thumbnails), plus
precomputed PCA and UMAP layouts of sampled test images, as raw pixels and as the network's learned features,
so TensorBoard shows whether the network separates the classes better than the pixels do.`,
  notes: 'Exit codes: 0 done, 1 expected failure (missing or inconsistent input), 2 bad usage, 70 bug.',
  options: v.object({
    dataDir: v.optional(
      inputDir('data', "the ingest stage's output: train.arrow, test.arrow, manifest.json (tbpipe.ingest/v2); without it (predictions made elsewhere) only the features are projected, without thumbnails"),
    ),
    predictionsDir: v.optional(
      inputDir(
        'predictions',
        "the evaluate stage's output: predictions.arrow, manifest.json (tbpipe.evaluate/v2); without it (--data only) a pixels-only run: the pixel projections, sprite and figures go to --out (tbpipe.project-pixels/v1) for a later run's --pixels, nothing to a run directory",
      ),
    ),
    pixelsDir: v.optional(
      inputDir(
        'pixels',
        "a pixels-only run's output (tbpipe.project-pixels/v1): its pixel projections, thumbnails and figures are used instead of computing them from --data (give one of the two), and its seed, sample and UMAP params are this run's",
      ),
    ),
    outDir: outputDir(
      'out',
      `this stage's artifact directory:
projections.arrow  source, index, label, pca_x/y/z, umap2_x/y, umap3_x/y/z
                   (tbpipe.projections/v2)
metrics.json       explained variance ratios; 10-NN accuracy of every layout
volatile/          timings.json (not cached)
manifest.json      tbpipe.project/v2, sha256 of every file above but volatile/
A pixels-only run (no --predictions) writes projections.arrow and metrics.json of
the pixels, train-sample.arrow, sprite.png, figures/pixels_{pca,umap}.png and a
tbpipe.project-pixels/v1 manifest`,
    ),
    runDir: v.optional(
      outputDir(
        'run-dir',
        `TensorBoard run directory (with --predictions; none in a pixels-only run); this stage
owns and replaces events.out.tfevents.*.project, projector_config.pbtxt and 00000/
(embeddings default, features, pixels_pca, pixels_umap2, pixels_umap3, features_pca,
features_umap2, features_umap3) and adds scatter plots projections/<source>_<pca|umap>
to the IMAGES tab`,
      ),
    ),
    // The sampling and UMAP params have no schema default: with --pixels they default to the values the pixels run
    // was made with (its manifest), so a pipeline names them once; otherwise to SAMPLING_DEFAULTS.
    seed: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(0),
        v.maxValue(2 ** 32 - 1),
        v.description(`seed of every random choice: samples, PCA start vectors, UMAP init and negative sampling; ${defaultNote('seed')}`),
      ),
    ),
    sampleImages: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(1), v.description(`training images in the tutorial's embedding (tag default), at most the training images; ${defaultNote('sampleImages')}`)),
    ),
    featurePoints: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(1),
        v.maxValue(MAX_FEATURE_POINTS),
        v.description(`test images projected (pixels and learned features); more than umapNeighbors; ${defaultNote('featurePoints')}`),
      ),
    ),
    umapNeighbors: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(100), v.description(`UMAP's n_neighbors; ${defaultNote('umapNeighbors')}`))),
    umapMinDist: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1), v.description(`UMAP's min_dist; ${defaultNote('umapMinDist')}`))),
    // 4 = worker-pool.ts's MAX_WORKERS (not imported: --help would load the pool).
    workers: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(0),
        v.maxValue(4),
        v.description(
          "threads for the UMAP fits' SGD kernel (PCA, kNN and the fits' preparation stay on the main thread); 0 runs it on the main thread; default: the cores, at most 4. Outputs are byte-identical for any value: a pixels-only run beside training takes 1, leaving a core to it",
        ),
      ),
    ),
    niceness: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(0),
        v.maxValue(19),
        v.description(
          "lowers this run's scheduling priority (0 unchanged … 19 lowest, as nice; never raised) so a stage running beside the critical path, like a pixels-only run beside training, yields the CPU to it; outputs do not depend on it",
        ),
      ),
      0,
    ),
  }),
} as const satisfies StageSpec;

/** Options of {@link project}: the stage's declared options ({@link PROJECT_STAGE}) and what only a library caller passes. */
export type ProjectOptions = StageInput<typeof PROJECT_STAGE.options> & {
  /** pino logger; silent by default. */
  logger?: Logger;
};

/** The declared options after validation, the schema's defaults applied (the sampling params still optional). */
export type ResolvedProjectParams = StageOutput<typeof PROJECT_STAGE.options>;

/** The options a run works with: {@link ResolvedProjectParams} with every sampling param settled. */
export type ProjectParams = Omit<ResolvedProjectParams, keyof SamplingParams> & SamplingParams;

/** The defaults of every {@link ProjectOptions} parameter (the sampling params' without `--pixels`). */
export const DEFAULT_PROJECT_OPTIONS = { ...v.getDefaults(PROJECT_STAGE.options), ...SAMPLING_DEFAULTS } as Omit<
  ProjectParams,
  'dataDir' | 'predictionsDir' | 'pixelsDir' | 'outDir' | 'runDir' | 'workers'
>;
