import * as v from 'valibot';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inputDir, outputDir, type StageSpec } from '@tbpipe/core';
import { CLASS_COUNT_KEY, CLASS_NAMES_KEY, DATASET_KEY, IMAGE_CHANNELS_KEY, IMAGE_HEIGHT_KEY, IMAGE_WIDTH_KEY, IMAGES_CONTRACT, INGEST_CONTRACT } from './contract.ts';
import { DATASET_NAMES, DATASETS } from './datasets.ts';

const envVars = DATASET_NAMES.map((name) => `$${DATASETS[name].envVar}`).join(' / ');

/** The ingest stage's options, declared once: CLI flags and `--help`, {@link IngestOptions}, pipeline.json's params. */
export const INGEST_STAGE = {
  package: '@tbpipe/ingest',
  bin: 'tbpipe-ingest',
  summary: 'Reads an IDX dataset (FashionMNIST, MNIST, KMNIST: four files, gzip or raw) and writes it as Arrow.',
  notes: `Where the four files come from, the first that has all four wins: --data; ${envVars} (per dataset);
${DATASETS['fashion-mnist'].systemDirs[0]} (Debian's dataset-fashion-mnist package, fashion-mnist only);
<cache-dir>/<dataset>/ (earlier downloads, checked against their published checksums); a download from the
dataset's mirror into the cache, verified by checksum (not with --offline).

exit codes: 0 done; 1 bad or missing input (one line on stderr, nothing written); 2 bad usage; 70 bug.`,
  options: v.object({
    dataDir: v.optional(
      inputDir(
        'data',
        `a directory with the four IDX files; when given, nothing else is searched:
train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)`,
      ),
    ),
    outDir: outputDir(
      'out',
      `this stage's artifact directory:
train.arrow, test.arrow   Arrow IPC files, one record batch each, schema ${IMAGES_CONTRACT}:
    image  FixedSizeBinary(H·W·C), not null   one image, row-major HWC, uint8
    label  Uint8 (≤ 256 classes) or Uint16, not null   class index < number of classes
  schema metadata: tbpipe.contract = ${IMAGES_CONTRACT}, ${CLASS_NAMES_KEY} = JSON array of class names,
    ${CLASS_COUNT_KEY}, ${IMAGE_HEIGHT_KEY}, ${IMAGE_WIDTH_KEY}, ${IMAGE_CHANNELS_KEY} (decimal), ${DATASET_KEY} = dataset name
manifest.json             written last; contract ${INGEST_CONTRACT}, sha256 of both files, and info:
                          dataset, classNames, rows per split, sha256 of the four source files
volatile/ingest.json      where the files were found and timings (ignored by downstream hashing)`,
    ),
    runDir: v.optional(outputDir('run-dir', "the pipeline's TensorBoard run directory; accepted and ignored (ingest writes no events)")),
    dataset: v.optional(v.pipe(v.picklist(DATASET_NAMES), v.description('which dataset; sets the class names')), 'fashion-mnist'),
    cacheDir: v.optional(
      v.pipe(v.string(), v.minLength(1), v.description('download cache root; files live in <cache-dir>/<dataset>/'), v.metadata({ 'x-placeholder': '<dir>', 'x-default': '~/.cache/tbpipe' })),
    ),
    mirror: v.optional(
      v.pipe(v.string(), v.minLength(1), v.description("download from this base URL instead of the dataset's published mirrors"), v.metadata({ 'x-placeholder': '<url>' })),
    ),
    offline: v.optional(v.pipe(v.boolean(), v.description('never download; fail if the files are not found locally')), false),
  }),
} as const satisfies StageSpec;

/** The default download cache root, `~/.cache/tbpipe` (machine-dependent, so not in the JSON Schema). */
export const DEFAULT_CACHE_DIR = join(homedir(), '.cache', 'tbpipe');
