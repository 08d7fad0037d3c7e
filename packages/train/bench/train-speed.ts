/**
 * Training speed and accuracy of the CNN engine, side by side with PyTorch (1 thread) in the same run.
 *
 *   node --import tsx packages/train/bench/train-speed.ts [speed] [--repeats 5] [--steps 2000] [--no-torch]
 *       [--engines "wasm fused,cpu"] [--batches 4,64]
 *       steps/s at batch 4 and 64 for every backend that loads (tensorflow, wasm fused, wasm stock, cpu; or only the
 *       --engines named), medians and min–max over repeats, interleaved with torch_reference.py runs (one torch run
 *       per repeat, so each repeat is a pair measured under the same load), ratio to PyTorch of the medians and the
 *       per-pair ratios; the load average is printed before and after.
 *   node --import tsx packages/train/bench/train-speed.ts profile
 *       where a fused wasm step's time goes: the trainer's step vs the plan's call, forward vs backward + update. For a
 *       per-function split, build with `node wasm/build.mjs --debug` (function names) and run under node --cpu-prof
 *       (see ENGINE.md).
 *   node --import tsx packages/train/bench/train-speed.ts accuracy [--seed 0] [--torch]
 *       the tutorial's run: 1 epoch of FashionMNIST at batch 4, SGD(lr 0.001, momentum 0.9), running loss every
 *       1000 steps, test accuracy (must be ≥ 82 %; PyTorch gets ~83–84 %), and the time to predict 10 000 images.
 *
 * Data: Debian's dataset-fashion-mnist (FASHION_MNIST_DIR, default /usr/share/datasets/fashion-mnist), parsed here.
 * PyTorch: TORCH_REFERENCE (default ../shared/reference/torch_reference.py beside the repo) run with /usr/bin/python3; skipped
 * when torch doesn't import. Timings on a shared 2-core machine are noisy: read the medians and the ratios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createRandom, shuffledIndices } from '@tbpipe/core';
import { createCnnTrainer, selectBackend, type BackendName, type CnnTrainer, type EngineOptions } from '../src/engine/index.ts';
import { createFusedStep } from '../src/kernels/plan.ts';
import { builtinNetwork } from '../src/network/builtins.ts';
import { resolveNetwork } from '../src/network/resolve.ts';

const DATA_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const TORCH_REFERENCE =
  process.env.TORCH_REFERENCE ?? fileURLToPath(new URL('../../../../shared/reference/torch_reference.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

const args = process.argv.slice(2);
const mode = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'speed';
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

interface Split {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** IDX (gz): images have a 16-byte header (magic 0x803, count, rows, cols), labels an 8-byte one (0x801, count). */
function readSplit(prefix: 'train' | 't10k'): Split {
  const img = gunzipSync(readFileSync(join(DATA_DIR, `${prefix}-images-idx3-ubyte.gz`)));
  const lab = gunzipSync(readFileSync(join(DATA_DIR, `${prefix}-labels-idx1-ubyte.gz`)));
  const iv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const lv = new DataView(lab.buffer, lab.byteOffset, lab.byteLength);
  if (iv.getUint32(0) !== 0x803 || lv.getUint32(0) !== 0x801) {
    throw new Error(`bench: magic 0x${iv.getUint32(0).toString(16)}/0x${lv.getUint32(0).toString(16)} in ${prefix}, expected 0x803/0x801`);
  }
  const count = iv.getUint32(4);
  const images = new Float32Array(count * 784);
  // ToTensor + Normalize((0.5,), (0.5,)): (p / 255 − 0.5) / 0.5, computed in float32 like torch.
  const lut = Float32Array.from({ length: 256 }, (_, p) => Math.fround(Math.fround(Math.fround(p / 255) - 0.5) / 0.5));
  for (let i = 0; i < count * 784; i++) images[i] = lut[img[16 + i]!]!;
  return { images, labels: Int32Array.from(lab.subarray(8, 8 + count)), count };
}

function loadTrain(): Split {
  if (existsSync(join(DATA_DIR, 'train-images-idx3-ubyte.gz'))) return readSplit('train');
  const random = createRandom(1);
  const count = 6000;
  console.error(`bench: no FashionMNIST at ${DATA_DIR}; timing on random data`);
  return {
    images: Float32Array.from({ length: count * 784 }, () => random() * 2 - 1),
    labels: Int32Array.from({ length: count }, () => Math.floor(random() * 10)),
    count,
  };
}

function torchAvailable(): boolean {
  if (args.includes('--no-torch') || !existsSync(TORCH_REFERENCE)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runTorch(torchArgs: string[]): Record<string, unknown>[] {
  const r = spawnSync(PYTHON, [TORCH_REFERENCE, ...torchArgs, '--data', DATA_DIR], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: torch_reference.py exited ${r.status}: ${r.stderr.slice(-500)}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Steps/s of `steps` consecutive steps over contiguous batches of pre-shuffled data (views, no copies). */
function timeSteps(trainer: CnnTrainer, data: Split, batch: number, steps: number, start: number): number {
  const n = data.count - batch + 1;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const s = ((start + i) * batch) % n;
    trainer.trainStep(data.images.subarray(s * 784, (s + batch) * 784), data.labels.subarray(s, s + batch));
  }
  return steps / ((performance.now() - t0) / 1000);
}

interface Engine {
  label: string;
  options: Partial<EngineOptions>;
  /** Fraction of `--steps` to run (slow engines run fewer). */
  scale: number;
}

async function availableEngines(): Promise<Engine[]> {
  const only = option('engines')?.split(',').map((e) => e.trim());
  const engines: Engine[] = [];
  for (const backend of ['tensorflow', 'wasm', 'cpu'] as BackendName[]) {
    try {
      await selectBackend(backend);
    } catch {
      console.log(`# backend ${backend}: not available, skipped`);
      continue;
    }
    if (backend === 'wasm') {
      engines.push({ label: 'wasm fused', options: { backend, trainStep: 'fused' }, scale: 1 });
      engines.push({ label: 'wasm stock', options: { backend, trainStep: 'stock' }, scale: 0.1 });
    } else engines.push({ label: backend, options: { backend }, scale: backend === 'cpu' ? 0.03 : 0.5 });
  }
  return only ? engines.filter((e) => only.includes(e.label)) : engines;
}

async function speed(): Promise<void> {
  const repeats = flag('repeats', 5);
  const steps4 = flag('steps', 2000);
  const batches = (option('batches') ?? '4,64').split(',').map(Number);
  console.log(`# load average (1, 5, 15 min) at start: ${loadavg()}; ${os.cpus().length} cores`);
  const data = loadTrain();
  const shuffled = shuffledIndices(data.count, createRandom(0));
  const images = new Float32Array(data.count * 784);
  const labels = new Int32Array(data.count);
  shuffled.forEach((src, dst) => {
    images.set(data.images.subarray(src * 784, src * 784 + 784), dst * 784);
    labels[dst] = data.labels[src]!;
  });
  const set = { images, labels, count: data.count };
  const engines = await availableEngines();
  const torch = torchAvailable();
  if (!torch) console.log('# PyTorch: not available (or --no-torch), skipped');
  const results = new Map<string, number[]>();
  const push = (key: string, v: number) => results.set(key, [...(results.get(key) ?? []), v]);
  for (let r = 0; r < repeats; r++) {
    // Interleave engines and torch within each repeat so machine noise hits all of them alike.
    if (torch) {
      for (const line of runTorch(['speed', '--threads', '1', '--steps', String(steps4), '--batches', batches.join(',')])) {
        push(`torch 1 thread|${line.batch}`, line.steps_per_s as number);
      }
    }
    for (const e of engines) {
      const trainer = await createCnnTrainer({ seed: r, learningRate: 0.001, momentum: 0.9, ...e.options } as EngineOptions);
      for (const batch of batches) {
        const n = Math.max(10, Math.round((batch === 4 ? steps4 : steps4 / 8) * e.scale));
        timeSteps(trainer, set, batch, Math.max(5, Math.round(n / 10)), 0); // warm-up
        push(`${e.label}|${batch}`, timeSteps(trainer, set, batch, n, n));
      }
      trainer.dispose();
    }
  }
  console.log(`\n# load average at end: ${loadavg()}`);
  console.log(`\n| engine | batch | steps/s median (min–max) | images/s | × PyTorch (of medians) | per-pair × PyTorch (min–max) |`);
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  const labels2 = [...new Set([...results.keys()].map((k) => k.split('|')[0]!))];
  for (const batch of batches) {
    const ref = results.get(`torch 1 thread|${batch}`);
    for (const label of labels2) {
      const xs = results.get(`${label}|${batch}`);
      if (!xs) continue;
      const m = median(xs);
      // Repeat r of an engine and of torch ran back to back: their ratio is the fair one under changing load.
      const pairs = ref && label !== 'torch 1 thread' ? xs.map((x, r) => x / ref[r]!) : undefined;
      console.log(
        `| ${label} | ${batch} | ${m.toFixed(batch === 4 ? 0 : 1)} (${spread(xs, batch === 4 ? 0 : 1)}) | ${(m * batch).toFixed(0)} | ` +
          `${ref ? (m / median(ref)).toFixed(2) : '–'} | ${pairs ? `${median(pairs).toFixed(2)} (${spread(pairs, 2)})` : '–'} |`,
      );
    }
  }
  console.log(`\n# medians of ${repeats} repeats; raw: ${JSON.stringify(Object.fromEntries([...results].map(([k, v]) => [k, v.map((x) => +x.toFixed(1))])))}`);
}

/** Where the fused step's time goes, by subtraction: the trainer's step vs the plan on its own memory, forward vs rest. */
async function profile(): Promise<void> {
  const data = loadTrain();
  const trainer = await createCnnTrainer({ backend: 'wasm', seed: 0, learningRate: 0.001, momentum: 0.9 });
  const net = resolveNetwork(builtinNetwork('tutorial'), { height: 28, width: 28, channels: 1 }, 10);
  const engine = createFusedStep(net, { seed: 0, optimizer: { type: 'sgd', learningRate: 0.001, momentum: 0.9 } });
  engine.setParams(net.params.map((p) => new Float32Array(p.tfShape.reduce((a, b) => a * b, 1)).fill(0.01)));
  for (const batch of [4, 64]) {
    const steps = batch === 4 ? 4000 : 300;
    timeSteps(trainer, data, batch, steps / 10, 0);
    const reps: Record<string, number[]> = { trainer: [], raw: [], forward: [] };
    for (let r = 0; r < 5; r++) {
      // Same fixed batch for every path: the work depends on the data (ReLU sparsity).
      const xs = data.images.subarray(0, batch * 784), ys = data.labels.subarray(0, batch);
      let t0 = performance.now();
      for (let i = 0; i < steps; i++) trainer.trainStep(xs, ys);
      reps.trainer!.push((performance.now() - t0) / steps);
      t0 = performance.now();
      for (let i = 0; i < steps; i++) engine.step(xs, ys);
      reps.raw!.push((performance.now() - t0) / steps);
      t0 = performance.now();
      for (let i = 0; i < steps; i++) engine.predict(xs, batch, batch);
      reps.forward!.push((performance.now() - t0) / steps);
    }
    const [k, w, f] = [median(reps.trainer!), median(reps.raw!), median(reps.forward!)];
    console.log(
      `batch ${batch} (${engine.binary}): trainStep ${(k * 1e3).toFixed(0)} µs; the plan on its own memory ${(w * 1e3).toFixed(0)} µs ` +
        `(forward ${(f * 1e3).toFixed(0)} µs, loss + backward + update ${((w - f) * 1e3).toFixed(0)} µs) (medians of 5; the rest is noise between runs)`,
    );
  }
  trainer.dispose();
}

async function accuracy(): Promise<void> {
  const seed = flag('seed', 0);
  const train = loadTrain();
  const test = readSplit('t10k');
  const torchRun = args.includes('--torch') && torchAvailable() ? runTorch(['epoch', '--threads', '1', '--seed', String(seed)])[0] : null;
  const trainer = await createCnnTrainer({ seed, learningRate: 0.001, momentum: 0.9 });
  const order = shuffledIndices(train.count, createRandom(seed));
  const images = new Float32Array(4 * 784);
  const labels = new Int32Array(4);
  const losses: number[] = [];
  let running = 0;
  const t0 = performance.now();
  for (let step = 0; step < train.count / 4; step++) {
    for (let j = 0; j < 4; j++) {
      const src = order[step * 4 + j]!;
      images.set(train.images.subarray(src * 784, src * 784 + 784), j * 784);
      labels[j] = train.labels[src]!;
    }
    running += trainer.trainStep(images, labels);
    if (step % 1000 === 999) {
      losses.push(+(running / 1000).toFixed(3));
      running = 0;
    }
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  const p0 = performance.now();
  const { probabilities } = trainer.predict(test.images, test.count);
  const predictMs = performance.now() - p0;
  const perClass = new Array(10).fill(0), perCount = new Array(10).fill(0);
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (probabilities[i * 10 + j]! > probabilities[i * 10 + best]!) best = j;
    const y = test.labels[i]!;
    perCount[y]++;
    if (best === y) {
      correct++;
      perClass[y]++;
    }
  }
  const acc = correct / test.count;
  console.log(JSON.stringify({
    engine: `tfjs ${trainer.backend}`,
    seed,
    train_s: +trainSeconds.toFixed(2),
    steps_per_s: +(15000 / trainSeconds).toFixed(1),
    loss_every_1000: losses,
    test_accuracy: +acc.toFixed(4),
    per_class_accuracy: Object.fromEntries(CLASSES.map((c, i) => [c, +(perClass[i] / perCount[i]).toFixed(4)])),
    predict_10000_ms: +predictMs.toFixed(0),
  }));
  if (torchRun) console.log(JSON.stringify(torchRun));
  console.log(acc >= 0.82 ? `# accuracy ${(acc * 100).toFixed(2)} % ≥ 82 %: ok` : `# accuracy ${(acc * 100).toFixed(2)} % < 82 %: FAIL`);
  trainer.dispose();
  if (acc < 0.82) process.exitCode = 1;
}

if (mode === 'accuracy') await accuracy();
else if (mode === 'profile') await profile();
else await speed();
