import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Logger name (the bin's name). */
  name: string;
  /** Default `info`, or `TBPIPE_LOG_LEVEL`. */
  level?: string;
  /** Pretty, coloured lines for humans; default: stderr is a TTY. Pipes and CI get JSON lines. */
  pretty?: boolean;
}

/**
 * The root logger of a CLI process; create exactly one, in `cli.ts`. Logs go to stderr so stdout stays free for
 * data (`tbpipe-events dump` prints JSON lines there).
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env.TBPIPE_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    return pino({
      name: options.name,
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino({ name: options.name, level }, pino.destination({ fd: 2, sync: true }));
}

/** The default for library functions: a logger that writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
