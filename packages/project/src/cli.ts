import { parseNumberFlag, runCli, UsageError } from '@tbpipe/core';
import { DEFAULT_PROJECT_OPTIONS, MAX_FEATURE_POINTS, project, type ProjectOptions } from './project.ts';

const d = DEFAULT_PROJECT_OPTIONS;
const HELP = `usage: tbpipe-project --data <ingest dir> --predictions <evaluate dir> --out <dir> --run-dir <dir> [params]

The tutorial's PROJECTOR embedding (random training images, their pixels, class names and thumbnails), plus
precomputed PCA and UMAP layouts of sampled test images, as raw pixels and as the network's learned features,
so TensorBoard shows whether the network separates the classes better than the pixels do.

inputs
  --data <dir>              the ingest stage's output: train.arrow, test.arrow, manifest.json (tbpipe.ingest/v1)
  --predictions <dir>       the evaluate stage's output: predictions.arrow, manifest.json (tbpipe.evaluate/v1)
outputs
  --out <dir>               projections.arrow  source, index, label, pca_x/y/z, umap2_x/y, umap3_x/y/z
                                               (tbpipe.projections/v1)
                            metrics.json       explained variance ratios; 10-NN accuracy of every layout
                            volatile/          timings.json (not cached)
                            manifest.json      tbpipe.project/v1, sha256 of every file above but volatile/
  --run-dir <dir>           TensorBoard run directory; this stage owns and replaces events.out.tfevents.*.project,
                            projector_config.pbtxt and 00000/ (embeddings default, features, pixels_pca,
                            pixels_umap2, pixels_umap3, features_pca, features_umap2, features_umap3) and adds
                            scatter plots projections/<source>_<pca|umap> to the IMAGES tab
params (pipeline.json names in camelCase)
  --seed <n>                seed of every random choice (default ${d.seed})
  --sample-images <n>       training images in the tutorial's embedding (default ${d.sampleImages})
  --feature-points <n>      test images projected, at most ${MAX_FEATURE_POINTS} (default ${d.featurePoints})
  --umap-neighbors <n>      UMAP n_neighbors, 2-100 (default ${d.umapNeighbors})
  --umap-min-dist <x>       UMAP min_dist, 0-1 (default ${d.umapMinDist})

Exit codes: 0 done, 1 expected failure (missing or inconsistent input), 2 bad usage, 70 bug.
`;

await runCli({
  name: 'tbpipe-project',
  help: HELP,
  options: {
    data: { type: 'string' },
    predictions: { type: 'string' },
    out: { type: 'string' },
    'run-dir': { type: 'string' },
    seed: { type: 'string' },
    'sample-images': { type: 'string' },
    'feature-points': { type: 'string' },
    'umap-neighbors': { type: 'string' },
    'umap-min-dist': { type: 'string' },
  },
  async run({ values }, logger) {
    const str = (flag: string) => values[flag] as string | undefined;
    for (const flag of ['data', 'predictions', 'out', 'run-dir']) if (!str(flag)) throw new UsageError(`--${flag} is required`);
    const options: ProjectOptions = {
      dataDir: str('data')!,
      predictionsDir: str('predictions')!,
      outDir: str('out')!,
      runDir: str('run-dir')!,
      seed: parseNumberFlag('seed', str('seed'), { integer: true, min: 0, max: 2 ** 32 - 1 }),
      sampleImages: parseNumberFlag('sample-images', str('sample-images'), { integer: true, min: 1 }),
      featurePoints: parseNumberFlag('feature-points', str('feature-points'), { integer: true, min: 1, max: MAX_FEATURE_POINTS }),
      umapNeighbors: parseNumberFlag('umap-neighbors', str('umap-neighbors'), { integer: true, min: 2, max: 100 }),
      umapMinDist: parseNumberFlag('umap-min-dist', str('umap-min-dist'), { min: 0, max: 1 }),
      logger,
    };
    await project(options);
  },
});
