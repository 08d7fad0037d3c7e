// Loading a logdir: full load time, MB/s and RSS, a scalars read's p50, and incremental reloads, side by side with
// `tbpipe-events tags` (eventlog's strict reader) on the same files.
// Run: npm run bench -- load [--quick] [--no-peer] [--rounds N]
// Logdirs are built once with our SummaryWriter and cached in <os.tmpdir()>/tbpipe-board-bench (not the repo):
//   scalars: 20 runs × 2 tags × 50 000 steps (2 M records, ~83 MB), the case;
//   images:  10 runs × 200 steps × 4 figures (PNG).
// Each full load runs in a fresh child process (so RSS is the load's own); figures are medians over the rounds.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '@tbpipe/core';
import { SummaryWriter, encodeEvent, encodePng, frameRecord, stableEventFileName } from '@tbpipe/eventlog';
import { openLogdir } from '../src/load/index.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const ROUNDS = Number(args[args.indexOf('--rounds') + 1]) || (quick ? 3 : 5);
const ROOT = join(tmpdir(), 'tbpipe-board-bench');
const SCALAR = { runs: 20, tags: 2, steps: 50_000 };
const IMAGE = { runs: 10, steps: 200, figures: 4, width: 160, height: 120 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (b: number) => b / 1e6;

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

async function buildScalars(dir: string): Promise<void> {
  const random = createRandom(7);
  for (let r = 0; r < SCALAR.runs; r++) {
    const w = new SummaryWriter(join(dir, `run_${String(r).padStart(2, '0')}`), { fileName: stableEventFileName(''), now: () => 1700000000 });
    for (let step = 0; step < SCALAR.steps; step++) {
      w.addScalar('loss', 2 / (1 + step / 1000) + random() * 0.1, step, 1700000000 + step * 0.01);
      w.addScalar('acc', 1 - 1 / (2 + step / 1000), step, 1700000000 + step * 0.01);
    }
    await w.close();
  }
}

async function buildImages(dir: string): Promise<void> {
  const random = createRandom(11);
  const figure = (seed: number) => {
    const px = new Uint8Array(IMAGE.width * IMAGE.height * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 7 + seed * 13) % 251 ^ (random() < 0.2 ? 255 : 0);
    return encodePng(px, IMAGE.width, IMAGE.height, 3);
  };
  const pngs = Array.from({ length: 16 }, (_, i) => figure(i));
  for (let r = 0; r < IMAGE.runs; r++) {
    const w = new SummaryWriter(join(dir, `run_${String(r).padStart(2, '0')}`), { fileName: stableEventFileName(''), now: () => 1700000000 });
    for (let step = 0; step < IMAGE.steps; step++) {
      for (let f = 0; f < IMAGE.figures; f++) w.addFigure(`figure_${f}`, pngs[(step + f + r) % pngs.length], step, 1700000000 + step);
      w.addScalar('loss', 1 / (step + 1), step, 1700000000 + step);
    }
    await w.close();
  }
}

async function cached(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(ROOT, name);
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  await build(dir);
  writeFileSync(join(dir, '.complete'), '');
  console.log(`built ${dir} (${mb(dirBytes(dir)).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

interface ChildResult {
  loadMs: number;
  /** CPU time (user + system) of the load: what the load costs regardless of other processes on the machine. */
  cpuMs: number;
  rssMB: number;
  heapMB: number;
  readP50Ms?: number;
  reloads?: { records: number; bytes: number; ms: number; cpuMs: number }[];
}

/** In a fresh process: load `dir`, report time and memory, then time reads and incremental reloads. */
async function child(dir: string, extras: boolean): Promise<ChildResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const store = await openLogdir({ logdir: dir, reloadIntervalSeconds: 0 });
  const loadMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const out: ChildResult = { loadMs, cpuMs: (cpu.user + cpu.system) / 1000, rssMB: mem.rss / 2 ** 20, heapMB: mem.heapUsed / 2 ** 20 };
  if (extras) {
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      store.readScalars('scalars', 1000, { runs: ['run_07'], tags: ['loss'] });
      times.push(performance.now() - t);
    }
    out.readP50Ms = median(times.slice(50));
    out.reloads = [];
    // Appended to a copy of one run's file so the cached logdir stays as built.
    const extra = join(dir, 'run_zz_appended');
    rmSync(extra, { recursive: true, force: true });
    mkdirSync(extra);
    const file = join(extra, stableEventFileName(''));
    writeFileSync(file, frameRecord(encodeEvent({ wallTime: 1700000000, step: 0, fileVersion: 'brain.Event:2' })));
    await store.reload();
    let step = 0;
    for (const n of [1_000, 10_000, 100_000]) {
      const walls: number[] = [];
      const cpus: number[] = [];
      let bytesRead = 0;
      for (let rep = 0; rep < 5; rep++) {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < n; i++, step++) chunks.push(frameRecord(encodeEvent({ wallTime: 1700000000 + step, step, summary: { value: [{ tag: 'loss', simpleValue: 1 / (step + 1) }] } })));
        appendFileSync(file, Buffer.concat(chunks));
        const t = performance.now();
        const c = process.cpuUsage();
        const r = await store.reload();
        const dc = process.cpuUsage(c);
        walls.push(performance.now() - t);
        cpus.push((dc.user + dc.system) / 1000);
        bytesRead = r.bytesRead;
      }
      out.reloads.push({ records: n, bytes: bytesRead, ms: median(walls), cpuMs: median(cpus) });
    }
    rmSync(extra, { recursive: true, force: true });
  }
  await store.close();
  return out;
}

function runChild(dir: string, extras: boolean): ChildResult {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, '--child', dir, extras ? '1' : '0'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

function peer(dir: string): number {
  const bin = new URL('../../eventlog/bin/tbpipe-events.mjs', import.meta.url).pathname;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'tags', dir, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`tbpipe-events failed: ${r.stderr}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  if (args[0] === '--child') {
    console.log(JSON.stringify(await child(args[1], args[2] === '1')));
    return;
  }
  const scalars = await cached('scalars-20x2x50000-v2', buildScalars);
  const images = await cached('images-10x200x4', buildImages);
  for (const [name, dir] of [
    ['scalars', scalars],
    ['images', images],
  ] as const) {
    const bytes = dirBytes(dir);
    const results: ChildResult[] = [];
    for (let i = 0; i < ROUNDS; i++) results.push(runChild(dir, i === 0 && name === 'scalars'));
    const loadMs = median(results.map((r) => r.loadMs));
    console.log(`\n${name}: ${dir} (${mb(bytes).toFixed(1)} MB), median of ${ROUNDS} fresh processes`);
    const cpuMs = median(results.map((r) => r.cpuMs));
    console.log(`  full load         ${(loadMs / 1000).toFixed(3)} s   ${(mb(bytes) / (loadMs / 1000)).toFixed(0)} MB/s   (CPU ${(cpuMs / 1000).toFixed(3)} s)`);
    console.log(`  RSS after load    ${median(results.map((r) => r.rssMB)).toFixed(0)} MiB (heap ${median(results.map((r) => r.heapMB)).toFixed(0)} MiB)`);
    const first = results[0];
    if (first.readP50Ms !== undefined) console.log(`  readScalars p50   ${first.readP50Ms.toFixed(3)} ms (one series, 1000 kept points)`);
    for (const r of first.reloads ?? []) console.log(`  reload +${String(r.records).padStart(6)} records  ${(r.bytes / 1e6).toFixed(2)} MB  ${r.ms.toFixed(1)} ms  (CPU ${r.cpuMs.toFixed(1)} ms; median of 5)`);
    if (!args.includes('--no-peer')) {
      const peerMs = median(Array.from({ length: quick ? 1 : 3 }, () => peer(dir)));
      console.log(`  peer: tbpipe-events tags  ${(peerMs / 1000).toFixed(2)} s   ${(mb(bytes) / (peerMs / 1000)).toFixed(0)} MB/s`);
    }
  }
}

await main();
