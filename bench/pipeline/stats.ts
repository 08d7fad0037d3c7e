// Small numeric helpers shared by the report's modules.

/**
 * The median of a non-empty list (the mean of the middle two for an even count).
 * @example median([3, 1, 2]) // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: no values, expected at least one');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `[min, max]` of a non-empty list. */
export function range(values: readonly number[]): [number, number] {
  if (values.length === 0) throw new RangeError('range: no values, expected at least one');
  return [Math.min(...values), Math.max(...values)];
}
