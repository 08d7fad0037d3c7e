// One whole UMAP fit (exact 15-NN graph + prepareUmap + SGD, 2-D) of the first n FashionMNIST test images as PCA-50,
// wall / CPU ms and the layout's 10-NN accuracy, after one warm-up fit; imports @tbpipe/project by name, so the same
// file measures another checkout (e.g. a `git archive` of an older commit with its own node_modules/@tbpipe/project).
//   npm run bench -- fit-cost [n=2000] [repeats=3]
import { createRandom } from '@tbpipe/core';
import { fitPca, nearestNeighbors, prepareUmap, runLayoutJob, accuracyFromGraph } from '@tbpipe/project';
import { readFashionMnist, toUnitFloats } from './lib/fashion-mnist.ts';
const n = Number(process.argv[2] ?? 2000);
const repeats = Number(process.argv[3] ?? 3);
const { images, labels } = readFashionMnist('t10k', n);
const x = fitPca(toUnitFloats(images), n, 784, { nComponents: 50, random: createRandom(0) }).scores;
const nEpochs = n > 7500 ? 200 : 500;
const fit = async (seed: number) => {
  const graph = nearestNeighbors(x, n, 50, 15, { includeSelf: true });
  const job = prepareUmap(graph, { nComponents: 2, nNeighbors: 15, minDist: 0.1, seed, nEpochs });
  return Float32Array.from(await runLayoutJob(job));
};
await fit(99);
const out: string[] = [];
for (let r = 0; r < repeats; r++) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const y = await fit(r);
  const wall = performance.now() - t;
  const cu = process.cpuUsage(cpu);
  out.push(`${wall.toFixed(0)}/${((cu.user + cu.system) / 1000).toFixed(0)} acc ${accuracyFromGraph(nearestNeighbors(y, n, 2, 10), labels).toFixed(4)}`);
}
console.log(n, out.join('  '));
