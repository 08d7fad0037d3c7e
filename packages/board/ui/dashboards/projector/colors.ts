/** Point colours of the projector: a 20-colour categorical palette, a two-stop gradient for numeric columns. */

const CATEGORICAL = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5',
];

/** A legend entry. */
export interface LegendEntry {
  label: string;
  color: string;
  count: number;
}

/** Colours of every point and the legend. */
export interface Coloring {
  colors: Float32Array;
  legend: LegendEntry[];
  /** 'categorical' (one colour per value), 'numeric' (gradient) or 'none'. */
  kind: 'categorical' | 'numeric' | 'none';
}

const rgb = (hex: string): [number, number, number] => {
  const n = Number.parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
};

/** Colours for `values` (one per point; undefined = no column): ≤ 20 distinct values are categories (legend sorted by
 *  value), an all-numeric column a gradient, anything else the first 19 values by frequency and "other". */
export function colorBy(values: readonly string[] | undefined, rows: number, neutral = '#4a6fa5'): Coloring {
  const colors = new Float32Array(rows * 3);
  if (!values) {
    const c = rgb(neutral);
    for (let i = 0; i < rows; i++) colors.set(c, i * 3);
    return { colors, legend: [], kind: 'none' };
  }
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const numeric = counts.size > 20 && values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  if (numeric) {
    const nums = values.map(Number);
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of nums) { if (x < lo) lo = x; if (x > hi) hi = x; }
    const a = rgb('#2c7bb6');
    const b = rgb('#d7191c');
    nums.forEach((x, i) => {
      const t = hi > lo ? (x - lo) / (hi - lo) : 0.5;
      colors.set([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t], i * 3);
    });
    return { colors, kind: 'numeric', legend: [{ label: `${lo}`, color: '#2c7bb6', count: 0 }, { label: `${hi}`, color: '#d7191c', count: 0 }] };
  }
  let keys = [...counts.keys()];
  if (keys.length <= 20) keys.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  else keys = [...counts].sort((x, y) => y[1] - x[1]).slice(0, 19).map(([k]) => k);
  const index = new Map(keys.map((k, i) => [k, i]));
  const other = '#b0b0b0';
  values.forEach((v, i) => {
    const k = index.get(v);
    colors.set(rgb(k === undefined ? other : CATEGORICAL[k]!), i * 3);
  });
  const legend = keys.map((k, i) => ({ label: k, color: CATEGORICAL[i]!, count: counts.get(k)! }));
  if (counts.size > keys.length) {
    legend.push({ label: `other (${counts.size - keys.length} values)`, color: other, count: values.length - legend.reduce((s, e) => s + e.count, 0) });
  }
  return { colors, legend, kind: 'categorical' };
}
