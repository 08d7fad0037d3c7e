/**
 * Request-time downsampling, as TensorBoard's plugins do it: each route asks the provider for at most N points per
 * series, N from `--samples-per-plugin` (its "sampling hints") or the route's own default.
 */
import type { RouteContext } from './types.ts';

/** "Every kept point": what `--samples-per-plugin name=0` means here (TensorBoard 2.20 answers no points for 0). */
export const ALL_POINTS = Number.MAX_SAFE_INTEGER;

/** The downsample count for `plugin`: the flag's value if given (0 → all points), else `fallback`. */
export function downsampleFor(ctx: RouteContext, plugin: string, fallback: number): number {
  const hint = ctx.samplesPerPlugin[plugin];
  if (hint === undefined) return fallback;
  return hint === 0 ? ALL_POINTS : hint;
}
