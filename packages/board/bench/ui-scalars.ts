// SCALARS in headless Chromium on the loader's bench logdir (20 runs × 2 tags × 50 000 steps): first paint from page
// load, the re-render of every chart when the smoothing slider moves, and the page's memory.
// Run: npm run bench -- ui-scalars [--rounds N] [--samples N]   (N = scalars kept per series; default TensorBoard's 1000)
// The logdir is the one bench/load.ts builds and caches in <os.tmpdir()>/tbpipe-board-bench/scalars-20x2x50000[-vN]
// (run `npm run bench -- load --quick` once if it is missing). Figures are medians; say the machine's load with them.
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBoard } from '../src/index.ts';
import { launchChromium } from '../test/browser/chromium.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const ROUNDS = arg('--rounds', 5);
const SAMPLES = arg('--samples', 1000);
// bench/load.ts versions the folder name when its generator changes (`scalars-20x2x50000-v2`): take the newest.
const ROOT = join(tmpdir(), 'tbpipe-board-bench');
const LOGDIR = join(ROOT, (existsSync(ROOT) ? readdirSync(ROOT) : []).filter((n) => n.startsWith('scalars-20x2x50000')).sort().pop() ?? 'scalars-20x2x50000');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (!existsSync(LOGDIR)) {
    console.error(`ui-scalars: no bench logdir at ${LOGDIR}, expected the one bench/load.ts builds; run \`npm run bench -- load --quick\` first`);
    process.exit(2);
  }
  const t0 = performance.now();
  const board = await startBoard({ logdir: LOGDIR, host: '127.0.0.1', port: 0, reloadIntervalSeconds: 0, samplesPerPlugin: { scalars: SAMPLES } });
  console.log(`server ready in ${((performance.now() - t0) / 1000).toFixed(2)} s (load of the logdir, not part of the figures below)`);
  // The server bundles the app on its first request: a one-time start-up cost, kept out of the first-paint figure.
  await (await fetch(`${board.url}/app.js`)).arrayBuffer();
  const browser = await launchChromium();
  const firstPaint: number[] = [];
  const smoothing: number[] = [];
  const heap: number[] = [];
  let points = 0;
  const firstPaintCpu: number[] = [];
  const smoothingCpu: number[] = [];
  const breakdown: { script: number; tags: number; dataStart: number; data: number }[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const metric = async (name: string) => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? NaN);
      await page.goto(`${board.url}/?tab=scalars`);
      // Ready = both tags' charts hold every run's points; then one frame for the canvas to reach the screen.
      const handle = await page.waitForFunction(() => {
        const charts = [...(globalThis as any).document.querySelectorAll('.scalar-card .chart')];
        if (charts.length < 2 || !charts.every((c: any) => c.__uplot && c.__uplot.series.length === 41 && c.__uplot.data[0].length > 0)) return false;
        return new Promise((resolve) => (globalThis as any).requestAnimationFrame(() => resolve(performance.now())));
      }, undefined, { timeout: 60_000, polling: 'raf' });
      firstPaint.push(Number(await handle.jsonValue()));
      firstPaintCpu.push((await metric('ThreadTime')) * 1000);
      // A string, not a function: tsx would wrap named inner functions in a helper the page does not have.
      const timing = await page.evaluate(`(() => {
        const res = performance.getEntriesByType('resource');
        const pick = (re) => res.filter((r) => re.test(r.name));
        return {
          script: Math.max(0, ...pick(/app\\.js/).map((r) => r.responseEnd)),
          tags: Math.max(0, ...pick(/scalars\\/tags/).map((r) => r.responseEnd)),
          dataStart: Math.min(...pick(/scalars_multirun/).map((r) => r.startTime)),
          data: Math.max(0, ...pick(/scalars_multirun/).map((r) => r.responseEnd)),
        };
      })()`) as { script: number; tags: number; dataStart: number; data: number };
      breakdown.push(timing);
      points = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('.scalar-card .chart')]
        .reduce((n: number, c: any) => n + c.__uplot.data.slice(1).reduce((m: number, s: any[]) => m + s.filter((v) => v !== null).length, 0) / 2, 0));
      const cpuBefore = await metric('ThreadTime');
      // Smoothing: set the slider, fire its input event, wait for the charts' redraw (uPlot commits in a microtask).
      const times = await page.evaluate(async () => {
        const input = (globalThis as any).document.querySelector('[data-control="smoothing"]');
        const out: number[] = [];
        for (let i = 0; i < 20; i++) {
          const start = performance.now();
          input.value = String(0.05 + (i % 10) * 0.1);
          input.dispatchEvent(new Event('input', { bubbles: true }));
          await Promise.resolve();
          out.push(performance.now() - start);
        }
        return out;
      });
      smoothing.push(median(times));
      smoothingCpu.push(((await metric('ThreadTime')) - cpuBefore) * 1000 / 20);
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      heap.push((metrics.find((m) => m.name === 'JSHeapTotalSize')?.value ?? 0) / 1e6);
      await context.close();
    }
  } finally {
    await browser.close();
    await board.close();
  }
  const f = (xs: number[], unit: string, digits = 0) => `${median(xs).toFixed(digits)} ${unit} (min ${Math.min(...xs).toFixed(digits)}, max ${Math.max(...xs).toFixed(digits)})`;
  console.log(`SCALARS, 20 runs × 2 tags, ${SAMPLES} points kept per series (${points} points drawn, raw + smoothed lines), ${ROUNDS} rounds:`);
  console.log(`  first paint from navigation start:   ${f(firstPaint, 'ms')}`);
  const part = (k: keyof (typeof breakdown)[number]) => median(breakdown.map((b) => b[k])).toFixed(0);
  console.log(`    of which: app.js loaded at ${part('script')} ms, tag list at ${part('tags')} ms, scalars requested at ${part('dataStart')} ms and received at ${part('data')} ms (the server's answer), then drawn`);
  console.log(`  smoothing slider → every chart redrawn: ${f(smoothing, 'ms', 1)}`);
  console.log(`  main-thread CPU time of the page (CDP ThreadTime; less sensitive to the machine's load):`);
  console.log(`    until first paint: ${f(firstPaintCpu, 'ms')}; per smoothing step: ${f(smoothingCpu, 'ms', 1)}`);
  console.log(`  page JS heap after GC:               ${f(heap, 'MB', 1)}`);
}

void main();
