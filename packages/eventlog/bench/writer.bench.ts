// Throughput and memory of the SummaryWriter, side by side with PyTorch's writer where this machine has one.
// Run: node --import tsx packages/eventlog/bench/writer.bench.ts [--quick]
// Cases are named and seeded; figures are medians of ROUNDS runs. Not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '@tbpipe/core';
import { SummaryWriter } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const SCALARS_PER_ROUND = quick ? 50_000 : 200_000;
const PR_CALLS_PER_ROUND = quick ? 300 : 1000;
const PR_SAMPLES = 10_000;
const MEMORY_SCALARS = 1_000_000;
/** The issue's reference figures for PyTorch 1.13's writer, used when torch cannot run here. */
const TORCH_REFERENCE = { addScalar: 16_000, addPrCurve: 1_000 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function tempLogdir(): string {
  return mkdtempSync(join(tmpdir(), 'eventlog-bench-'));
}

async function benchAddScalar(): Promise<number> {
  const rates: number[] = [];
  // Round 0 warms the JIT up and is not counted.
  for (let r = 0; r <= ROUNDS; r++) {
    const dir = tempLogdir();
    const w = new SummaryWriter(dir);
    const t0 = performance.now();
    for (let i = 0; i < SCALARS_PER_ROUND; i++) w.addScalar('training loss', 1 / (i + 1), i);
    // Timed up to every byte handed to the OS (torch's close() does no more); our close() adds an fsync.
    await w.flush();
    if (r > 0) rates.push(SCALARS_PER_ROUND / ((performance.now() - t0) / 1000));
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return median(rates);
}

async function benchAddPrCurve(): Promise<number> {
  const random = createRandom(42);
  const labels = Uint8Array.from({ length: PR_SAMPLES }, () => (random() < 0.1 ? 1 : 0));
  const predictions = Float32Array.from({ length: PR_SAMPLES }, () => random());
  const rates: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const dir = tempLogdir();
    const w = new SummaryWriter(dir);
    const t0 = performance.now();
    for (let i = 0; i < PR_CALLS_PER_ROUND; i++) w.addPrCurve('T-shirt/top', labels, predictions, i);
    await w.flush();
    if (r > 0) rates.push(PR_CALLS_PER_ROUND / ((performance.now() - t0) / 1000));
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return median(rates);
}

/** 1 000 000 scalars, yielding to the event loop every `yieldEvery` calls (a training step); heap/RSS sampled. */
async function benchMemory(yieldEvery: number): Promise<{ samples: { n: number; heap: number; rss: number }[]; seconds: number }> {
  const dir = tempLogdir();
  const w = new SummaryWriter(dir);
  globalThis.gc?.();
  const samples = [{ n: 0, heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss }];
  const t0 = performance.now();
  for (let i = 1; i <= MEMORY_SCALARS; i++) {
    w.addScalar('training loss', 1 / i, i);
    if (i % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
    if (i % 200_000 === 0) {
      globalThis.gc?.();
      const m = process.memoryUsage();
      samples.push({ n: i, heap: m.heapUsed, rss: m.rss });
    }
  }
  await w.close();
  const seconds = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return { samples, seconds };
}

/** PyTorch's writer, if this machine's python3 can import it; otherwise why not. */
function torchSide(): { addScalar?: number; addPrCurve?: number; computeCurve?: number; note: string } {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'from torch.utils.tensorboard import SummaryWriter'], { encoding: 'utf8' });
  const script = String.raw`
import json, sys, time, tempfile, statistics
import numpy as np
rounds, n_scalar, n_pr, samples, full = [int(x) for x in sys.argv[1:6]]
rng = np.random.RandomState(42)
labels = (rng.rand(samples) < 0.1)
preds = rng.rand(samples).astype(np.float32)
out = {}
def compute_curve(labels, predictions, num_thresholds=127, weights=None):  # torch 1.13 summary.compute_curve
    _MINIMUM_COUNT = 1e-7
    if weights is None: weights = 1.0
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    histogram_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range, weights=float_labels * weights)
    fp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range, weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]; fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp; fn = tp[0] - tp
    precision = tp / np.maximum(_MINIMUM_COUNT, tp + fp); recall = tp / np.maximum(_MINIMUM_COUNT, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))
rates = []
for r in range(rounds):
    t0 = time.perf_counter()
    for i in range(n_pr): compute_curve(labels, preds).reshape(-1).tolist()
    rates.append(n_pr / (time.perf_counter() - t0))
out['computeCurve'] = statistics.median(rates)
if full:
    from torch.utils.tensorboard import SummaryWriter
    import torch
    tl, tp_ = torch.from_numpy(labels), torch.from_numpy(preds)
    for name, n, fn in [('addScalar', n_scalar, lambda w, i: w.add_scalar('training loss', 1.0 / (i + 1), i)),
                        ('addPrCurve', n_pr, lambda w, i: w.add_pr_curve('T-shirt/top', tl, tp_, i))]:
        rates = []
        for r in range(rounds):
            d = tempfile.mkdtemp()
            w = SummaryWriter(d)
            t0 = time.perf_counter()
            for i in range(n): fn(w, i)
            w.close()
            rates.append(n / (time.perf_counter() - t0))
        out[name] = statistics.median(rates)
print(json.dumps(out))
`;
  const full = probe.status === 0 ? 1 : 0;
  const r = spawnSync(python, ['-c', script, String(ROUNDS), String(SCALARS_PER_ROUND / 4), String(PR_CALLS_PER_ROUND), String(PR_SAMPLES), String(full)], { encoding: 'utf8' });
  if (r.status !== 0) return { note: `python3 benchmark failed: ${r.stderr.trim().split('\n').pop()}` };
  const res = JSON.parse(r.stdout);
  const why = probe.status === 0 ? 'measured here' : `torch.utils.tensorboard unavailable here (${probe.stderr.trim().split('\n').pop()}); torch figures are the issue's reference values`;
  return { ...res, note: why };
}

console.log(`eventlog writer bench (node ${process.version}, ${ROUNDS} rounds, medians)${quick ? ' [quick]' : ''}`);
const scalarRate = await benchAddScalar();
const prRate = await benchAddPrCurve();
const torch = torchSide();
const torchScalar = torch.addScalar ?? TORCH_REFERENCE.addScalar;
const torchPr = torch.addPrCurve ?? TORCH_REFERENCE.addPrCurve;
console.log(`torch side: ${torch.note}`);
console.log(`addScalar                    ${fmt(scalarRate)} calls/s   torch ${fmt(torchScalar)}/s   ratio ${(scalarRate / torchScalar).toFixed(1)}× (target ≥ 10×)`);
console.log(`addPrCurve (10 000 samples)  ${fmt(prRate)} calls/s   torch ${fmt(torchPr)}/s   ratio ${(prRate / torchPr).toFixed(1)}× (target ≥ 5×)`);
if (torch.computeCurve) {
  console.log(`  numpy compute_curve alone (torch's add_pr_curve minus protobuf and I/O, measured here): ${fmt(torch.computeCurve)}/s → ratio ${(prRate / torch.computeCurve).toFixed(1)}×`);
}
for (const yieldEvery of [1000, Infinity]) {
  const { samples, seconds } = await benchMemory(yieldEvery);
  const label = yieldEvery === Infinity ? 'never yielding (back-pressure path)' : `yielding every ${yieldEvery} calls`;
  console.log(`memory, 1 000 000 scalars ${label}: ${seconds.toFixed(2)} s`);
  for (const s of samples) console.log(`  after ${fmt(s.n).padStart(9)}  heap ${mib(s.heap).padStart(10)}  rss ${mib(s.rss).padStart(10)}`);
}
