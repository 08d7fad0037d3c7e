/**
 * Makes the browser tests' pipeline fixture from a real `npx nx run pipeline:all` run: copies every event file of
 * `runs/fashion_mnist_experiment_1` (and its `hparams` sub-run) into `test/fixtures/pipeline-run/`, keeping every
 * record except the bulky per-step ones (the "predictions vs. actuals" figures and the weight/gradient histograms),
 * of which it keeps three steps. The projector files are left out (part 3's tests bring their own).
 *
 *   npx nx run pipeline:all && npx tsx packages/board/test/browser/make-pipeline-fixture.ts [runs-dir]
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeEvent, frameRecord, readEvents } from '@tbpipe/eventlog';

const KEEP_STEPS = new Set([999, 7999, 14999]);
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const source = join(process.argv[2] ?? join(repo, 'runs'), 'fashion_mnist_experiment_1');
const target = fileURLToPath(new URL('../fixtures/pipeline-run/fashion_mnist_experiment_1/', import.meta.url));

function bulky(tag: string): boolean {
  return tag === 'predictions vs. actuals' || tag.startsWith('weights/') || tag.startsWith('gradients/');
}

async function copyRun(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name === 'hparams') await copyRun(join(from, entry.name), join(to, entry.name));
    if (!entry.isFile() || !entry.name.includes('tfevents')) continue;
    const chunks: Uint8Array[] = [];
    let kept = 0;
    let dropped = 0;
    for await (const { event } of readEvents(join(from, entry.name))) {
      const values = event.summary?.value ?? [];
      if (values.some((v) => bulky(v.tag ?? '')) && !KEEP_STEPS.has(Number(event.step ?? 0))) {
        dropped++;
        continue;
      }
      chunks.push(frameRecord(encodeEvent(event)));
      kept++;
    }
    await writeFile(join(to, entry.name), Buffer.concat(chunks));
    console.log(`${relative(repo, join(to, entry.name))}: ${kept} events kept, ${dropped} dropped`);
  }
}

await rm(target, { recursive: true, force: true });
await copyRun(source, target);
