import { parentPort } from 'node:worker_threads';
import { runProjectionTask, type ProjectionTask } from './projection-tasks.ts';
import { PROGRESS_EVERY_MILLIS, serializeError, transferablesOf, type WorkerMessage } from './worker-pool.ts';

// One task at a time (the pool never sends a second before the first is answered); results are transferred.
const port = parentPort!;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', async ({ id, task }: { id: number; task: ProjectionTask }) => {
  const started = performance.now();
  let lastPost = -Infinity;
  try {
    const result = await runProjectionTask(task, (epoch, nEpochs) => {
      const now = performance.now();
      if (epoch < nEpochs && now - lastPost < PROGRESS_EVERY_MILLIS) return;
      lastPost = now;
      post({ id, type: 'epoch', epoch, nEpochs });
    });
    post({ id, type: 'done', result, millis: performance.now() - started }, transferablesOf(result));
  } catch (err) {
    post({ id, type: 'error', error: serializeError(err) });
  }
});
