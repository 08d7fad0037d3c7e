// Worker-thread entry of worker-pool.ts: Node 20 cannot start a .ts worker through execArgv, so register tsx here.
import { register } from 'tsx/esm/api';
register();
await import('./projection-worker.ts');
