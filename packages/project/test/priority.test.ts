import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

// In child processes: a priority, once lowered, cannot be raised again by an unprivileged process.
const inChild = (script: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), encoding: 'utf8' }).trim();

test('lowerPriority lowers this thread to the niceness asked for, never raises it, and threads started later inherit it', () => {
  const out = inChild(`
    import os from 'node:os';
    import { Worker } from 'node:worker_threads';
    import { lowerPriority } from './src/priority.ts';
    const before = os.getPriority();
    const lowered = lowerPriority(7);
    const kept = lowerPriority(3);
    const worker = new Worker("import os from 'node:os'; import { parentPort } from 'node:worker_threads'; parentPort.postMessage(os.getPriority());", { eval: true });
    worker.once('message', (inWorker) => { console.log(JSON.stringify({ before, lowered, kept, inWorker })); worker.terminate(); });
  `);
  assert.deepEqual(JSON.parse(out), { before: 0, lowered: 7, kept: 7, inWorker: 7 });
});

test('niceness 0, the default, leaves the priority alone', () => {
  assert.equal(inChild(`import { lowerPriority } from './src/priority.ts'; console.log(lowerPriority(0));`), '0');
});
