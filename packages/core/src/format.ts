/**
 * Python's `'{:.1f}'.format(x)`. `toFixed` rounds the exact binary value like Python does, except at exact ties,
 * where Python rounds half to even and `toFixed` rounds up. x·10 ends in exactly .5 only when 4x is an odd integer
 * (e.g. 12.25 → Python "12.2", toFixed "12.3"); those are detected exactly (×4 and ×2 are exact) and rounded to even.
 * @example formatFixed1(12.25) // "12.2"
 */
export function formatFixed1(x: number): string {
  if (Number.isInteger(x * 4) && !Number.isInteger(x * 2)) {
    const lower = Math.floor(x * 10); // exact: x = k/4, so 10x = 2.5k is representable
    return ((lower % 2 === 0 ? lower : lower + 1) / 10).toFixed(1);
  }
  return x.toFixed(1);
}
