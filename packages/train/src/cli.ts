import { runStageCli } from '@tbpipe/core';
import { TRAIN_STAGE } from './options.ts';
import { train } from './train.ts';

await runStageCli(TRAIN_STAGE, async (options, logger) => {
  // Ctrl-C / SIGTERM: stop after the current mini-batch and flush the event file; the checkpoint stays.
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await train({ ...options, logger, signal: controller.signal });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
});
