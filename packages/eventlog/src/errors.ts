import { TbpipeError } from '@tbpipe/core';

/**
 * The error every eventlog function throws for conditions a user can fix (a corrupt or truncated event file, a bad
 * argument). `code` is stable; the message reads `eventlog: <seen>, expected <expected>; <what to do>`.
 */
export class EventlogError extends TbpipeError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Shorthand used by every module: `eventlog: ${seen}, expected ${expected}; ${todo}` with a stable code. */
export function eventlogError(code: string, seen: string, expected: string, todo: string, cause?: unknown): EventlogError {
  return new EventlogError(code, `eventlog: ${seen}, expected ${expected}; ${todo}`, cause === undefined ? undefined : { cause });
}

/** Format an unsigned 32-bit value as `0x` + 8 hex digits, the way CRCs are quoted in messages. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}
