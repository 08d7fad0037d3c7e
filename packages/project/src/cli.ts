import { runStageCli } from '@tbpipe/core';
import { PROJECT_STAGE } from './options.ts';
import { project } from './project.ts';

await runStageCli(PROJECT_STAGE, (options, logger) => project({ ...options, logger }));
