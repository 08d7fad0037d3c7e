// HTTP request latency of the board's data routes (scalars JSON/CSV, multi-run, Time Series, listings, export), p50
// and p95 over sequential requests through a real socket, on a logdir of many scalar runs.
// Run: npm run bench -- requests [--steps N] [--requests N]
// The logdir (20 runs × 2 tags × N steps, default 5 000) is built once with our SummaryWriter in
// <os.tmpdir()>/tbpipe-board-bench-requests; default sampling keeps 1 000 points per series, as TensorBoard does.
// No peer: TensorBoard cannot be installed here, so these are our figures alone.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SummaryWriter, stableEventFileName } from '@tbpipe/eventlog';
import { startBoard } from '../src/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const STEPS = flag('--steps', 5_000);
const REQUESTS = flag('--requests', 200);
const RUNS = 20;
const dir = join(tmpdir(), 'tbpipe-board-bench-requests', `steps-${STEPS}`);

if (!existsSync(join(dir, 'run_19'))) {
  mkdirSync(dir, { recursive: true });
  for (let r = 0; r < RUNS; r++) {
    const w = new SummaryWriter(join(dir, `run_${String(r).padStart(2, '0')}`), { fileName: stableEventFileName(''), now: () => 1700000000 });
    for (let step = 0; step < STEPS; step++) {
      w.addScalar('train/loss', 2 / (1 + step / 1000) + (r % 7) * 0.01, step, 1700000000 + step * 0.01);
      w.addScalar('train/accuracy', 1 - 1 / (2 + step / 1000), step, 1700000000 + step * 0.01);
    }
    await w.close();
  }
}

const board = await startBoard({ logdir: dir, port: 0, reloadIntervalSeconds: 0 });
const runs = Array.from({ length: RUNS }, (_, r) => `run_${String(r).padStart(2, '0')}`);
const multirun = () => {
  const form = new FormData();
  form.append('tag', 'train/loss');
  for (const run of runs) form.append('runs', run);
  return form;
};
const timeSeries = () => {
  const form = new FormData();
  form.append('requests', JSON.stringify([{ plugin: 'scalars', tag: 'train/loss' }]));
  return form;
};
const cases: [string, () => Promise<Response>][] = [
  ['GET  /data/runs', () => fetch(`${board.url}/data/runs`)],
  ['GET  /data/plugins_listing', () => fetch(`${board.url}/data/plugins_listing`)],
  ['GET  scalars/tags', () => fetch(`${board.url}/data/plugin/scalars/tags`)],
  ['GET  scalars (1 series, 1000 pts)', () => fetch(`${board.url}/data/plugin/scalars/scalars?run=run_00&tag=train%2Floss`)],
  ['GET  scalars CSV (1 series)', () => fetch(`${board.url}/data/plugin/scalars/scalars?run=run_00&tag=train%2Floss&format=csv`)],
  ['POST scalars_multirun (20 runs)', () => fetch(`${board.url}/data/plugin/scalars/scalars_multirun`, { method: 'POST', body: multirun() })],
  ['POST timeSeries (20 runs)', () => fetch(`${board.url}/experiment/defaultExperimentId/data/plugin/timeseries/timeSeries`, { method: 'POST', body: timeSeries() })],
  ['GET  /api/export CSV (40 series)', () => fetch(`${board.url}/api/export?plugin=scalars&format=csv`)],
];

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
console.log(`board requests: ${RUNS} runs × 2 tags × ${STEPS} steps, ${REQUESTS} sequential requests per route (after 20 warm-up)`);
for (const [name, send] of cases) {
  for (let i = 0; i < 20; i++) await (await send()).arrayBuffer();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    const res = await send();
    bytes = (await res.arrayBuffer()).byteLength;
    times.push(performance.now() - t0);
  }
  console.log(`  ${name.padEnd(36)} p50 ${percentile(times, 0.5).toFixed(2).padStart(7)} ms   p95 ${percentile(times, 0.95).toFixed(2).padStart(7)} ms   ${(bytes / 1024).toFixed(0).padStart(6)} KiB`);
}
await board.close();
