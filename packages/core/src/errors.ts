/**
 * The error every tbpipe stage throws for conditions a user can fix. Its message follows the house form
 * `<domain>: <what was seen>, expected <what was expected>; <what to do>`, and `code` is stable for programs.
 * The CLI adapter prints these as one line without a stack; anything else is treated as a bug.
 */
export class TbpipeError extends Error {
  /** A stable, machine-readable identifier such as `IDX_BAD_MAGIC`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad command-line usage: unknown flag, missing required flag, value of the wrong type. Exit code 2. */
export class UsageError extends TbpipeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** An artifact does not match the contract its consumer expects (schema, contract id, manifest hash). */
export class ContractError extends TbpipeError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True for errors the CLI should print as one line (user-fixable), false for bugs. */
export function isExpectedError(err: unknown): err is TbpipeError {
  return err instanceof TbpipeError;
}

/** What each errno means for someone who typed a path. */
const FS_REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file is in the way',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/**
 * An operating-system error on a path (`ENOTDIR` from `mkdir`, `EACCES` from `open`, `ENOSPC` from `write`, …) as an
 * expected error, or undefined for anything else. Not `ENOENT`: stages report missing inputs themselves, and a
 * missing file of the program's own is a bug. Such an error names a path the user chose (`--out`, `--run-dir`, an
 * input) or one below it, so it is the user's to fix, not a bug: the CLI prints it in one line.
 */
export function fileSystemError(err: unknown): TbpipeError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!(e instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string' || typeof e.path !== 'string') return undefined;
  const reason = FS_REASONS[e.code];
  if (reason === undefined) return undefined;
  return new TbpipeError(
    `FS_${e.code}`,
    `fs: ${e.syscall} ${e.path} failed (${e.code}: ${reason}), expected a path this program can use; check the path flags (a directory flag must name a directory, not a file) and permissions`,
    { cause: err },
  );
}
