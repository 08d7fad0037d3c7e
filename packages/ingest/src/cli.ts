import { runStageCli } from '@tbpipe/core';
import { ingest } from './ingest.ts';
import { INGEST_STAGE } from './options.ts';

await runStageCli(INGEST_STAGE, (options, logger) => ingest({ ...options, logger }));
