import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRandom, isExpectedError, TbpipeError } from '@tbpipe/core';
import { createTaskRunner, nearestNeighbors, runProjectionTask, type ProjectionTask } from '../src/index.ts';

/** 3 blobs of 40 points in 10-D. */
function blobs(n = 120, d = 10): Float32Array {
  const random = createRandom(3);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = (j === (i % 3) * 3 ? 8 : 0) + random() + random() - 1;
  return x;
}

const x = blobs();
const graph = nearestNeighbors(x, 120, 10, 15, { includeSelf: true });
const pool = createTaskRunner(2);
after(() => pool.close());

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('a UMAP fit in a worker gives the same bytes as in this thread, with epochs reported back', async () => {
  const task: ProjectionTask = { kind: 'umap', graph, nComponents: 3, nNeighbors: 15, minDist: 0.1, seed: 4 };
  const epochs: number[] = [];
  const inWorker = await pool.run(task, { onEpoch: (epoch, nEpochs) => epochs.push(epoch / nEpochs) });
  const inThread = await runProjectionTask(task);
  assert.deepEqual(bytes(inWorker.result.embedding), bytes(inThread.embedding));
  assert.equal(inWorker.result.nEpochs, 500);
  assert.equal(inThread.nEpochs, 500);
  // Throttled, but the last epoch always arrives.
  assert.ok(epochs.length >= 1 && epochs.length <= 500, String(epochs.length));
  assert.equal(epochs.at(-1), 1);
  assert.ok(inWorker.millis > 0);
});

test('PCA and kNN in a worker give the same bytes as in this thread, also from a SharedArrayBuffer', async () => {
  const sharedX = new Float32Array(new SharedArrayBuffer(x.byteLength));
  sharedX.set(x);
  const pca: ProjectionTask = { kind: 'pca', x: sharedX, n: 120, width: 10, nComponents: 3, seed: 1 };
  const knn: ProjectionTask = { kind: 'knn', x, n: 120, width: 10, k: 10, includeSelf: false };
  const [p, g] = await Promise.all([pool.run(pca), pool.run(knn)]);
  const p0 = await runProjectionTask(pca);
  for (const key of ['mean', 'components', 'explainedVariance', 'explainedVarianceRatio', 'scores'] as const) {
    assert.deepEqual(bytes(p.result[key]), bytes(p0[key]), key);
  }
  assert.deepEqual(g.result, await runProjectionTask(knn));
});

test('a TbpipeError thrown in a worker arrives as the same one-line TbpipeError', async () => {
  const small = nearestNeighbors(x.subarray(0, 12 * 10), 12, 10, 11, { includeSelf: true });
  const task: ProjectionTask = { kind: 'umap', graph: small, nComponents: 2, nNeighbors: 11, minDist: 0.1, seed: 0 };
  const message = 'project: 12 points for --umap-neighbors 12, expected more points than neighbours; raise --feature-points or lower --umap-neighbors';
  await assert.rejects(runProjectionTask({ ...task, nNeighbors: 12 }), { code: 'PROJECT_TOO_FEW_POINTS', message });
  const err = await pool.run({ ...task, nNeighbors: 12 }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TbpipeError && isExpectedError(err));
  assert.equal(err.code, 'PROJECT_TOO_FEW_POINTS');
  assert.equal(err.name, 'TooFewPointsError');
  assert.equal(err.message, message);
  assert.ok(!err.message.includes('\n'));
  // The pool still works after a failed task.
  const ok = await pool.run(task);
  assert.equal(ok.result.embedding.length, 24);
});

test('a bug in a worker keeps its error class and the worker stack', async () => {
  const task: ProjectionTask = { kind: 'knn', x, n: 120, width: 10, k: 500, includeSelf: false };
  await assert.rejects(runProjectionTask(task), { name: 'RangeError', message: 'nearestNeighbors: k = 500 for 120 rows' });
  const err = await pool.run(task).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RangeError && !isExpectedError(err));
  assert.equal(err.message, 'nearestNeighbors: k = 500 for 120 rows');
  assert.match(err.stack ?? '', /knn\.ts/);
});

test('queued tasks start by priority, then in the order queued', async () => {
  const one = createTaskRunner(1);
  try {
    const order: string[] = [];
    const knn = (name: string, priority: number) =>
      one.run({ kind: 'knn', x, n: 120, width: 10, k: 5, includeSelf: false }, { priority }).then(() => order.push(name));
    // The first starts at once; the rest wait in the queue.
    await Promise.all([knn('first', 9), knn('late', 2), knn('early-a', 0), knn('mid', 1), knn('early-b', 0)]);
    assert.deepEqual(order, ['first', 'early-a', 'early-b', 'mid', 'late']);
  } finally {
    await one.close();
  }
});

test('closing the pool rejects running and queued tasks, and later runs', async () => {
  const p = createTaskRunner(1);
  const task: ProjectionTask = { kind: 'umap', graph, nComponents: 2, nNeighbors: 15, minDist: 0.1, seed: 0 };
  const running = assert.rejects(p.run(task), /worker pool closed/);
  const queued = assert.rejects(p.run(task), /worker pool closed/);
  await p.close();
  await Promise.all([running, queued]);
  await assert.rejects(p.run(task), /worker pool is closed/);
});
