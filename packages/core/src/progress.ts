import type { Logger } from 'pino';

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** What is being counted, e.g. `train`. */
  label: string;
  /** Total units of work (> 0). */
  total: number;
  /** Unit name for the rate, e.g. `steps`. */
  unit?: string;
  /** Non-TTY output: a log line at most this often; default 10 000 ms. */
  logEveryMillis?: number;
  logger: Logger;
  /** Draw a bar on stderr; default: stderr is a TTY and not CI. */
  bar?: boolean;
  /** Injected clock for tests (milliseconds). */
  now?: () => number;
}

/** A progress reporter: a bar with rate and ETA on a terminal, periodic JSON log lines elsewhere. */
export interface Progress {
  /** Set the number of units done so far (monotonic); extra fields go into the log line / bar suffix. */
  update(done: number, fields?: Record<string, number | string>): void;
  /** Finish: clears the bar and logs the final rate. */
  done(fields?: Record<string, number | string>): void;
}

/** Create a {@link Progress}; cheap enough to call `update` every step (it redraws at most 10×/s). */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const unit = options.unit ?? 'items';
  const logEvery = options.logEveryMillis ?? 10_000;
  const bar = options.bar ?? (Boolean(process.stderr.isTTY) && !process.env.CI);
  const start = now();
  let lastDraw = -Infinity;
  let lastLog = start;
  let current = 0;

  const stats = (done: number) => {
    const seconds = Math.max((now() - start) / 1000, 1e-9);
    const rate = done / seconds;
    const eta = rate > 0 ? (options.total - done) / rate : Infinity;
    return { seconds, rate, eta };
  };
  const draw = (done: number, fields?: Record<string, number | string>) => {
    const { rate, eta } = stats(done);
    const width = 24;
    const filled = Math.round((done / options.total) * width);
    const extra = fields ? ` ${Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(' ')}` : '';
    const line = `${options.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${options.total} ${rate.toFixed(0)} ${unit}/s ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)}s` : '?'}${extra}`;
    process.stderr.write(`\r\x1b[2K${line}`);
  };

  return {
    update(done, fields) {
      current = done;
      const t = now();
      if (bar) {
        if (t - lastDraw >= 100) {
          lastDraw = t;
          draw(done, fields);
        }
      } else if (t - lastLog >= logEvery) {
        lastLog = t;
        const { rate, eta } = stats(done);
        options.logger.info(
          { done, total: options.total, rate: Math.round(rate * 10) / 10, etaSeconds: Math.round(eta), ...fields },
          `${options.label} progress`,
        );
      }
    },
    done(fields) {
      if (bar) process.stderr.write('\r\x1b[2K');
      const { seconds, rate } = stats(current);
      options.logger.info(
        { done: current, seconds: Math.round(seconds * 100) / 100, rate: Math.round(rate * 10) / 10, ...fields },
        `${options.label} done`,
      );
    },
  };
}
