import { runCli, UsageError } from '@tbpipe/core';
import { CLASS_NAMES_KEY, DATASET_KEY, IMAGE_HEIGHT_KEY, IMAGE_WIDTH_KEY, IMAGES_CONTRACT, INGEST_CONTRACT } from './contract.ts';
import { DATASET_NAMES, DATASETS, isDatasetName } from './datasets.ts';
import { DEFAULT_INGEST_OPTIONS, ingest } from './ingest.ts';

const HELP = `usage: tbpipe-ingest --out <dir> [--dataset fashion-mnist|mnist|kmnist] [--data <dir>] [options]

Reads a 28×28 IDX dataset (FashionMNIST, MNIST, KMNIST: four files, gzip or raw) and writes it as Arrow.

inputs (the first that has all four files wins):
  --data <dir>          a directory with train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz),
                        t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz); nothing else is searched
  $${DATASETS['fashion-mnist'].envVar} / $${DATASETS.mnist.envVar} / $${DATASETS.kmnist.envVar}
                        the same, per dataset, when --data is not given
  ${DATASETS['fashion-mnist'].systemDirs[0]}
                        Debian's dataset-fashion-mnist package (fashion-mnist only)
  <cache-dir>/<dataset>/  earlier downloads, checked against their published checksums
  download              from the dataset's mirror into the cache, verified by checksum

options:
  --dataset <name>      ${DATASET_NAMES.join(' | ')} (default ${DEFAULT_INGEST_OPTIONS.dataset}); sets the class names
  --out <dir>           output directory (required)
  --run-dir <dir>       the pipeline's TensorBoard run directory; accepted and ignored (ingest writes no events)
  --cache-dir <dir>     download cache root (default ${DEFAULT_INGEST_OPTIONS.cacheDir})
  --mirror <url>        download from this base URL instead of the dataset's published mirrors
  --offline             never download; fail if the files are not found locally
  -h, --help            this text

outputs (in --out):
  train.arrow, test.arrow   Arrow IPC files, one record batch each, schema ${IMAGES_CONTRACT}:
      image  FixedSizeBinary(784), not null   one 28×28 image, row-major, uint8 (0 = background)
      label  Uint8, not null                  class index < number of classes
    schema metadata: tbpipe.contract = ${IMAGES_CONTRACT}, ${CLASS_NAMES_KEY} = JSON array of class names,
      ${IMAGE_HEIGHT_KEY} = "28", ${IMAGE_WIDTH_KEY} = "28", ${DATASET_KEY} = dataset name
  manifest.json             written last; contract ${INGEST_CONTRACT}, sha256 of both files, and info:
                            dataset, classNames, rows per split, sha256 of the four source files
  volatile/ingest.json      where the files were found and timings (ignored by downstream hashing)

exit codes: 0 done; 1 bad or missing input (one line on stderr, nothing written); 2 bad usage; 70 bug.
`;

await runCli({
  name: 'tbpipe-ingest',
  help: HELP,
  options: {
    data: { type: 'string' },
    dataset: { type: 'string' },
    out: { type: 'string' },
    'run-dir': { type: 'string' },
    'cache-dir': { type: 'string' },
    mirror: { type: 'string' },
    offline: { type: 'boolean' },
  },
  async run({ values }, logger) {
    const outDir = values.out as string | undefined;
    if (!outDir) throw new UsageError('--out is missing, expected the output directory');
    const dataset = (values.dataset as string | undefined) ?? DEFAULT_INGEST_OPTIONS.dataset;
    if (!isDatasetName(dataset)) throw new UsageError(`--dataset is ${JSON.stringify(dataset)}, expected one of ${DATASET_NAMES.join(', ')}`);
    await ingest({
      outDir,
      dataset,
      runDir: values['run-dir'] as string | undefined,
      dataDir: values.data as string | undefined,
      cacheDir: values['cache-dir'] as string | undefined,
      mirror: values.mirror as string | undefined,
      download: values.offline ? false : undefined,
      logger,
    });
  },
});
