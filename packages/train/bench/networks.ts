/**
 * The five built-in networks, our engine side by side with PyTorch (1 thread) in one run.
 *
 *   node --import tsx packages/train/bench/networks.ts speed [--networks tutorial,wide,lenet5-rgb,mlp,batchnorm]
 *       [--batches 4,64] [--repeats 3] [--steps 1000] [--backend wasm] [--threads 1|2|auto] [--no-torch]
 *       steps/s at each batch size: ours (createCnnTrainer on --backend, trainStep auto: the fused engine when it runs
 *       the network, else stock — the table says which), then `torch_reference.py speed --network <file> --input C,H,W
 *       --threads 1` for the same network, once per repeat so each repeat is a pair under the same load. Both train on
 *       synthetic inputs of the network's shape (1×28×28, lenet5-rgb 3×32×32). Medians, min–max, the ratio of the
 *       medians, and GFLOP/s from the spec's FLOP count (src/network/flops.ts) for both. Load average printed.
 *   node --import tsx packages/train/bench/networks.ts accuracy [--networks …] [--seeds 0,1,2] [--no-torch]
 *       one epoch of FashionMNIST at batch 4, SGD(0.001, 0.9) — the tutorial's recipe — per network: ours (test
 *       accuracy over the 10 000 test images) vs `torch_reference.py epoch --network <file>`, per seed and the mean
 *       (one seed's accuracy varies by ~1 pt, in both); lenet5-rgb on the RGB
 *       version of the data (grey repeated to 3 channels, zero-padded 28→32 as black) vs bench/torch_rgb_epoch.py,
 *       which builds the same nn.Sequential with torch_reference.py's `build`. `--train-images N` (ours only) shortens
 *       the epoch for a smoke run.
 *
 * Needs /usr/bin/python3 with torch and TORCH_REFERENCE (default ../shared/reference/torch_reference.py beside the
 * repo) for the PyTorch side; FashionMNIST from FASHION_MNIST_DIR (default /usr/share/datasets/fashion-mnist) for
 * accuracy. Never run by the tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createRandom, shuffledIndices } from '@tbpipe/core';
import { createCnnTrainer, type BackendName, type EngineTrainer } from '../src/engine/index.ts';
import { builtinNetwork, BUILTIN_NETWORKS, resolveNetwork, trainStepFlops, type ResolvedNetwork } from '../src/network/index.ts';
import { planBinary } from '../src/kernels/plan.ts';
import { benchInput, networkFile, PYTHON, syntheticSteps, TORCH_REFERENCE, torchSpeed } from './side-by-side.ts';

const DATA_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const TORCH_RGB_EPOCH = fileURLToPath(new URL('./torch_rgb_epoch.py', import.meta.url));

const args = process.argv.slice(2);
const mode = args.find((a) => !a.startsWith('--') && !/^[\d.,]+$/.test(a)) ?? 'speed';
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const number = (name: string, fallback: number) => Number(option(name) ?? fallback);
const networks = (option('networks') ?? BUILTIN_NETWORKS.join(',')).split(',') as (typeof BUILTIN_NETWORKS)[number][];
const torch = !args.includes('--no-torch') && existsSync(TORCH_REFERENCE);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const resolved = (name: (typeof BUILTIN_NETWORKS)[number]) => resolveNetwork(builtinNetwork(name), benchInput(name), 10);

/** torch_reference's step counts: `steps` at batch 4, max(steps·8/batch, 50) above. */
const stepsFor = (steps: number, batch: number) => (batch === 4 ? steps : Math.max(Math.floor((steps * 8) / batch), 50));

/** Our steps/s on synthetic N(0,1)-ish inputs (as torch_reference --input uses), after n/10 warm-up steps. */
function ourSpeed(trainer: EngineTrainer, net: ResolvedNetwork, batch: number, steps: number): number {
  const step = syntheticSteps(trainer, net, batch, 64);
  for (let i = 0; i < Math.ceil(steps / 10); i++) step(i);
  const t = performance.now();
  for (let i = 0; i < steps; i++) step(i);
  return (steps * 1000) / (performance.now() - t);
}

async function speed(): Promise<void> {
  const batches = (option('batches') ?? '4,64').split(',').map(Number);
  const repeats = number('repeats', 3);
  const steps = number('steps', 1000);
  const backend = (option('backend') ?? 'wasm') as BackendName;
  // Threads per step (the batch split, ENGINE.md); bench/split.ts compares 1 and 2 in one run.
  const threads = ((t) => (t === 'auto' ? 'auto' : t === '2' ? 2 : 1))(option('threads') ?? '1');
  console.log(`# networks speed: backend ${backend}, ${repeats} repeats, ${steps} steps at batch 4; plan binary ${planBinary()}; torch ${torch ? 'on' : 'off'}; load ${loadavg()}`);
  const rows: string[] = [];
  for (const name of networks) {
    const net = resolved(name);
    const ours = new Map<number, number[]>(batches.map((b) => [b, []]));
    const theirs = new Map<number, number[]>(batches.map((b) => [b, []]));
    let kind = '';
    for (let r = 0; r < repeats; r++) {
      for (const batch of batches) {
        const trainer = await createCnnTrainer({ backend, seed: 0, learningRate: 0.001, momentum: 0.9, network: net, threads });
        kind = trainer.stepKind + (trainer.stepNote ? ` (${trainer.stepNote})` : '');
        ours.get(batch)!.push(ourSpeed(trainer, net, batch, stepsFor(steps, batch)));
        trainer.dispose();
      }
      if (torch) for (const [b, v] of torchSpeed(name, batches, steps)) theirs.get(b)?.push(v);
    }
    for (const batch of batches) {
      const o = ours.get(batch)!;
      const t = theirs.get(batch)!;
      const flops = trainStepFlops(net, batch);
      const gf = (sps: number) => ((sps * flops) / 1e9).toFixed(2);
      const ratio = t.length ? (median(o) / median(t)).toFixed(2) : '–';
      rows.push(
        `| ${name} | ${batch} | ${median(o).toFixed(0)} (${spread(o)}) | ${t.length ? `${median(t).toFixed(0)} (${spread(t)})` : '–'} | ${ratio}× | ${gf(median(o))} | ${t.length ? gf(median(t)) : '–'} |`,
      );
    }
    console.log(`${name}: step ${kind}`);
  }
  console.log('\n| network | batch | ours steps/s (min–max) | PyTorch steps/s (min–max) | ours / PyTorch | ours GFLOP/s | PyTorch GFLOP/s |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  console.log(`\nload after: ${loadavg()}`);
}

interface Split {
  pixels: Uint8Array;
  labels: Int32Array;
  count: number;
}

function readSplit(prefix: 'train' | 't10k'): Split {
  const img = gunzipSync(readFileSync(join(DATA_DIR, `${prefix}-images-idx3-ubyte.gz`)));
  const lab = gunzipSync(readFileSync(join(DATA_DIR, `${prefix}-labels-idx1-ubyte.gz`)));
  const count = new DataView(img.buffer, img.byteOffset).getUint32(4);
  return { pixels: img.subarray(16, 16 + count * 784), labels: Int32Array.from(lab.subarray(8, 8 + count)), count };
}

const LUT = Float32Array.from({ length: 256 }, (_, p) => Math.fround(Math.fround(Math.fround(p / 255) - 0.5) / 0.5));

/** Normalised NHWC floats of image `i`: 28×28×1, or (rgb) repeated to 3 channels and zero-padded to 32×32. */
function imageFloats(split: Split, i: number, rgb: boolean, out: Float32Array, at: number): void {
  if (!rgb) {
    for (let j = 0; j < 784; j++) out[at + j] = LUT[split.pixels[i * 784 + j]!]!;
    return;
  }
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) {
      const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
      const v = inside ? LUT[split.pixels[i * 784 + (y - 2) * 28 + (x - 2)]!]! : LUT[0]!;
      for (let c = 0; c < 3; c++) out[at + (y * 32 + x) * 3 + c] = v;
    }
}

async function accuracy(): Promise<void> {
  const seeds = (option('seeds') ?? option('seed') ?? '0').split(',').map(Number);
  const trainSplit = readSplit('train');
  const test = readSplit('t10k');
  console.log(`# networks accuracy: 1 epoch, batch 4, SGD(0.001, 0.9), seeds ${seeds.join(',')}; torch ${torch ? 'on' : 'off'}; load ${loadavg()}`);
  const rows: string[] = [];
  const pct = (xs: number[]) => xs.map((x) => (x * 100).toFixed(2)).join(' / ');
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const name of networks) {
    const net = resolved(name);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const seed of seeds) {
      ours.push(await ourEpoch(net, seed, trainSplit, test));
      console.log(`${name} seed ${seed}: ours ${(ours.at(-1)! * 100).toFixed(2)} %`);
      if (torch) {
        theirs.push(torchEpoch(name, net.input.channels === 3, seed));
        console.log(`${name} seed ${seed}: PyTorch ${(theirs.at(-1)! * 100).toFixed(2)} %`);
      }
    }
    const diff = theirs.length ? `${((mean(ours) - mean(theirs)) * 100).toFixed(2)} pt` : '–';
    rows.push(`| ${name} | ${pct(ours)} (mean ${(mean(ours) * 100).toFixed(2)}) | ${theirs.length ? `${pct(theirs)} (mean ${(mean(theirs) * 100).toFixed(2)})` : '–'} | ${diff} |`);
  }
  console.log('\n| network | ours % per seed | PyTorch % per seed | difference of means |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

/** Test accuracy of our engine after one epoch (wasm, trainStep auto). */
async function ourEpoch(net: ResolvedNetwork, seed: number, trainSplit: Split, test: Split): Promise<number> {
  const rgb = net.input.channels === 3;
  const floats = net.input.height * net.input.width * net.input.channels;
  const trainer = await createCnnTrainer({ backend: 'wasm', seed, learningRate: 0.001, momentum: 0.9, network: net });
  const order = shuffledIndices(trainSplit.count, createRandom(seed));
  const x = new Float32Array(4 * floats);
  const y = new Int32Array(4);
  const limit = Math.min(trainSplit.count, number('train-images', trainSplit.count));
  for (let s = 0; s + 4 <= limit; s += 4) {
    for (let k = 0; k < 4; k++) {
      imageFloats(trainSplit, order[s + k]!, rgb, x, k * floats);
      y[k] = trainSplit.labels[order[s + k]!]!;
    }
    trainer.trainStep(x, y);
  }
  const all = new Float32Array(test.count * floats);
  for (let i = 0; i < test.count; i++) imageFloats(test, i, rgb, all, i * floats);
  const { probabilities } = trainer.predict(all, test.count);
  trainer.dispose();
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probabilities[i * 10 + c]! > probabilities[i * 10 + best]!) best = c;
    if (best === test.labels[i]) correct++;
  }
  return correct / test.count;
}

/** PyTorch's test accuracy after the same epoch (torch_reference epoch, or torch_rgb_epoch.py for RGB). */
function torchEpoch(name: string, rgb: boolean, seed: number): number {
  const cmd = rgb
    ? [TORCH_RGB_EPOCH, '--reference', TORCH_REFERENCE, '--network', networkFile(name), '--seed', String(seed), '--data', DATA_DIR]
    : [TORCH_REFERENCE, 'epoch', '--network', networkFile(name), '--threads', '1', '--seed', String(seed), '--data', DATA_DIR];
  const r = spawnSync(PYTHON, cmd, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: torch epoch failed for ${name}: ${r.stderr.trim().split('\n').at(-1)}`);
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { test_accuracy: number }).test_accuracy;
}

if (mode === 'speed') await speed();
else if (mode === 'accuracy') await accuracy();
else throw new Error(`bench: mode '${mode}', expected speed | accuracy`);
