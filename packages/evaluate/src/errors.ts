import { TbpipeError } from '@tbpipe/core';

/**
 * The error the evaluate stage throws for conditions a user can fix (wrong input directory, a model and test set
 * that do not fit together, a bad option). `code` is stable; the message reads
 * `evaluate: <seen>, expected <expected>; <what to do>`.
 */
export class EvaluateError extends TbpipeError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** `evaluate: ${seen}, expected ${expected}; ${todo}` with a stable code. */
export function evaluateError(code: string, seen: string, expected: string, todo: string, cause?: unknown): EvaluateError {
  return new EvaluateError(code, `evaluate: ${seen}, expected ${expected}; ${todo}`, cause === undefined ? undefined : { cause });
}
