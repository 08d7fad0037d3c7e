/**
 * The histograms and distributions plugins. Both read the `histograms` tensors (`[k, 3]` rows of left edge, right
 * edge, count); distributions compress each to TensorBoard's 9 basis points.
 */
import type { TensorDatum } from '../store/provider.ts';
import { describe } from './markdown.ts';
import { requireParam } from './params.ts';
import { BadRequest, jsonReply, type PluginRoutes, type RouteContext, type RouteRequest } from './types.ts';

const PLUGIN = 'histograms';
/** The `histograms` route always answers at most 51 points per series, whatever the flags (`SAMPLE_SIZE`). */
const HISTOGRAMS_SAMPLE_SIZE = 51;
/** The `distributions` route: at most 501. */
const DISTRIBUTIONS_SAMPLE_SIZE = 501;

/** Basis points of the normal CDF at -inf, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, +inf standard deviations. */
export const NORMAL_HISTOGRAM_BPS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000] as const;

/** The `[k, 3]` rows of a histogram tensor. */
export function histogramBuckets(datum: TensorDatum): [number, number, number][] {
  const numbers = datum.value.numbers ?? new Float64Array(0);
  const rows: [number, number, number][] = [];
  for (let i = 0; i + 2 < numbers.length; i += 3) rows.push([numbers[i], numbers[i + 1], numbers[i + 2]]);
  return rows;
}

/**
 * TensorBoard's `compress_histogram`: for each basis point, the value where the cumulative weight reaches it, by
 * linear interpolation within the bucket that crosses it (edges clamped to the histogram's range); basis points past
 * the last crossing get the right edge of the last bucket. Same float operations in the same order, so the same
 * doubles.
 */
export function compressHistogram(buckets: readonly (readonly [number, number, number])[]): [number, number][] {
  const bps = NORMAL_HISTOGRAM_BPS;
  if (buckets.length === 0) return bps.map((b) => [b, 0]);
  const minmin = buckets[0][0];
  const maxmax = buckets[buckets.length - 1][1];
  let total = 0;
  for (const b of buckets) total += b[2];
  const divisor = total || 1;
  const weights: number[] = [];
  let running = 0;
  for (const b of buckets) {
    running += (b[2] * bps[bps.length - 1]) / divisor;
    weights.push(running);
  }
  const result: [number, number][] = [];
  let j = 0;
  outer: while (j < bps.length) {
    // numpy.searchsorted(weights, bp, side='right'): first index whose weight is > bp
    let i = 0;
    while (i < weights.length && weights[i] <= bps[j]) i++;
    while (i < weights.length) {
      const cumsum = weights[i];
      const cumsumPrev = i > 0 ? weights[i - 1] : 0;
      if (cumsum === cumsumPrev) {
        i++;
        continue;
      }
      const lhs = i === 0 || cumsumPrev === 0 ? minmin : Math.max(buckets[i - 1][1], minmin);
      const rhs = Math.min(buckets[i][1], maxmax);
      result.push([bps[j], lhs + ((bps[j] - cumsumPrev) * (rhs - lhs)) / (cumsum - cumsumPrev)]);
      j++;
      continue outer;
    }
    break;
  }
  for (; j < bps.length; j++) result.push([bps[j], maxmax]);
  return result;
}

function histogramTags(ctx: RouteContext) {
  const result: Record<string, Record<string, { displayName: string; description: string }>> = {};
  for (const [run, tags] of ctx.provider.listTensors(PLUGIN)) {
    const entry: Record<string, { displayName: string; description: string }> = (result[run] = {});
    for (const [tag, info] of tags) entry[tag] = { displayName: info.displayName, description: describe(info.description) };
  }
  return result;
}

function readSeries(req: RouteRequest, ctx: RouteContext, downsample: number): TensorDatum[] {
  const run = requireParam(req, 'run');
  const tag = requireParam(req, 'tag');
  const series = ctx.provider.readTensors(PLUGIN, downsample, { runs: [run], tags: [tag] }).get(run)?.get(tag);
  if (!series) throw new BadRequest(`no histogram tag ${JSON.stringify(tag)} for run ${JSON.stringify(run)}`, 404);
  return series;
}

export const histogramsRoutes: PluginRoutes = {
  plugin: 'histograms',
  routes: {
    '/tags': (_req, ctx) => jsonReply(histogramTags(ctx)),
    '/histograms': (req, ctx) =>
      jsonReply(readSeries(req, ctx, HISTOGRAMS_SAMPLE_SIZE).map((d) => [d.wallTime, d.step, histogramBuckets(d)])),
  },
};

export const distributionsRoutes: PluginRoutes = {
  plugin: 'distributions',
  routes: {
    '/tags': (_req, ctx) => jsonReply(histogramTags(ctx)),
    '/distributions': (req, ctx) =>
      jsonReply(
        readSeries(req, ctx, DISTRIBUTIONS_SAMPLE_SIZE).map((d) => [d.wallTime, d.step, compressHistogram(histogramBuckets(d))]),
      ),
  },
};
