// UMAP's SGD kernels side by side (CPU time of each fit, interleaved rounds, kNN accuracy of each layout): the
// first n FashionMNIST test images as PCA-50, one exact 15-NN graph, three seeds.
//   npm run bench -- sgd-variants [n=2000] [kernels=streams,lanes] [dim=2]
import { createRandom } from '@tbpipe/core';
import { accuracyFromGraph } from '../src/knn-accuracy.ts';
import { fitPca } from '../src/pca.ts';
import { nearestNeighbors } from '../src/knn.ts';
import { prepareUmap } from '../src/umap.ts';
import { runLayoutJob } from '../src/wasm-kernels.mjs';
import { readFashionMnist, toUnitFloats } from './lib/fashion-mnist.ts';
const n = Number(process.argv[2] ?? 2000);
const variants = (process.argv[3] ?? 'streams,lanes').split(',');
const dim = Number(process.argv[4] ?? 2);
const { images, labels } = readFashionMnist('t10k', n, '/usr/share/datasets/fashion-mnist');
const x = fitPca(toUnitFloats(images), n, 784, { nComponents: 50, random: createRandom(0) }).scores;
const nEpochs = n > 7500 ? 200 : 500;
const graph = nearestNeighbors(x, n, 50, 15, { includeSelf: true });
const jobs = [0, 1, 2].map((seed) => prepareUmap(graph, { nComponents: dim, nNeighbors: 15, minDist: 0.1, seed, nEpochs }));
const times: Record<string, number[]> = {};
const results: Record<string, Float64Array[]> = {};
for (let r = 0; r < 3; r++)
  for (const v of variants) {
    const t = process.cpuUsage();
    const name = v;
    const e = await runLayoutJob(jobs[r], { kernel: name as never });
    (times[v] ??= []).push(process.cpuUsage(t).user / 1000);
    (results[v] ??= []).push(e);
  }
for (const v of variants) {
  const acc = results[v].map((e) => accuracyFromGraph(nearestNeighbors(Float32Array.from(e), n, dim, 10), labels).toFixed(4));
  const same = results[v].every((e, r) => Buffer.from(e.buffer).equals(Buffer.from(results[variants[0]][r].buffer)));
  console.log(v.padEnd(12), times[v].map((t) => t.toFixed(0)).join(' '), 'acc', acc.join(' '), 'sameAsFirst', same);
}
