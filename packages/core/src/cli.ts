import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fileSystemError, isExpectedError, UsageError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { checkOptionValue, describeExpected, type OptionJsonSchema } from './option-rules.mjs';

/** Exit codes shared by every tbpipe bin. */
export const EXIT = { ok: 0, failed: 1, usage: 2, bug: 70 } as const;

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a bin declares; `runCli` does the rest (help, parsing, logging, errors, exit codes). */
export interface CliSpec {
  /** The bin's name, e.g. `tbpipe-ingest`. */
  name: string;
  /** Full `--help` text. */
  help: string;
  /** `node:util` parseArgs options; `help` is added. */
  options: Options;
  allowPositionals?: boolean;
  /** The work; throw {@link TbpipeError}s for user-fixable problems. */
  run(
    args: { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] },
    logger: Logger,
  ): Promise<void>;
}

/**
 * The thin adapter between argv and a stage function. `--help` prints `help` and exits 0; a bad flag exits 2 with one
 * line; an expected ({@link TbpipeError}) failure, or an operating-system error on a path (see {@link fileSystemError}:
 * `--out` naming a file, an unwritable directory, a full disk), prints its one-line message and exits 1; anything else
 * is a bug, logged with its stack, exit 70. Sets `process.exitCode` rather than exiting so logs flush.
 */
export async function runCli(spec: CliSpec, argv: string[] = process.argv.slice(2)): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: spec.allowPositionals ?? false,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`${spec.name}: ${(err as Error).message.replace(/\.$/, '')}; see ${spec.name} --help\n`);
    return (process.exitCode = EXIT.usage);
  }
  if (parsed.values.help) {
    process.stdout.write(spec.help.endsWith('\n') ? spec.help : `${spec.help}\n`);
    return (process.exitCode = EXIT.ok);
  }
  const logger = createLogger({ name: spec.name });
  try {
    await spec.run(parsed as Parameters<CliSpec['run']>[0], logger);
    return (process.exitCode = EXIT.ok);
  } catch (caught) {
    const err = fileSystemError(caught) ?? caught;
    if (isExpectedError(err)) {
      const hint = err instanceof UsageError ? `; see ${spec.name} --help` : '';
      process.stderr.write(`${spec.name}: ${err.message}${hint}\n`);
      return (process.exitCode = err instanceof UsageError ? EXIT.usage : EXIT.failed);
    }
    logger.error({ err }, 'unexpected failure (a bug: please report it with this log)');
    return (process.exitCode = EXIT.bug);
  }
}

/** Range rules for {@link parseNumberFlag}. */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
  /** Value must be strictly greater than `min`. */
  exclusiveMin?: boolean;
}

/** Parse a numeric flag or param with a {@link UsageError} that names it, shows the value and the valid range. */
export function parseNumberFlag(name: string, raw: string | number | undefined, rule: NumberRule = {}): number | undefined {
  if (raw === undefined) return undefined;
  const value = typeof raw === 'number' ? raw : raw.trim() === '' ? Number.NaN : Number(raw);
  const schema: OptionJsonSchema = {
    type: rule.integer ? 'integer' : 'number',
    ...(rule.min === undefined ? {} : rule.exclusiveMin ? { exclusiveMinimum: rule.min } : { minimum: rule.min }),
    ...(rule.max === undefined ? {} : { maximum: rule.max }),
  };
  if (!checkOptionValue(schema, value)) {
    throw new UsageError(`--${name} is ${typeof raw === 'number' ? String(raw) : JSON.stringify(raw)}, expected ${describeExpected(schema)}`);
  }
  return value;
}
