import * as v from 'valibot';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inputDir, outputDir, pathParam, type StageSpec } from '@tbpipe/core';
import { CLASS_COUNT_KEY, CLASS_NAMES_KEY, DATASET_KEY, IMAGE_CHANNELS_KEY, IMAGE_HEIGHT_KEY, IMAGE_WIDTH_KEY, IMAGES_CONTRACT, INGEST_CONTRACT } from './contract.ts';
import { DATASET_NAMES, DATASETS } from './datasets.ts';

const envVars = DATASET_NAMES.map((name) => `$${DATASETS[name].envVar}`).join(' / ');

/** The ingest stage's options, declared once: CLI flags and `--help`, {@link IngestOptions}, pipeline.json's params. */
export const INGEST_STAGE = {
  package: '@tbpipe/ingest',
  bin: 'tbpipe-ingest',
  summary:
    'Reads a labelled image set — IDX files (FashionMNIST, MNIST, KMNIST or any four IDX files), a folder of class folders of images, or an Arrow/Parquet table (Hugging Face layout) — and writes it as Arrow.',
  notes: `--source idx (default): where the four files come from, the first that has all four wins: --data; ${envVars} (per dataset);
${DATASETS['fashion-mnist'].systemDirs[0]} (Debian's dataset-fashion-mnist package, fashion-mnist only);
<cache-dir>/<dataset>/ (earlier downloads, checked against their published checksums); a download from the
dataset's mirror into the cache, verified by checksum (not with --offline).

--source folder: --path DIR holds DIR/<class>/*.png|jpg|jpeg|webp (torchvision's ImageFolder layout; classes in
sorted folder order), either as DIR/train/<class>/… and DIR/test/<class>/… or as one tree split by --test-fraction
(seeded, stratified by class).
--source table: --path FILE is Arrow IPC or Parquet (or a folder of train*/test* files), in the layout Hugging Face
datasets publish: an image column of {bytes, path} structs (encoded PNG/JPEG), an integer label column whose class
names are in the schema metadata ("huggingface" → info.features.<label>.names), an optional split column; or raw
pixels (a binary or list column of H·W·C values, or pixel1…pixelN columns).
Images are decoded with sharp; every image must have the first one's size unless --image-size resizes them all.
Unreadable images are skipped and reported (count and the first 10), or with --strict stop the stage.

exit codes: 0 done; 1 bad or missing input (one line on stderr, nothing written); 2 bad usage; 70 bug.`,
  options: v.object({
    dataDir: v.optional(
      inputDir(
        'data',
        `with --source idx: a directory with the four IDX files; when given, nothing else is searched:
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
                          source, dataset, classNames, classCount, image size, rows per split, and per source
                          the sha256 of the four IDX files / the skipped images / the table's columns
volatile/ingest.json      where the files were found and timings (ignored by downstream hashing)`,
    ),
    runDir: v.optional(outputDir('run-dir', "the pipeline's TensorBoard run directory; accepted and ignored (ingest writes no events)")),
    source: v.optional(
      v.pipe(v.picklist(['idx', 'folder', 'table']), v.description('where the images come from: IDX files, a folder of class folders, or an Arrow/Parquet table')),
      'idx',
    ),
    path: v.optional(pathParam('with --source folder: the image folder; with --source table: the Arrow IPC or Parquet file (or a folder of train*/test* files)')),
    dataset: v.optional(v.pipe(v.picklist(DATASET_NAMES), v.description('with --source idx: which dataset; sets the class names')), 'fashion-mnist'),
    classNames: v.optional(
      v.pipe(
        v.string(),
        v.minLength(1),
        v.description('class names by label, comma-separated ("cat,dog") or a JSON array; for IDX files of another dataset, or a table without ClassLabel names'),
        v.metadata({ 'x-placeholder': '<a,b,c>' }),
      ),
    ),
    classNamesFile: v.optional(pathParam('a file of class names by label, one per line (or a JSON array); like --class-names')),
    imageSize: v.optional(
      v.pipe(
        v.string(),
        // The form (HxW) is checked where it is parsed, so the message can say what is expected.
        v.minLength(1),
        v.description("resize every image to HxW pixels (folder and table); default: the first image's size, and any other size is an error"),
        v.metadata({ 'x-placeholder': '<HxW>' }),
      ),
    ),
    channels: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3), v.description("1 (grey) or 3 (RGB) (folder and table); default: the first image's")),
    ),
    testFraction: v.optional(
      v.pipe(v.number(), v.minValue(0), v.maxValue(0.9), v.description('share of each class held out as the test split, when the input has no train/test split of its own')),
      0.2,
    ),
    seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description('seed of the --test-fraction split')), 0),
    imageColumn: v.optional(v.pipe(v.string(), v.minLength(1), v.description('with --source table: the column of images ({bytes, path} structs, binary, or a list of pixel values)')), 'image'),
    labelColumn: v.optional(v.pipe(v.string(), v.minLength(1), v.description('with --source table: the column of labels (integers, or class-name strings)')), 'label'),
    splitColumn: v.optional(
      v.pipe(v.string(), v.minLength(1), v.description('with --source table: the column naming each row\'s split (train / test); default: "split" if the table has one')),
    ),
    strict: v.optional(v.pipe(v.boolean(), v.description('stop at the first unreadable image instead of skipping and reporting it')), false),
    cacheDir: v.optional(
      v.pipe(v.string(), v.minLength(1), v.description('with --source idx: download cache root; files live in <cache-dir>/<dataset>/'), v.metadata({ 'x-placeholder': '<dir>', 'x-default': '~/.cache/tbpipe' })),
    ),
    mirror: v.optional(
      v.pipe(v.string(), v.minLength(1), v.description("download from this base URL instead of the dataset's published mirrors"), v.metadata({ 'x-placeholder': '<url>' })),
    ),
    offline: v.optional(v.pipe(v.boolean(), v.description('never download; fail if the files are not found locally')), false),
  }),
} as const satisfies StageSpec;

/** The default download cache root, `~/.cache/tbpipe` (machine-dependent, so not in the JSON Schema). */
export const DEFAULT_CACHE_DIR = join(homedir(), '.cache', 'tbpipe');
