import { PothosValidationError } from '@pothos/core';

interface PageArgs {
  first?: number | null;
  last?: number | null;
}

/** A page size out of range: the caller's input, refused before anything runs (BAD_USER_INPUT). */
class PageSizeError extends PothosValidationError {
  constructor(argument: 'first' | 'last', value: number, maxSize: number) {
    super(`"${argument}" must be a whole number from 0 to ${maxSize} (got ${value}).`, {
      extensions: { code: 'BAD_USER_INPUT', details: { argument, max: maxSize } },
    });
  }
}

/** The rows one page of a connection may load: `first` or `last`, or the default; refuses sizes out of range. */
export function pageSizeOf(args: PageArgs, defaultSize: number, maxSize: number): number {
  for (const argument of ['first', 'last'] as const) {
    const value = args[argument];
    if (value != null && (!Number.isInteger(value) || value < 0 || value > maxSize)) {
      throw new PageSizeError(argument, value, maxSize);
    }
  }
  return args.first ?? args.last ?? defaultSize;
}

/**
 * A connection's page sizes and its cost for the operation limits: what is selected under it counts once
 * per row the page may load, plus the one extra row read to know whether there is a next page (the
 * node-limit model: nested connections multiply).
 */
export function paged(defaultSize: number, maxSize: number) {
  return {
    defaultSize,
    maxSize,
    complexity: (args: PageArgs) => ({ field: 1, multiplier: pageSizeOf(args, defaultSize, maxSize) + 1 }),
  };
}
