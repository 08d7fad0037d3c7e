/**
 * PR curves (10 classes × 10 000 samples, 127 thresholds) against PyTorch's compute_curve, and inference speed.
 *
 * `npm run bench -- pr-curves [--n 10000] [--repeats 50] [--no-python] [--no-inference] [--model <train out dir>]
 *   [--predictions <evaluate out dir>/predictions.arrow]`
 * Cases (seeded synthetic softmax outputs, or the real ones of a predictions.arrow): our single pass over all classes (`computeClassPrCurves`, what the stage
 * runs); one `computePrCurve` call per class (the tutorial's loop); the same plus encoding the 10 summary values
 * (eventlog's `prCurveValue` + `encodeEvent`, i.e. all the work of 10 `add_pr_curve` calls but the disk write);
 * torch's `compute_curve` on the same data in /usr/bin/python3 (skipped without torch), whose tensors are also
 * compared with ours bit for bit. Inference: `runInference` over n test images (FashionMNIST's when
 * artifacts/fashion-mnist/ingest exists, else synthetic) on each backend that loads, with `--model` or a model the
 * train stage makes in a few steps. Prints medians (ms) as JSON lines, then a summary.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRandom, writeManifest } from '@tbpipe/core';
import { encodeEvent, prCurveValue } from '@tbpipe/eventlog';
import { readImages, INGEST_CONTRACT, TRAIN_FILE, TEST_FILE, writeImages } from '@tbpipe/ingest';
import { loadCnnPredictor, normalizeImages, train, type BackendName } from '@tbpipe/train';
import { computePrCurve, prCurveTensor as rowsTensor } from '@tbpipe/eventlog';
import { computeClassPrCurves, type PrCurve } from '../src/pr-curve.ts';

const prCurveTensor = (curve: PrCurve) => rowsTensor(curve, curve.numThresholds);
import { readPredictions } from '../src/predictions.ts';
import { runInference } from '../src/inference.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    repeats: { type: 'string', default: '50' },
    'no-python': { type: 'boolean' },
    'no-inference': { type: 'boolean' },
    model: { type: 'string' },
    predictions: { type: 'string' },
  },
});
let n = Number(values.n);
const repeats = Number(values.repeats);
const CLASSES = 10;
const THRESHOLDS = 127;
const PYTHON = '/usr/bin/python3';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary: string[] = [];
const report = (name: string, data: Record<string, unknown>) => console.log(JSON.stringify({ case: name, ...data }));

/** Seeded softmax outputs of a ~85 %-accurate classifier: logits N(0, 1), the true class boosted by 2.5. */
function syntheticOutputs(count: number, seed: number): { labels: Uint8Array; probabilities: Float32Array } {
  const random = createRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const labels = new Uint8Array(count);
  const probabilities = new Float32Array(count * CLASSES);
  const z = new Float64Array(CLASSES);
  for (let i = 0; i < count; i++) {
    labels[i] = Math.floor(random() * CLASSES);
    let sum = 0;
    for (let c = 0; c < CLASSES; c++) sum += z[c] = Math.exp(gauss() + (c === labels[i] ? 2.5 : 0));
    for (let c = 0; c < CLASSES; c++) probabilities[i * CLASSES + c] = z[c] / sum;
  }
  return { labels, probabilities };
}

function time(f: () => void, runs: number): number {
  f(); // warm the JIT
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const { labels, probabilities } = values.predictions
  ? await readPredictions(values.predictions).then((p) => ({ labels: p.label.subarray(0, n), probabilities: p.probabilities.subarray(0, n * CLASSES) }))
  : syntheticOutputs(n, 0);
n = labels.length;
report('data', { source: values.predictions ?? 'synthetic (seed 0)', n });
// The very first call, before the JIT has seen the code: what one stage run pays.
const coldStart = performance.now();
const ours = computeClassPrCurves(labels, probabilities, CLASSES, THRESHOLDS);
const cold = performance.now() - coldStart;
report('single_pass_10_curves_cold_first_call', { n, ms: cold });

const singlePass = time(() => computeClassPrCurves(labels, probabilities, CLASSES, THRESHOLDS), repeats);
report('single_pass_10_curves', { n, medianMs: singlePass });
const perClass = time(() => {
  for (let c = 0; c < CLASSES; c++) {
    const column = new Float32Array(n);
    const truth = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      column[i] = probabilities[i * CLASSES + c];
      truth[i] = labels[i] === c ? 1 : 0;
    }
    computePrCurve(truth, column, THRESHOLDS);
  }
}, repeats);
report('per_class_10_curves', { n, medianMs: perClass });
const withEncoding = time(() => {
  const curves = computeClassPrCurves(labels, probabilities, CLASSES, THRESHOLDS);
  curves.forEach((curve, c) => encodeEvent({ wallTime: 1700000000, step: 0, summary: { value: [prCurveValue(`class ${c}`, curve, THRESHOLDS)] } }));
}, repeats);
report('single_pass_plus_encode_10_events', { n, medianMs: withEncoding });
summary.push(`PR curves, 10 × ${n} samples: ${singlePass.toFixed(2)} ms single pass (first, cold call ${cold.toFixed(2)} ms), ${perClass.toFixed(2)} ms one call per class, ${withEncoding.toFixed(2)} ms with the 10 events encoded (budget 20 ms)`);

if (!values['no-python'] && existsSync(PYTHON)) {
  const dir = await mkdtemp(join(tmpdir(), 'tbpipe-bench-pr-'));
  try {
    await writeFile(join(dir, 'labels.u8'), labels);
    await writeFile(join(dir, 'probs.f32'), new Uint8Array(probabilities.buffer));
    const script = new URL('./torch_pr_curves.py', import.meta.url).pathname;
    const r = spawnSync(PYTHON, [script, join(dir, 'labels.u8'), join(dir, 'probs.f32'), String(CLASSES), String(THRESHOLDS), String(repeats)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) {
      report('torch_compute_curve', { skipped: r.stderr.trim().split('\n').at(-1) });
    } else {
      const torch = JSON.parse(r.stdout) as { source: string; torch: string; numpy: string; seconds: number[]; tensors: string[] };
      const torchMs = median(torch.seconds) * 1000;
      const identical = torch.tensors.every((b64, c) => Buffer.from(prCurveTensor(ours[c]).buffer).equals(Buffer.from(b64, 'base64')));
      report('torch_compute_curve', { n, medianMs: torchMs, perCurveMs: torchMs / CLASSES, source: torch.source, torch: torch.torch, numpy: torch.numpy, identicalTensors: identical });
      report('ratio', { torchOverSinglePass: torchMs / singlePass, torchOverPerClass: torchMs / perClass });
      summary.push(`torch compute_curve: ${torchMs.toFixed(2)} ms for 10 curves (${(torchMs / CLASSES).toFixed(2)} ms each); ours is ${(torchMs / singlePass).toFixed(1)}× faster; tensors bit-identical: ${identical}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (!values['no-inference']) {
  const real = 'artifacts/fashion-mnist/ingest';
  const work = await mkdtemp(join(tmpdir(), 'tbpipe-bench-inference-'));
  try {
    let images: Uint8Array;
    let modelDir = values.model;
    if (existsSync(join(real, TEST_FILE))) {
      images = (await readImages(join(real, TEST_FILE))).images.subarray(0, n * 784);
    } else {
      images = new Uint8Array(n * 784).map((_, i) => (i * 2654435761) >>> 24);
    }
    if (modelDir === undefined) {
      // Weights do not change the speed: a model from 4 mini-batches of the train stage on synthetic data will do.
      const data = join(work, 'ingest');
      const split = { images: images.subarray(0, 64 * 784), labels: new Uint8Array(64).map((_, i) => i % 10), classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], count: 64 };
      await writeImages(join(data, TRAIN_FILE), split, 'mnist');
      await writeImages(join(data, TEST_FILE), split, 'mnist');
      await writeManifest(data, INGEST_CONTRACT, [TRAIN_FILE, TEST_FILE]);
      modelDir = join(work, 'train');
      await train({ dataDir: data, outDir: modelDir, runDir: join(work, 'runs'), maxSteps: 4, backend: 'cpu' });
    }
    for (const backend of ['tensorflow', 'wasm', 'cpu'] as BackendName[]) {
      let predictor;
      try {
        predictor = await loadCnnPredictor(join(modelDir, 'model'), { backend });
      } catch (err) {
        report(`inference_${backend}`, { skipped: (err as Error).message.split('\n')[0] });
        continue;
      }
      try {
        await runInference(predictor, images.subarray(0, 1000 * 784), Math.min(1000, n), { classCount: 10, imageBytes: 784, batchSize: 1000, normalize: normalizeImages }); // warm-up
        const t = performance.now();
        await runInference(predictor, images, n, { classCount: 10, imageBytes: 784, batchSize: 1000, normalize: normalizeImages });
        const seconds = (performance.now() - t) / 1000;
        report(`inference_${backend}`, { n, seconds, imagesPerSecond: Math.round(n / seconds) });
        summary.push(`inference on ${backend}: ${n} images in ${seconds.toFixed(2)} s (${Math.round(n / seconds)} images/s)`);
      } finally {
        predictor.dispose();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

console.log(`\n${summary.join('\n')}`);
