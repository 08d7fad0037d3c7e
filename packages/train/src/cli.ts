import { parseNumberFlag, runCli, UsageError } from '@tbpipe/core';
import type { BackendChoice, InitScheme } from './engine/types.ts';
import {
  BACKEND_CHOICES,
  BOOLEAN_PARAMS,
  DEFAULT_TRAIN_OPTIONS,
  FIGURE_COLUMNS,
  INIT_SCHEMES,
  MAX_FIGURE_IMAGES,
  NUMERIC_PARAMS,
  parseBooleanFlag,
  parseChoice,
} from './options.ts';
import { train, type TrainOptions } from './train.ts';

const d = DEFAULT_TRAIN_OPTIONS;
const HELP = `usage: tbpipe-train --data <ingest dir> --out <dir> --run-dir <dir> [params]

Trains the tutorial's CNN (PyTorch's "Visualizing models, data, and training with TensorBoard") with
TensorFlow.js: SGD with momentum on mini-batches of the training set, reshuffled every epoch from the seed.

inputs
  --data <dir>                  the ingest stage's output: train.arrow + manifest.json (tbpipe.ingest/v1)
outputs
  --out <dir>                   model/            TensorFlow.js LayersModel (model.json + weights)
                                history.arrow     step: Int32, loss: Float32 (tbpipe.train.history/v1)
                                run.json          params, seed, backend, steps, final loss, class names
                                volatile/         timings.json: durations, steps/s, host (not cached)
                                manifest.json     tbpipe.train/v1, sha256 of every file above but volatile/
                                checkpoint/       only while running or after an interruption
  --run-dir <dir>               TensorBoard run directory; this stage writes one events.out.tfevents.*.train
                                file (previous .train files are replaced): scalar "training loss", image
                                "four_fashion_mnist_images", figures "predictions vs. actuals", the graph,
                                histograms "weights/<param>" and "gradients/<param>"
params (pipeline.json names in camelCase)
  --epochs <n>                  passes over the training set (default ${d.epochs})
  --batch-size <n>              images per mini-batch (default ${d.batchSize})
  --learning-rate <x>           SGD learning rate, > 0 (default ${d.learningRate})
  --momentum <x>                SGD momentum in [0, 1) (default ${d.momentum})
  --seed <n>                    weight init and shuffle seed (default ${d.seed})
  --init <scheme>               ${INIT_SCHEMES.join(' | ')} (default ${d.init})
  --backend <name>              ${BACKEND_CHOICES.join(' | ')} (default ${d.backend}: the fastest that loads,
                                tensorflow → wasm → cpu; the one used is logged and recorded in run.json)
  --log-every-steps <n>         mini-batches per "training loss" point and figure (default ${d.logEverySteps})
  --histograms true|false       weight and gradient histograms of every layer with each loss point
                                (default ${d.histograms})
  --figure-images <n>           images of the batch in each "predictions vs. actuals" figure, 1–${MAX_FIGURE_IMAGES}, in
                                rows of ${FIGURE_COLUMNS} (default ${d.figureImages}, the tutorial's; at most the batch size)
  --checkpoint-every-steps <n>  mini-batches between checkpoints (default ${d.checkpointEverySteps})
  --max-steps <n>               stop after n mini-batches in total, for smoke runs (default: no limit)
  --max-loss <x>                divergence bound: stop (exit 1) when a mini-batch loss exceeds it or is NaN
                                (default 1e4; cross-entropy over 10 classes starts at ln 10 ≈ 2.3)

Rerunning after an interruption (Ctrl-C, a crash) resumes from the last checkpoint when the data and the
params that shape training are the same, and ends with the same files as an uninterrupted run.
Exit codes: 0 done, 1 expected failure (bad data, divergence, interrupted), 2 bad usage, 70 bug.
`;

await runCli({
  name: 'tbpipe-train',
  help: HELP,
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    'run-dir': { type: 'string' },
    ...Object.fromEntries(Object.values(NUMERIC_PARAMS).map(({ flag }) => [flag, { type: 'string' as const }])),
    ...Object.fromEntries(Object.values(BOOLEAN_PARAMS).map(({ flag }) => [flag, { type: 'string' as const }])),
    init: { type: 'string' },
    backend: { type: 'string' },
  },
  async run({ values }, logger) {
    const str = (flag: string) => values[flag] as string | undefined;
    for (const flag of ['data', 'out', 'run-dir']) if (!str(flag)) throw new UsageError(`--${flag} is required`);
    const options: TrainOptions = { dataDir: str('data')!, outDir: str('out')!, runDir: str('run-dir')!, logger };
    for (const [key, { flag, rule }] of Object.entries(NUMERIC_PARAMS)) {
      const value = parseNumberFlag(flag, str(flag), rule);
      if (value !== undefined) (options as unknown as Record<string, number>)[key] = value;
    }
    for (const [key, { flag }] of Object.entries(BOOLEAN_PARAMS)) {
      if (str(flag) !== undefined) options[key as keyof typeof BOOLEAN_PARAMS] = parseBooleanFlag(flag, str(flag)!);
    }
    if (str('init') !== undefined) options.init = parseChoice<InitScheme>('init', str('init')!, INIT_SCHEMES);
    if (str('backend') !== undefined) options.backend = parseChoice<BackendChoice>('backend', str('backend')!, BACKEND_CHOICES);

    // Ctrl-C / SIGTERM: stop after the current mini-batch and flush the event file; the checkpoint stays.
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await train({ ...options, signal: controller.signal });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
});
