// Worker-thread entry of layout-runner.ts: runs UMAP's SGD kernel on one LayoutJob at a time. Plain JavaScript that
// imports nothing but the kernel, so the thread is ready in tens of milliseconds (no tsx, no TypeScript modules).
import { parentPort } from 'node:worker_threads';
import { runLayoutJob } from './wasm-kernels.mjs';

/** A worker posts progress at most this often (and always after the last epoch); layout-runner.ts has the same. */
const PROGRESS_EVERY_MILLIS = 100;

parentPort.on('message', async ({ id, job, exactPow }) => {
  const started = performance.now();
  let lastPost = -Infinity;
  try {
    const embedding = await runLayoutJob(job, {
      exactPow,
      onEpoch(epoch, nEpochs) {
        const now = performance.now();
        if (epoch < nEpochs && now - lastPost < PROGRESS_EVERY_MILLIS) return;
        lastPost = now;
        parentPort.postMessage({ id, type: 'epoch', epoch, nEpochs });
      },
    });
    parentPort.postMessage({ id, type: 'done', embedding, millis: performance.now() - started }, [embedding.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, type: 'error', error: { name: err?.name ?? 'Error', message: err?.message ?? String(err), stack: err?.stack } });
  }
});
