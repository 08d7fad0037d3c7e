import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRandom } from '@tbpipe/core';
import { createLayoutRunner, nearestNeighbors, prepareUmap, runLayoutJob } from '../src/index.ts';

/** 3 blobs of 40 points in 10-D. */
function blobs(n = 120, d = 10): Float32Array {
  const random = createRandom(3);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = (j === (i % 3) * 3 ? 8 : 0) + random() + random() - 1;
  return x;
}

const x = blobs();
const graph = nearestNeighbors(x, 120, 10, 15, { includeSelf: true });
const job = prepareUmap(graph, { nComponents: 3, nNeighbors: 15, minDist: 0.1, seed: 4 });
const pool = createLayoutRunner(2);
after(() => pool.close());

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('a layout in a worker gives the same bytes as in this thread, with epochs reported back', async () => {
  const epochs: number[] = [];
  const inWorker = await pool.run(job, { onEpoch: (epoch, nEpochs) => epochs.push(epoch / nEpochs) });
  const inThread = await runLayoutJob(job);
  assert.deepEqual(bytes(inWorker.embedding), bytes(inThread));
  assert.equal(job.nEpochs, 500);
  // Throttled, but the last epoch always arrives.
  assert.ok(epochs.length >= 1 && epochs.length <= 500, String(epochs.length));
  assert.equal(epochs.at(-1), 1);
  assert.ok(inWorker.millis > 0);
});

test('jobs queued beyond the workers all finish, each with its own bytes', async () => {
  const jobs = [1, 2, 3].map((seed) => prepareUmap(graph, { nComponents: 2, nNeighbors: 15, minDist: 0.1, seed }));
  const results = await Promise.all(jobs.map((j) => pool.run(j)));
  for (let i = 0; i < jobs.length; i++) assert.deepEqual(bytes(results[i].embedding), bytes(await runLayoutJob(jobs[i])));
  assert.notDeepEqual(bytes(results[0].embedding), bytes(results[1].embedding));
});

test('a bug in a worker keeps its error class and the worker stack', async () => {
  const broken = { ...job, head: new Int32Array(3) };
  const err = await pool.run(broken).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RangeError, String(err));
  assert.match(err.stack ?? '', /wasm-kernels\.mjs/);
  // The pool still works after a failed job.
  assert.equal((await pool.run(job)).embedding.length, 360);
});

test('closing the pool rejects running and queued jobs, and later runs', async () => {
  const p = createLayoutRunner(1);
  const running = assert.rejects(p.run(job), /worker pool closed/);
  const queued = assert.rejects(p.run(job), /worker pool closed/);
  await p.close();
  await Promise.all([running, queued]);
  await assert.rejects(p.run(job), /worker pool is closed/);
});
