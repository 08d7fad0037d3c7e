// Full FashionMNIST ingest (70 000 images) against what gunzip alone costs, medians of ROUNDS runs.
// Run: node --import tsx packages/ingest/bench/ingest.ts [--rounds N] [--data <dir>]
// Needs the real dataset ($FASHION_MNIST_DIR or Debian's dataset-fashion-mnist). Not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { IDX_FILES, IDX_ROLES } from '../src/datasets.ts';
import { readImages } from '../src/images.ts';
import { ingest } from '../src/ingest.ts';
import { gunzipBytes, readSourceFile } from '../src/read-source.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const ROUNDS = Number(arg('--rounds') ?? 7);
const dataDir = arg('--data') ?? process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const files = IDX_ROLES.map((role) => join(dataDir, `${IDX_FILES[role]}.gz`));
if (!files.every((f) => existsSync(f))) {
  console.error(`bench: the four FashionMNIST .gz files are not in ${dataDir}; pass --data <dir> or apt-get install dataset-fashion-mnist`);
  process.exit(1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const work = mkdtempSync(join(tmpdir(), 'ingest-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// Uncompressed copies, to time ingest without decompression.
const rawDir = join(work, 'raw');
mkdirSync(rawDir);
for (const role of IDX_ROLES) writeFileSync(join(rawDir, IDX_FILES[role]), gunzipSync(readFileSync(join(dataDir, `${IDX_FILES[role]}.gz`))));

/**
 * Median wall-clock and CPU milliseconds of `fn` over ROUNDS runs after one warm-up run. CPU is this process's
 * user + system time (thread-pool work included; a child's `gzip` is not, so its CPU column reads 0): on a shared,
 * busy machine it is the steadier of the two.
 */
async function time(fn: (round: number) => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn(r);
    const c = process.cpuUsage(c0);
    if (r > 0) {
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const isolated = { systemDirs: [], env: {}, download: false, cacheDir: join(work, 'cache') };
const cases: Array<[string, (round: number) => Promise<unknown> | unknown]> = [
  ['gunzip: system `gzip -dc` of the four files, sequential', () => {
    for (const f of files) spawnSync('gzip', ['-dc', f], { stdio: ['ignore', 'ignore', 'inherit'] });
  }],
  ['gunzip: node zlib gunzipSync, default 16 KiB chunks', () => files.map((f) => gunzipSync(readFileSync(f)))],
  ['gunzip: node zlib on the thread pool, sized chunks (what ingest uses)', () => Promise.all(files.map(async (f) => gunzipBytes(readFileSync(f), f)))],
  ['ingest step: read + gunzip + sha256 the four files', () => Promise.all(files.map((f) => readSourceFile(f)))],
  ['ingest: full (gz → train.arrow, test.arrow, manifest.json)', (r) => ingest({ outDir: join(work, `out-gz-${r}`), dataDir, ...isolated })],
  ['ingest: full, from uncompressed IDX', (r) => ingest({ outDir: join(work, `out-raw-${r}`), dataDir: rawDir, ...isolated })],
  ['readImages: train.arrow (60 000 images)', () => readImages(join(work, 'out-gz-0', 'train.arrow'))],
];

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`ingest bench: ${dataDir}, medians of ${ROUNDS} runs (+1 warm-up), node ${process.version}, load ${load()}`);
console.log('  wall ms   cpu ms  case');
const results = new Map<string, { wall: number; cpu: number }>();
for (const [name, fn] of cases) {
  const t = await time(fn);
  results.set(name, t);
  console.log(`${t.wall.toFixed(0).padStart(8)} ${t.cpu.toFixed(0).padStart(8)}  ${name}`);
}
const full = [...results].find(([n]) => n.startsWith('ingest: full ('))![1];
const gunzip = [...results].find(([n]) => n.includes('what ingest uses'))![1];
console.log(
  `full ingest / gunzip alone: ${(full.wall / gunzip.wall).toFixed(2)}× wall, ${(full.cpu / gunzip.cpu).toFixed(2)}× cpu; ` +
    `target: full ingest under 1000 ms wall (load at the end ${load()})`,
);
