// One UMAP fit's phases (exact kNN graph, prepareUmap, SGD kernel), wall ms, four fits per size after none warm.
//   npm run bench -- umap-phases [sizes=2000]
import { createRandom } from '@tbpipe/core';
import { accuracyFromGraph } from '../src/knn-accuracy.ts';
import { fitPca } from '../src/pca.ts';
import { nearestNeighbors } from '../src/knn.ts';
import { prepareUmap } from '../src/umap.ts';
import { runLayoutJob } from '../src/wasm-kernels.mjs';
import { readFashionMnist, toUnitFloats } from './lib/fashion-mnist.ts';
const sizes = (process.argv[2] ?? '2000').split(',').map(Number);
for (const n of sizes) {
  const { images } = readFashionMnist('t10k', n, '/usr/share/datasets/fashion-mnist');
  const x = fitPca(toUnitFloats(images), n, 784, { nComponents: 50, random: createRandom(0) }).scores;
  const nEpochs = n > 7500 ? 200 : 500;
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    const graph = nearestNeighbors(x, n, 50, 15, { includeSelf: true });
    const t1 = performance.now();
    const job = prepareUmap(graph, { nComponents: 2, nNeighbors: 15, minDist: 0.1, seed: r, nEpochs });
    const t2 = performance.now();
    await runLayoutJob(job);
    const t3 = performance.now();
    console.log(n, 'knn', (t1 - t0).toFixed(0), 'prep', (t2 - t1).toFixed(0), 'sgd', (t3 - t2).toFixed(0), 'total', (t3 - t0).toFixed(0), 'edges', job.head.length);
  }
}
