import { TbpipeError } from '@tbpipe/core';

/**
 * What the figure functions throw for input a caller can fix (wrong image size, mismatched lengths, empty input,
 * non-finite numbers). `code` is `FIGURES_BAD_INPUT` or `FIGURES_FONT_MISSING`; the message has the house form
 * `figures: <seen>, expected <expected>; <what to do>`.
 */
export class FiguresError extends TbpipeError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A `FIGURES_BAD_INPUT` error with the message `figures: <seen>, expected <expected>; <todo>`. */
export function badInput(seen: string, expected: string, todo: string): FiguresError {
  return new FiguresError('FIGURES_BAD_INPUT', `figures: ${seen}, expected ${expected}; ${todo}`);
}
