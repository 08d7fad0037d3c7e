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
