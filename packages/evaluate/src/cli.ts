import { runStageCli } from '@tbpipe/core';
import { evaluate } from './evaluate.ts';
import { EVALUATE_STAGE } from './options.ts';

await runStageCli(EVALUATE_STAGE, (options, logger) => evaluate({ ...options, logger }));
