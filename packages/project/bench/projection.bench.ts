/**
 * PCA and UMAP of 10 000 FashionMNIST test images against scikit-learn and umap-learn, with kNN accuracy.
 *
 * `npm run bench -- projection [--n 10000] [--repeats 3] [--features <predictions.arrow>] [--no-python]`
 * Cases (seeded): PCA 784 → 3 and 784 → 50 (our randomized PCA vs sklearn full/randomized); UMAP 2-D of pixels
 * (PCA-50 → exact kNN → typed umap-js) vs umap-learn on the raw 784-d pixels; UMAP of 84-d learned features when a
 * predictions.arrow is given (evaluate's output). The Python side runs in one process after a numba warm-up
 * (steady state), with Debian's umap-learn / python3-sklearn (/usr/bin/python3); skipped when absent.
 * Prints medians and ratios (ours / theirs) as JSON lines, then a summary table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRandom } from '@tbpipe/core';
import { readPredictions } from '@tbpipe/evaluate';
import { accuracyFromGraph, fitPca, nearestNeighbors, runUmap } from '../src/index.ts';
import { FASHION_MNIST_DIR, readFashionMnist, toUnitFloats } from './lib/fashion-mnist.ts';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '10000' }, repeats: { type: 'string', default: '3' }, features: { type: 'string' }, 'no-python': { type: 'boolean' } },
});
const n = Number(values.n);
const repeats = Number(values.repeats);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results: Record<string, unknown> = {};
const report = (name: string, data: Record<string, unknown>) => {
  results[name] = data;
  console.log(JSON.stringify({ case: name, ...data }));
};

async function timed<T>(f: () => T | Promise<T>): Promise<{ seconds: number; value: T }> {
  const t = performance.now();
  const value = await f();
  return { seconds: (performance.now() - t) / 1000, value };
}

const { images, labels } = readFashionMnist('t10k', n);
const pixels = toUnitFloats(images);

for (const k of [3, 50]) {
  const runs = [];
  let ratios: number[] = [];
  for (let r = 0; r < repeats + 1; r++) {
    const { seconds, value } = await timed(() => fitPca(pixels, n, 784, { nComponents: k, random: createRandom(r) }));
    if (r > 0) runs.push(seconds); // first run warms the JIT
    ratios = Array.from(value.explainedVarianceRatio.slice(0, 3));
  }
  report(`pca_${k}`, { seconds: median(runs), ratios });
}

async function umapCase(name: string, x: Float32Array, width: number, y: Uint8Array | Uint16Array) {
  const runs: { total: number; pca: number; knn: number; umap: number; acc: number; accInput: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const wide = width > 100;
    const pca = wide ? fitPca(x, n, width, { nComponents: 50, random: createRandom(r) }) : undefined;
    const t1 = performance.now();
    const graph = nearestNeighbors(pca ? pca.scores : x, n, pca ? 50 : width, 15, { includeSelf: true });
    const t2 = performance.now();
    const xy = await runUmap(graph, { nComponents: 2, nNeighbors: 15, minDist: 0.1, seed: r });
    const t3 = performance.now();
    const acc = accuracyFromGraph(nearestNeighbors(xy, n, 2, 10), y);
    const self = { count: n, k: 14, indices: new Int32Array(n * 14), distances: new Float32Array(n * 14) };
    for (let i = 0; i < n; i++) self.indices.set(graph.indices.subarray(i * 15 + 1, i * 15 + 15), i * 14);
    runs.push({ total: (t3 - t0) / 1000, pca: (t1 - t0) / 1000, knn: (t2 - t1) / 1000, umap: (t3 - t2) / 1000, acc, accInput: accuracyFromGraph(self, y) });
  }
  const m = (key: keyof (typeof runs)[number]) => median(runs.map((r) => r[key]));
  report(name, { seconds: m('total'), pcaSeconds: m('pca'), knnSeconds: m('knn'), umapSeconds: m('umap'), knn10: m('acc'), knn10OfUmapInput: m('accInput') });
}

await umapCase('umap_pixels', pixels, 784, labels);
if (values.features) {
  const p = await readPredictions(values.features);
  if (p.count < n) throw new Error(`${values.features} has ${p.count} rows, need ${n}`);
  if (!p.features) throw new Error(`${values.features} has no features`);
  await umapCase('umap_features', p.features.subarray(0, n * p.featureWidth), p.featureWidth, p.label.subarray(0, n));
}

const script = new URL('./reference.py', import.meta.url).pathname;
if (!values['no-python'] && existsSync('/usr/bin/python3')) {
  const py = spawnSync('/usr/bin/python3', [script, FASHION_MNIST_DIR, String(n), String(repeats)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = py.stdout.trim().split('\n').pop() ?? '';
  try {
    const ref = JSON.parse(line) as Record<string, { seconds: number; knn10?: number; ratios?: number[] } | string>;
    report('python', ref);
    const ours = results as Record<string, { seconds: number; knn10?: number }>;
    const ratio = (a: string, b: string) => (typeof ref[b] === 'object' && ours[a] ? ours[a].seconds / (ref[b] as { seconds: number }).seconds : undefined);
    console.log('\ncase                         ours (s)  theirs (s)  ours/theirs');
    for (const [a, b] of [['pca_3', 'sklearn_pca_full_3'], ['pca_3', 'sklearn_pca_randomized_3'], ['pca_50', 'sklearn_pca_randomized_50'], ['umap_pixels', 'umap_learn_pixels']]) {
      const r = ratio(a, b);
      if (r !== undefined) console.log(`${(a + ' vs ' + b).padEnd(44)} ${ours[a].seconds.toFixed(2).padStart(6)}  ${(ref[b] as { seconds: number }).seconds.toFixed(2).padStart(8)}  ${r.toFixed(2)}`);
    }
    const ul = ref.umap_learn_pixels;
    if (typeof ul === 'object') console.log(`kNN-10 accuracy of the 2-D layout: ours ${ours.umap_pixels.knn10}, umap-learn ${ul.knn10}`);
  } catch {
    console.log(`python reference unavailable: ${py.stderr.trim().split('\n').pop() ?? py.error}`);
  }
}
