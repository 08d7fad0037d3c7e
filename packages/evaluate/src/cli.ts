import { parseNumberFlag, runCli, UsageError } from '@tbpipe/core';
import { evaluate } from './evaluate.ts';
import { BACKEND_CHOICES, DEFAULT_EVALUATE_OPTIONS, NUMERIC_PARAMS, parseBackend, type EvaluateOptions } from './options.ts';

const d = DEFAULT_EVALUATE_OPTIONS;
const HELP = `usage: tbpipe-evaluate --data <ingest dir> --model <train dir> --out <dir> --run-dir <dir> [params]

Evaluates the trained CNN on the test split, as the tutorial's "Assessing trained models with TensorBoard":
predictions for every test image, accuracy and per-class metrics, and one PR curve per class.

inputs
  --data <dir>             the ingest stage's output: test.arrow + manifest.json (tbpipe.ingest/v1)
  --model <dir>            the train stage's output: model/ + run.json + manifest.json (tbpipe.train/v1)
outputs
  --out <dir>              predictions.arrow  one row per test image (tbpipe.predictions/v1):
                                                index Uint32, label Uint8, predicted Uint8,
                                                probabilities FixedSizeList<Float32>[10],
                                                features FixedSizeList<Float32>[84]
                           metrics.json       accuracy, loss (mean cross-entropy), per class: accuracy,
                                              precision, recall, F1, average precision, support; macro
                                              averages; confusion matrix [true][predicted]; class names
                           volatile/          timings.json: durations, images/s (not cached)
                           manifest.json      tbpipe.evaluate/v1, sha256 of the files above but volatile/
  --run-dir <dir>          TensorBoard run directory; replaces this stage's earlier output there:
                           events.out.tfevents.*.evaluate  PR curves (one per class, tagged with its name,
                                              step 0), image "confusion matrix", text "per-class accuracy",
                                              scalars "test accuracy" and "test loss" (at the model's step)
                           hparams/           the train params (lr, momentum, batch_size, epochs, seed, init,
                                              backend) with hparam/accuracy and hparam/loss (HPARAMS tab)
params (pipeline.json names in camelCase)
  --num-thresholds <n>     thresholds per PR curve, 2..127 (default ${d.numThresholds}, torch's default and maximum)
  --batch-size <n>         test images per forward pass; memory only, results do not change (default ${d.batchSize})
  --backend <name>         ${BACKEND_CHOICES.join(' | ')} (default ${d.backend}: the fastest that loads)

Exit codes: 0 done, 1 expected failure (missing or mismatched inputs), 2 bad usage, 70 bug.
`;

await runCli({
  name: 'tbpipe-evaluate',
  help: HELP,
  options: {
    data: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    'run-dir': { type: 'string' },
    ...Object.fromEntries(Object.values(NUMERIC_PARAMS).map(({ flag }) => [flag, { type: 'string' as const }])),
    backend: { type: 'string' },
  },
  async run({ values }, logger) {
    const str = (flag: string) => values[flag] as string | undefined;
    for (const flag of ['data', 'model', 'out', 'run-dir']) if (!str(flag)) throw new UsageError(`--${flag} is required`);
    const options: EvaluateOptions = { dataDir: str('data')!, modelDir: str('model')!, outDir: str('out')!, runDir: str('run-dir')!, logger };
    for (const [key, { flag, rule }] of Object.entries(NUMERIC_PARAMS)) {
      const value = parseNumberFlag(flag, str(flag), rule);
      if (value !== undefined) (options as unknown as Record<string, number>)[key] = value;
    }
    if (str('backend') !== undefined) options.backend = parseBackend(str('backend')!);
    await evaluate(options);
  },
});
