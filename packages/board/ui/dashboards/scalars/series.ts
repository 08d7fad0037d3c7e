/**
 * Pure data shaping for the SCALARS charts (no DOM): x-axis modes, smoothing, run groups (mean ± std bands), the
 * "ignore outliers" y range and uPlot's aligned data. Kept apart from the view so a test can check the numbers.
 */
import { smoothEma } from '../../lib/smoothing.ts';

/** One run's points of one tag, sorted by step, as the scalars route returns them. */
export interface RunSeries {
  run: string;
  steps: Float64Array;
  walls: Float64Array;
  values: Float64Array;
}

export type XMode = 'step' | 'relative' | 'wall';

/** A line to draw. */
export interface Line {
  /** Run name, or group label for a group. */
  label: string;
  color: string;
  kind: 'run' | 'group';
  members: string[];
  /** X of every point (after the x mode), ascending. */
  xs: Float64Array;
  raw: Float64Array;
  smoothed: Float64Array;
  /** Groups: mean - std and mean + std at each x (smoothed values of the members). */
  lo?: Float64Array;
  hi?: Float64Array;
  steps: Float64Array;
  walls: Float64Array;
}

/** X values of a series in the given mode (relative = seconds since the series' first point). */
export function xValues(s: RunSeries, mode: XMode): Float64Array {
  if (mode === 'step') return s.steps;
  if (mode === 'wall') return s.walls;
  const out = new Float64Array(s.walls.length);
  let t0 = Infinity;
  for (let i = 0; i < s.walls.length; i++) if (s.walls[i]! < t0) t0 = s.walls[i]!;
  for (let i = 0; i < out.length; i++) out[i] = s.walls[i]! - t0;
  return out;
}

/**
 * Group key of a run under the group regex, or null when the run is not grouped. With capture groups the key is
 * the captures joined by '/'; without, the run name with the match replaced by '*' (so `seed=\d+` groups the runs of
 * a sweep that differ only in seed).
 */
export function groupKey(run: string, re: RegExp | null): string | null {
  if (!re) return null;
  const m = re.exec(run);
  if (!m) return null;
  if (m.length > 1) return m.slice(1).map((x) => x ?? '').join('/');
  return run.slice(0, m.index) + '*' + run.slice(m.index + m[0].length);
}

/** Mean and population standard deviation of the members' values at each x present in any member. */
export function groupBand(members: readonly { xs: Float64Array; values: Float64Array }[]): {
  xs: Float64Array; mean: Float64Array; lo: Float64Array; hi: Float64Array; count: Uint32Array;
} {
  const sum = new Map<number, [number, number, number]>();
  for (const m of members) {
    for (let i = 0; i < m.xs.length; i++) {
      const v = m.values[i]!;
      if (!Number.isFinite(v)) continue;
      const acc = sum.get(m.xs[i]!);
      if (acc) { acc[0] += v; acc[1] += v * v; acc[2]++; } else sum.set(m.xs[i]!, [v, v * v, 1]);
    }
  }
  const xs = Float64Array.from(sum.keys()).sort();
  const mean = new Float64Array(xs.length);
  const lo = new Float64Array(xs.length);
  const hi = new Float64Array(xs.length);
  const count = new Uint32Array(xs.length);
  xs.forEach((x, i) => {
    const [s, _s2, n] = sum.get(x)!;
    const mu = s / n;
    // Two-pass variance for accuracy (sum of squares cancels badly for large values).
    let ss = 0;
    for (const m of members) {
      const j = indexOf(m.xs, x);
      if (j >= 0 && Number.isFinite(m.values[j]!)) ss += (m.values[j]! - mu) ** 2;
    }
    const sd = Math.sqrt(ss / n);
    mean[i] = mu; lo[i] = mu - sd; hi[i] = mu + sd; count[i] = n;
  });
  return { xs, mean, lo, hi, count };
}

/** Binary search of an ascending array; -1 when absent. */
export function indexOf(xs: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = xs[mid]!;
    if (v === x) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Index of the x nearest to `x` in an ascending array (-1 when empty). */
export function nearestIndex(xs: Float64Array, x: number): number {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo]! - x) <= Math.abs(xs[hi]! - x) ? lo : hi;
}

/** Sorts a run's points by x (stable) and keeps the last point of equal x (uPlot needs unique ascending x). */
function sortUnique(xs: Float64Array, cols: Float64Array[]): { xs: Float64Array; cols: Float64Array[] } {
  let sorted = true;
  for (let i = 1; i < xs.length; i++) if (!(xs[i]! > xs[i - 1]!)) { sorted = false; break; }
  if (sorted) return { xs, cols };
  const order = Array.from(xs.keys()).sort((a, b) => xs[a]! - xs[b]! || a - b);
  const keep: number[] = [];
  for (const i of order) {
    if (keep.length && xs[keep[keep.length - 1]!] === xs[i]) keep[keep.length - 1] = i;
    else keep.push(i);
  }
  return { xs: Float64Array.from(keep, (i) => xs[i]!), cols: cols.map((c) => Float64Array.from(keep, (i) => c[i]!)) };
}

/** The lines of one chart: one per ungrouped run, one per group. */
export function buildLines(
  series: readonly RunSeries[],
  opts: { mode: XMode; smoothing: number; group: RegExp | null; color(run: string): string; xScale?: number },
): Line[] {
  const scale = opts.xScale ?? 1;
  const perRun = series.map((s) => {
    let xs = xValues(s, opts.mode);
    if (scale !== 1) xs = xs.map((x) => x / scale);
    const u = sortUnique(xs, [s.values, s.steps, s.walls]);
    const [raw, steps, walls] = u.cols as [Float64Array, Float64Array, Float64Array];
    return { run: s.run, xs: u.xs, raw, steps, walls, smoothed: smoothEma(raw, opts.smoothing) };
  });
  const lines: Line[] = [];
  const groups = new Map<string, typeof perRun>();
  for (const r of perRun) {
    const key = groupKey(r.run, opts.group);
    if (key === null) {
      lines.push({ label: r.run, color: opts.color(r.run), kind: 'run', members: [r.run], xs: r.xs, raw: r.raw,
        smoothed: r.smoothed, steps: r.steps, walls: r.walls });
    } else {
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
  }
  for (const [key, members] of groups) {
    const band = groupBand(members.map((m) => ({ xs: m.xs, values: m.smoothed })));
    const rawBand = groupBand(members.map((m) => ({ xs: m.xs, values: m.raw })));
    lines.push({
      label: `${key} (${members.length} runs)`, color: opts.color(members[0]!.run), kind: 'group',
      members: members.map((m) => m.run), xs: band.xs, raw: rawBand.mean, smoothed: band.mean, lo: band.lo, hi: band.hi,
      steps: opts.mode === 'step' ? band.xs : new Float64Array(band.xs.length).fill(Number.NaN),
      walls: new Float64Array(band.xs.length).fill(Number.NaN),
    });
  }
  return lines;
}

/** uPlot's aligned data: the union of every line's x, then per line its raw and smoothed values (and band edges)
 *  at those x, null where the line has no point or the value cannot be drawn (non-finite, or ≤ 0 on a log axis). */
export function alignedData(lines: readonly Line[], logY: boolean): (number | null)[][] {
  const columns = (l: Line) => (l.kind === 'group' ? [l.raw, l.smoothed, l.lo!, l.hi!] : [l.raw, l.smoothed]);
  // Fast path, the common case: every run logged the same steps, so no union or lookup is needed.
  const first = lines[0]?.xs;
  if (first && lines.every((l) => sameValues(l.xs, first))) {
    const cols: (number | null)[][] = [Array.from(first)];
    for (const l of lines) for (const a of columns(l)) cols.push(drawableColumn(a, logY));
    return cols;
  }
  const all = new Set<number>();
  for (const l of lines) for (let i = 0; i < l.xs.length; i++) all.add(l.xs[i]!);
  const xs = Float64Array.from(all).sort();
  const pos = new Map<number, number>();
  xs.forEach((x, i) => pos.set(x, i));
  const cols: (number | null)[][] = [Array.from(xs)];
  for (const l of lines) {
    for (const a of columns(l)) {
      const col: (number | null)[] = new Array(xs.length).fill(null);
      for (let i = 0; i < l.xs.length; i++) {
        const v = a[i]!;
        col[pos.get(l.xs[i]!)!] = Number.isFinite(v) && (!logY || v > 0) ? v : null;
      }
      cols.push(col);
    }
  }
  return cols;
}

/** A column for uPlot: null where the value cannot be drawn (non-finite, or ≤ 0 on a log axis). */
function drawableColumn(a: Float64Array, logY: boolean): (number | null)[] {
  const out: (number | null)[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    out[i] = v - v === 0 && (!logY || v > 0) ? v : null;
  }
  return out;
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** TensorBoard's "ignore outliers": the y range spanned by the 5th to 95th percentile of the drawn values, padded. */
export function outlierRange(lines: readonly Line[], logY: boolean): [number, number] | null {
  const vals: number[] = [];
  for (const l of lines) for (const v of l.smoothed) if (Number.isFinite(v) && (!logY || v > 0)) vals.push(v);
  if (vals.length < 3) return null;
  vals.sort((a, b) => a - b);
  const q = (p: number) => {
    const i = (vals.length - 1) * p;
    const lo = Math.floor(i);
    return vals[lo]! + (vals[Math.min(lo + 1, vals.length - 1)]! - vals[lo]!) * (i - lo);
  };
  const lo = q(0.05);
  const hi = q(0.95);
  if (logY) return [lo / 1.5, hi * 1.5];
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  return [lo - pad, hi + pad];
}
