/**
 * The whole project stage on real upstream artifacts, main thread (`workers: 0`) against the worker pool.
 *
 * `npm run bench -- stage --data <ingest dir> --predictions <evaluate dir> [--repeats 3] [--points 2000] [--workers 0,2]`
 * Runs `project()` in this process, alternating the worker counts each round (so load drift on a shared machine
 * hits all of them alike), into a temporary directory; prints one JSON line per run (wall seconds and the stage's
 * own step timings), then the median per worker count and whether every run wrote the same projections.arrow and
 * metrics.json bytes.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultWorkerCount, project } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'artifacts/fashion-mnist/ingest' },
    predictions: { type: 'string', default: 'artifacts/fashion-mnist/evaluate' },
    repeats: { type: 'string', default: '3' },
    points: { type: 'string', default: '2000' },
    workers: { type: 'string', default: `0,${defaultWorkerCount()}` },
  },
});
const counts = values.workers.split(',').map(Number);
const repeats = Number(values.repeats);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const root = await mkdtemp(join(tmpdir(), 'tbpipe-project-bench-'));
const seconds = new Map<number, number[]>(counts.map((c) => [c, []]));
// CPU of the whole process (every thread): what the workers add on top of the main thread's work.
const cpu = new Map<number, number[]>(counts.map((c) => [c, []]));
const digests = new Set<string>();
try {
  for (let r = 0; r < repeats; r++) {
    for (const workers of counts) {
      const dir = join(root, `${workers}-${r}`);
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      await project({ dataDir: values.data, predictionsDir: values.predictions, outDir: join(dir, 'out'), runDir: join(dir, 'run'), featurePoints: Number(values.points), workers });
      const s = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu0);
      const cpuSeconds = (used.user + used.system) / 1e6;
      seconds.get(workers)!.push(s);
      cpu.get(workers)!.push(cpuSeconds);
      const hash = createHash('sha256');
      for (const f of ['projections.arrow', 'metrics.json']) hash.update(await readFile(join(dir, 'out', f)));
      digests.add(hash.digest('hex'));
      const steps = JSON.parse(await readFile(join(dir, 'out', 'volatile', 'timings.json'), 'utf8'));
      console.log(JSON.stringify({ workers, repeat: r, seconds: Math.round(s * 100) / 100, cpuSeconds: Math.round(cpuSeconds * 100) / 100, load: loadavg()[0], steps }));
      await rm(dir, { recursive: true, force: true });
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
console.log('\nworkers  median (s)  CPU (s)  runs (wall s)');
for (const [w, xs] of seconds) {
  console.log(`${String(w).padStart(7)}  ${median(xs).toFixed(2).padStart(10)}  ${median(cpu.get(w)!).toFixed(2).padStart(7)}  ${xs.map((x) => x.toFixed(2)).join(' ')}`);
}
console.log(`artifacts identical across runs: ${digests.size === 1}`);
