/**
 * PROJECTOR frame rate: 70 000 points × 3-D (a synthetic clustered embedding with a 10-class label column, written as
 * projector files) served by the real `startBoard`, shown in headless Chromium, auto-rotating (the camera orbits,
 * every frame re-renders all points). Counts the frames the scatter drew over --seconds (default 5) after a 1 s
 * warm-up, --repeats times (default 3), and prints the medians with the WebGL renderer Chromium used. Headless
 * Chromium here has no GPU: WebGL runs on SwiftShader (`--use-angle=swiftshader`), i.e. on the CPU, so this is a
 * lower bound for a machine with a GPU.
 *
 *   npx tsx packages/board/bench/projector-fps.ts [--points 70000] [--seconds 5] [--repeats 3]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

const board = await startBoard({ logdir, port: 0 });
const browser = await chromium.launch({
  executablePath: findChromium() ?? undefined,
  args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-dev-shm-usage'],
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
  for (let r = 0; r < repeats; r++) {
    await page.waitForTimeout(1000);
    const f0 = await page.locator('[data-ready=true]').evaluate((el: any) => el.__projector.scatter.frames);
    const t0 = Date.now();
    await page.waitForTimeout(seconds * 1000);
    const f1 = await page.locator('[data-ready=true]').evaluate((el: any) => el.__projector.scatter.frames);
    fps.push(((f1 - f0) * 1000) / (Date.now() - t0));
  }
  console.log(`${points} points × 3-D, auto-rotating, 1280×800 page (canvas ≈ 690×600 CSS px): ${median(fps).toFixed(1)} fps median of ${repeats} × ${seconds} s [${fps.map((f) => f.toFixed(1)).join(', ')}]`);
  console.log(`WebGL renderer: ${renderer}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
} finally {
  await browser.close();
  await board.close();
  await rm(logdir, { recursive: true, force: true });
}
