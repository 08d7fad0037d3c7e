// UMAP fits, ours against umap-learn, on the same points with the same parameters in the same benchmark run: the
// first n FashionMNIST test images reduced to 50 PCA components by @tbpipe/project (what the project stage feeds its
// pixel UMAP), written to a file that umap-learn (Debian's `umap-learn`, /usr/bin/python3) reads. Both sides are
// timed in steady state, after one untimed warm-up fit in the same process: ours is the exact 15-NN graph +
// umap-js's initializeFit (typed, same numbers) + the wasm SGD (lanes kernel), in this thread; theirs is `UMAP(...).fit_transform` (NN-descent, graph, SGD).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRandom } from '@tbpipe/core';
import { accuracyFromGraph, fitPca, nearestNeighbors, prepareUmap, runLayoutJob } from '@tbpipe/project';
import { readFashionMnist, toUnitFloats } from '../../packages/project/bench/lib/fashion-mnist.ts';

export interface UmapFitCase {
  points: number;
  nEpochs: number;
  /** timed fits, seconds, after a warm-up */
  ours: number[];
  oursKnn10: number;
  /** null when umap-learn is not importable */
  umapLearn: { version: string; seconds: number[]; knn10: number } | null;
  /** why umap-learn did not run, if it did not */
  umapLearnMissing?: string;
  /** 1-minute load average before our fits and before theirs */
  load: [number, number];
}

const N_NEIGHBORS = 15;
const MIN_DIST = 0.1;

/** umap-js's epoch rule (what the project stage uses): 500 up to 2 500 points, then 400 / 300 / 200. */
const epochsFor = (n: number): number => (n > 7500 ? 200 : n > 5000 ? 300 : n > 2500 ? 400 : 500);

async function ourFit(x: Float32Array, n: number, d: number, seed: number, nEpochs: number): Promise<Float32Array> {
  const graph = nearestNeighbors(x, n, d, N_NEIGHBORS, { includeSelf: true });
  const job = prepareUmap(graph, { nComponents: 2, nNeighbors: N_NEIGHBORS, minDist: MIN_DIST, seed, nEpochs });
  return Float32Array.from(await runLayoutJob(job));
}

/**
 * One comparison per size in `sizes` (each ≤ the test images in `dataDir`), `repeats` timed fits a side.
 * @example
 * const cases = await compareUmapFits({ python: '/usr/bin/python3', dataDir, sizes: [2000, 10000], repeats: 3, logs });
 */
export async function compareUmapFits(o: { python: string; dataDir: string; sizes: number[]; repeats: number; logs: string }): Promise<UmapFitCase[]> {
  const out: UmapFitCase[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'tbpipe-umap-peer-'));
  const script = new URL('./umap_learn_peer.py', import.meta.url).pathname;
  try {
    for (const n of o.sizes) {
      const { images, labels, count } = readFashionMnist('t10k', n, o.dataDir);
      if (count < n) throw new Error(`umap peer: ${o.dataDir} has ${count} test images, expected at least ${n}`);
      const d = Math.min(50, n - 1);
      const x = fitPca(toUnitFloats(images), n, 784, { nComponents: d, random: createRandom(0) }).scores;
      const nEpochs = epochsFor(n);
      const loadOurs = loadavg()[0];
      await ourFit(x, n, d, 0, nEpochs); // warm-up: JIT, wasm tier-up
      const ours: number[] = [];
      let layout: Float32Array = new Float32Array(0);
      for (let r = 0; r < o.repeats; r++) {
        const t = performance.now();
        layout = await ourFit(x, n, d, r, nEpochs);
        ours.push((performance.now() - t) / 1000);
      }
      const oursKnn10 = accuracyFromGraph(nearestNeighbors(layout, n, 2, 10), labels);
      const pointsFile = join(tmp, `points-${n}.f32`);
      const labelsFile = join(tmp, `labels-${n}.u8`);
      writeFileSync(pointsFile, x);
      writeFileSync(labelsFile, labels);
      const loadTheirs = loadavg()[0];
      const args = [script, pointsFile, labelsFile, String(n), String(d), String(N_NEIGHBORS), String(MIN_DIST), String(nEpochs), String(o.repeats)];
      const py = spawnSync(o.python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
      writeFileSync(join(o.logs, `umap-learn-${n}.err`), py.stderr ?? '');
      const line = (py.stdout ?? '').trim().split('\n').at(-1) ?? '';
      let umapLearn: UmapFitCase['umapLearn'] = null;
      let umapLearnMissing: string | undefined;
      if (py.status === 0 && line.startsWith('{')) umapLearn = JSON.parse(line);
      else umapLearnMissing = `\`${o.python} umap_learn_peer.py\` exited ${py.status}: ${(py.stderr ?? '').trim().split('\n').at(-1) ?? ''}`;
      out.push({ points: n, nEpochs, ours, oursKnn10, umapLearn, umapLearnMissing, load: [loadOurs, loadTheirs] });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/**
 * {@link compareUmapFits} in a child process run from the benchmark's workspace copy, so the fit measured is the
 * copied commit's @tbpipe/project (like the stages), not the repo's working tree.
 */
export function compareUmapFitsIn(wsRoot: string, o: { python: string; dataDir: string; sizes: number[]; repeats: number; logs: string }): Promise<UmapFitCase[]> {
  const args = ['--import', 'tsx', join(wsRoot, 'bench/pipeline/umap-peer.ts'), '--python', o.python, '--data', o.dataDir, '--sizes', o.sizes.join(','), '--repeats', String(o.repeats), '--logs', o.logs];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: wsRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`umap peer: \`node ${args.join(' ')}\` exited ${code}, expected 0`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { python: { type: 'string' }, data: { type: 'string' }, sizes: { type: 'string' }, repeats: { type: 'string' }, logs: { type: 'string' } } });
  const cases = await compareUmapFits({
    python: values.python ?? '/usr/bin/python3',
    dataDir: values.data ?? '/usr/share/datasets/fashion-mnist',
    sizes: (values.sizes ?? '2000').split(',').map(Number),
    repeats: Number(values.repeats ?? 3),
    logs: values.logs ?? tmpdir(),
  });
  process.stdout.write(`${JSON.stringify(cases)}\n`);
}
