/**
 * PROJECTOR frame rate: 70 000 points × 3-D (a synthetic clustered embedding with a 10-class label column, written as
 * projector files) served by the real `startBoard`, shown in headless Chromium, auto-rotating (the camera orbits,
 * every frame re-renders all points). Counts the frames the scatter drew over --seconds (default 5) after a 1 s
 * warm-up, --repeats times (default 3), and prints the medians with the WebGL renderer Chromium used. Headless
 * Chromium here has no GPU: WebGL runs on SwiftShader (`--use-angle=swiftshader`), i.e. on the CPU, so this is a
 * lower bound for a machine with a GPU. Also reports the CPU time the browser's processes (read from /proc) spend per
 * frame, which contention on a shared machine inflates much less than wall time.
 *
 *   npx tsx packages/board/bench/projector-fps.ts [--points 70000] [--seconds 5] [--repeats 3]
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createRandom } from '@tbpipe/core';
import { startBoard } from '../src/index.ts';
import { findChromium } from '../test/browser/chromium.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const points = flag('points', 70_000);
const seconds = flag('seconds', 5);
const repeats = flag('repeats', 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const logdir = await mkdtemp(join(os.tmpdir(), 'tbpipe-projector-fps-'));
const run = join(logdir, 'big');
await mkdir(join(run, 'emb'), { recursive: true });
const random = createRandom(0);
const rows: string[] = [];
const labels: string[] = [];
for (let i = 0; i < points; i++) {
  const c = i % 10;
  const g = () => (random() + random() + random() - 1.5) * 0.6;
  rows.push([Math.cos(c) * 3 + g(), Math.sin(c) * 3 + g(), (c - 4.5) * 0.5 + g()].map((v) => v.toFixed(5)).join('\t'));
  labels.push(`class ${c}`);
}
await writeFile(join(run, 'emb', 'tensors.tsv'), `${rows.join('\n')}\n`);
await writeFile(join(run, 'emb', 'metadata.tsv'), `${labels.join('\n')}\n`);
await writeFile(join(run, 'projector_config.pbtxt'), 'embeddings {\n  tensor_name: "big"\n  tensor_path: "emb/tensors.tsv"\n  metadata_path: "emb/metadata.tsv"\n}\n');
// A run needs an event file; an empty one will do.
await writeFile(join(run, 'events.out.tfevents.0.bench'), new Uint8Array());

/** CPU seconds (user + system) used so far by the process whose command line holds `marker` and its descendants. */
async function browserCpuSeconds(marker: string): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  let root = -1;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
      if (root < 0 && (await readFile(`/proc/${name}/cmdline`, 'utf8')).includes(marker)) root = Number(name);
    } catch { /* the process ended */ }
  }
  const inTree = (pid: number): boolean => pid === root || (pid > 1 && stats.has(pid) && inTree(stats.get(pid)!.ppid));
  let ticks = 0;
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks / 100; // USER_HZ
}

const marker = `--tbpipe-projector-fps-bench=${process.pid}`;
const board = await startBoard({ logdir, port: 0 });
const browser = await chromium.launch({
  executablePath: findChromium() ?? undefined,
  args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-dev-shm-usage', marker],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${board.url}/?tab=projector&run=big`);
  await page.locator('[data-ready=true]').waitFor({ timeout: 120_000 });
  const renderer = await page.evaluate(() => {
    const gl = (globalThis as any).document.createElement('canvas').getContext('webgl2');
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    return ext ? String(gl!.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown';
  });
  await page.locator('label', { hasText: 'Rotate' }).locator('input').check();
  const fps: number[] = [];
  const cpuPerFrame: number[] = [];
  for (let r = 0; r < repeats; r++) {
    await page.waitForTimeout(1000);
    const f0 = await page.locator('[data-ready=true]').evaluate((el: any) => el.__projector.scatter.frames);
    const c0 = await browserCpuSeconds(marker);
    const t0 = Date.now();
    await page.waitForTimeout(seconds * 1000);
    const f1 = await page.locator('[data-ready=true]').evaluate((el: any) => el.__projector.scatter.frames);
    const c1 = await browserCpuSeconds(marker);
    fps.push(((f1 - f0) * 1000) / (Date.now() - t0));
    cpuPerFrame.push(((c1 - c0) * 1000) / Math.max(1, f1 - f0));
  }
  console.log(`${points} points × 3-D, auto-rotating, 1280×800 page (canvas ≈ 690×600 CSS px): ${median(fps).toFixed(1)} fps median of ${repeats} × ${seconds} s [${fps.map((f) => f.toFixed(1)).join(', ')}]`);
  const cpu = median(cpuPerFrame);
  console.log(`browser CPU time per frame (all its processes, user + system): ${cpu.toFixed(1)} ms median ` +
    `[${cpuPerFrame.map((c) => c.toFixed(1)).join(', ')}]: on an idle machine at most ${(1000 / cpu).toFixed(0)} fps if that work ` +
    `ran on one core, ${(2000 / cpu).toFixed(0)} fps if spread over two`);
  console.log(`WebGL renderer: ${renderer}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
} finally {
  await browser.close();
  await board.close();
  await rm(logdir, { recursive: true, force: true });
}
