/**
 * The PR-curves plugin: `/tags` and `/pr_curves` (one or more `run` parameters), as TensorBoard 2.20's
 * `pr_curves_plugin.py` shapes them from the `[6, N]` tensors (TP, FP, TN, FN, precision, recall rows).
 */
import type { TensorDatum } from '../store/provider.ts';
import { describe } from './markdown.ts';
import { downsampleFor } from './sampling.ts';
import { BadRequest, jsonReply, type PluginRoutes } from './types.ts';

const PLUGIN = 'pr_curves';
const DEFAULT_DOWNSAMPLING = 100;
const [TP, FP, TN, FN, PRECISION, RECALL] = [0, 1, 2, 3, 4, 5];

/** numpy's `linspace(0, 1, n)`: `i * (1 / (n - 1))`, the last one exactly 1. */
export function linspace01(n: number): number[] {
  if (n === 1) return [0];
  const step = 1 / (n - 1);
  const out = Array.from({ length: n }, (_, i) => i * step);
  if (n > 1) out[n - 1] = 1;
  return out;
}

/** Python's `int(v)` of a float: truncation toward zero. */
const int = (v: number) => Math.trunc(v);

/** One step of a PR curve as TensorBoard sends it, trailing thresholds where TP + FP is 0 dropped. */
export function prCurveEntry(datum: TensorDatum) {
  const numbers = datum.value.numbers ?? new Float64Array(0);
  const n = datum.value.shape[1] ?? 0;
  const row = (r: number) => Array.from(numbers.subarray(r * n, (r + 1) * n));
  let end = n - 1;
  // Python sums int(TP) + int(FP) after astype(int), searching from the end for the last non-zero.
  while (end > 0 && int(numbers[TP * n + end]) + int(numbers[FP * n + end]) === 0) end--;
  const count = end + 1;
  return {
    wall_time: datum.wallTime,
    step: datum.step,
    precision: row(PRECISION).slice(0, count),
    recall: row(RECALL).slice(0, count),
    true_positives: row(TP).slice(0, count).map(int),
    false_positives: row(FP).slice(0, count).map(int),
    true_negatives: row(TN).slice(0, count).map(int),
    false_negatives: row(FN).slice(0, count).map(int),
    thresholds: linspace01(n).slice(0, count),
  };
}

export const prCurvesRoutes: PluginRoutes = {
  plugin: PLUGIN,
  routes: {
    '/tags': (_req, ctx) => {
      const result: Record<string, Record<string, { displayName: string; description: string }>> = {};
      for (const [run, tags] of ctx.provider.listTensors(PLUGIN)) {
        const entry: Record<string, { displayName: string; description: string }> = (result[run] = {});
        for (const [tag, info] of tags) entry[tag] = { displayName: info.displayName, description: describe(info.description) };
      }
      return jsonReply(result);
    },
    '/pr_curves': (req, ctx) => {
      const runs = req.query.getAll('run');
      if (runs.length === 0) throw new BadRequest('no run given; pass one or more run parameters');
      const tag = req.query.get('tag');
      if (!tag) throw new BadRequest('no tag given; pass a tag parameter');
      const data = ctx.provider.readTensors(PLUGIN, downsampleFor(ctx, PLUGIN, DEFAULT_DOWNSAMPLING), { runs, tags: [tag] });
      const body: Record<string, ReturnType<typeof prCurveEntry>[]> = {};
      for (const run of runs) {
        const series = data.get(run)?.get(tag);
        if (!series) throw new BadRequest(`no PR curves for run ${JSON.stringify(run)} and tag ${JSON.stringify(tag)}`);
        body[run] = series.map(prCurveEntry);
      }
      return jsonReply(body);
    },
  },
};
