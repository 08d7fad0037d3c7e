import { parseNumberFlag, runCli, UsageError } from '@tbpipe/core';
import { BoardError, DEFAULT_BOARD_OPTIONS, startBoard } from './server.ts';

const HELP = `tbpipe-board — TensorBoard without Python: serve a logdir's scalars, images, histograms, graphs, ... in the browser

Usage: tbpipe-board --logdir <dir> [options]

  --logdir <dir>                 the TensorBoard logdir to serve (required); every directory below it holding a
                                 *tfevents* file is a run
  --host <addr>                  interface to bind (default ${DEFAULT_BOARD_OPTIONS.host}); any other address makes every file of
                                 the logdir readable on the network
  --port <n>                     TCP port (default ${DEFAULT_BOARD_OPTIONS.port}; 0 picks any free port)
  --samples-per-plugin <list>    points kept per series, e.g. scalars=1000,images=10,histograms=500 (0 keeps all)
  --reload-interval <seconds>    how often the logdir is read again for new data (default ${DEFAULT_BOARD_OPTIONS.reloadIntervalSeconds}; 0 never)
  -h, --help                     this text

Prints the URL, serves until Ctrl-C (SIGINT) or SIGTERM, then closes its files and exits 0.
Exit codes: 0 ok, 1 cannot serve (e.g. port in use), 2 usage error (e.g. no such logdir).`;

/** `scalars=1000,images=10` → `{ scalars: 1000, images: 10 }`. */
export function parseSamplesPerPlugin(raw: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_.-]+)=(\d+)$/.exec(entry);
    if (!match) {
      throw new UsageError(`--samples-per-plugin entry ${JSON.stringify(entry)}, expected name=N with N an integer ≥ 0 (e.g. scalars=1000)`);
    }
    result[match[1]] = Number(match[2]);
  }
  return result;
}

await runCli({
  name: 'tbpipe-board',
  help: HELP,
  options: {
    logdir: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'samples-per-plugin': { type: 'string' },
    'reload-interval': { type: 'string' },
  },
  async run({ values }, logger) {
    if (typeof values.logdir !== 'string' || values.logdir === '') {
      throw new UsageError('--logdir is missing, expected the directory your writer logs to (e.g. --logdir runs)');
    }
    const samples = values['samples-per-plugin'];
    // Listen for the stop signals before starting, so a Ctrl-C during start-up also ends cleanly. The listeners stay
    // for the whole run (not `once`): with none left, a signal arriving while closing would kill the process with
    // its default action. A second signal means "now".
    let signals = 0;
    const stop = new Promise<NodeJS.Signals>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals === 1) resolve(signal);
        else process.exit(130);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    // The bin's listener for signals during start-up (see bin/tbpipe-board.mjs) is no longer needed.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) if (listener.name === 'exitBeforeStart') process.off(signal, listener);
    }
    let board;
    try {
      board = await startBoard({
        logdir: values.logdir,
        host: (values.host as string | undefined) ?? DEFAULT_BOARD_OPTIONS.host,
        port: parseNumberFlag('port', values.port as string | undefined, { integer: true, min: 0, max: 65535 }),
        samplesPerPlugin: typeof samples === 'string' ? parseSamplesPerPlugin(samples) : undefined,
        reloadIntervalSeconds: parseNumberFlag('reload-interval', values['reload-interval'] as string | undefined, { min: 0 }),
        logger,
      });
    } catch (err) {
      // A logdir that is not there is a mistake in the command line: exit 2, like any usage error.
      if (err instanceof BoardError && err.code === 'BOARD_LOGDIR') throw new UsageError(err.message.replace(/^board: /, ''));
      throw err;
    }
    process.stdout.write(`${board.url}/\n`);
    const signal = await stop;
    logger.info({ signal }, 'shutting down');
    await board.close();
  },
});
