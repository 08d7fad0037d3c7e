import { parseNumberFlag, runCli, UsageError } from '@tbpipe/core';
import { DEFAULT_CACHE_SERVER_OPTIONS, startCacheServer } from './server.ts';

const HELP = `tbpipe-cache-server — a file-system backed server for Nx's self-hosted remote cache API

Usage: tbpipe-cache-server --dir <path> [options]

  --dir <path>           where artifacts are stored, one file per task hash (required)
  --port <n>             TCP port (default ${DEFAULT_CACHE_SERVER_OPTIONS.port}: any free port; the URL is printed)
  --host <addr>          interface to bind (default ${DEFAULT_CACHE_SERVER_OPTIONS.host}); use 0.0.0.0 only with tokens, behind TLS
  --read-token <t>       bearer token that may only download (env TBPIPE_CACHE_READ_TOKEN)
  --write-token <t>      bearer token that may download and upload (env TBPIPE_CACHE_WRITE_TOKEN)
  --max-bytes <n>        largest artifact accepted (default ${DEFAULT_CACHE_SERVER_OPTIONS.maxBytes})
  -h, --help             this text

Prefer the environment variables to the token flags: flags are visible to every user in \`ps\`.
With no token the server is open to anyone who can reach it. Stops cleanly on SIGINT / SIGTERM.
Clients: NX_SELF_HOSTED_REMOTE_CACHE_SERVER=<printed URL> NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=<token>
See docs/remote-cache.md.`;

await runCli({
  name: 'tbpipe-cache-server',
  help: HELP,
  options: {
    dir: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'read-token': { type: 'string' },
    'write-token': { type: 'string' },
    'max-bytes': { type: 'string' },
  },
  async run({ values }, logger) {
    if (typeof values.dir !== 'string') throw new UsageError('--dir is missing, expected the storage directory');
    const readToken = (values['read-token'] as string | undefined) ?? process.env.TBPIPE_CACHE_READ_TOKEN;
    const writeToken = (values['write-token'] as string | undefined) ?? process.env.TBPIPE_CACHE_WRITE_TOKEN;
    const host = (values.host as string | undefined) ?? DEFAULT_CACHE_SERVER_OPTIONS.host;
    const server = await startCacheServer({
      dir: values.dir,
      host,
      port: parseNumberFlag('port', values.port as string | undefined, { integer: true, min: 0, max: 65535 }),
      maxBytes: parseNumberFlag('max-bytes', values['max-bytes'] as string | undefined, { integer: true, min: 1 }),
      readToken: readToken || undefined,
      writeToken: writeToken || undefined,
      logger,
    });
    if (!readToken && !writeToken && !isLoopback(host)) {
      logger.warn({ host }, 'no token set: anyone who can reach this address can read and poison the cache');
    }
    process.stdout.write(`${server.url}\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    logger.info({ signal }, 'shutting down');
    await server.close();
  },
});

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
