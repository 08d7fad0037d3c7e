/** Data shared by the HISTOGRAMS and DISTRIBUTIONS dashboards: TensorBoard's histograms routes, typed. */
import type { DashboardContext } from '../types.ts';
import { compileFilter } from '../../lib/dom.ts';

/** `/data/plugin/histograms/histograms`: `[wall_time, step, [[left, right, count], ...]]` per step. */
export type HistogramSeries = [number, number, [number, number, number][]][];

/** `/data/plugin/distributions/distributions`: `[wall_time, step, [[basis_point, value] × 9]]` per step. */
export type DistributionSeries = [number, number, [number, number][]][];

/** One chart's worth: a run and a tag of the histograms plugin. */
export interface RunTag {
  run: string;
  tag: string;
}

/**
 * The (run, tag) pairs to draw: `route` is `histograms` or `distributions` (both list the histograms plugin's tags),
 * restricted to the selected runs (in their order) and to tags matching the shell's tag filter; sorted by tag.
 */
export async function listRunTags(ctx: DashboardContext, route: 'histograms' | 'distributions'): Promise<RunTag[]> {
  const tags = await ctx.fetchJson<Record<string, Record<string, unknown>>>(`data/plugin/${route}/tags`);
  const filter = compileFilter(ctx.tagFilter);
  const out: RunTag[] = [];
  for (const run of ctx.selectedRuns) {
    for (const tag of Object.keys(tags[run] ?? {})) if (filter.test(tag)) out.push({ run, tag });
  }
  return out.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

/** The query string of one run × tag request. */
export function runTagQuery({ run, tag }: RunTag): string {
  return `run=${encodeURIComponent(run)}&tag=${encodeURIComponent(tag)}`;
}

/** Groups items by the part of their tag before the first `/` (TensorBoard's tag groups). */
export function groupByTagPrefix<T extends RunTag>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const slash = item.tag.indexOf('/');
    const key = slash > 0 ? item.tag.slice(0, slash) : item.tag;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}
