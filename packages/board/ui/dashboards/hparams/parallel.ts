/**
 * Parallel coordinates of hparams sessions, in SVG: one vertical axis per hparam and metric (numbers linear, or
 * logarithmic when positive and spanning more than two decades, as learning rates do; strings and booleans as evenly
 * spaced categories), one polyline per session. Hovering a line reports its index, so the table can highlight it.
 */
import { formatValue } from '../../lib/format.ts';

const NS = 'http://www.w3.org/2000/svg';

/** One axis: a column name and the session values on it. */
export interface Axis {
  name: string;
  kind: 'hparam' | 'metric';
  values: (number | string | boolean | undefined)[];
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Maps a column's values to 0..1 (0 = bottom), with tick labels. */
function axisScale(values: Axis['values']): { pos(v: Axis['values'][number]): number | null; ticks: [number, string][]; log: boolean } {
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (nums.length && nums.length === values.filter((v) => v !== undefined).length) {
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const log = min > 0 && max / min > 100;
    const f = (v: number) => (log ? Math.log10(v) : v);
    const lo = f(min);
    const hi = f(max);
    const pos = (v: Axis['values'][number]) => (typeof v === 'number' && Number.isFinite(v) ? (hi === lo ? 0.5 : (f(v) - lo) / (hi - lo)) : null);
    const ticks: [number, string][] = hi === lo ? [[0.5, formatValue(min)]] : [[0, formatValue(min)], [0.5, formatValue(log ? 10 ** ((lo + hi) / 2) : (min + max) / 2)], [1, formatValue(max)]];
    return { pos, ticks, log };
  }
  const cats = [...new Set(values.filter((v) => v !== undefined).map(String))].sort();
  const pos = (v: Axis['values'][number]) => {
    if (v === undefined) return null;
    const i = cats.indexOf(String(v));
    return cats.length === 1 ? 0.5 : i / (cats.length - 1);
  };
  return { pos, ticks: cats.map((c) => [pos(c)!, c] as [number, string]), log: false };
}

/** Draws the chart into `container` (replacing it); `onHover(i | null)` follows the pointer over session lines. */
export function drawParallel(container: HTMLElement, axes: Axis[], colors: string[], onHover: (i: number | null) => void, highlight: number | null): void {
  const width = Math.max(400, container.clientWidth || 800);
  const height = 300;
  const top = 40;
  const bottom = 24;
  const side = 80;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img', 'aria-label': 'Parallel coordinates of sessions' });
  if (!axes.length) { container.replaceChildren(root); return; }
  const step = axes.length > 1 ? (width - 2 * side) / (axes.length - 1) : 0;
  const xs = axes.map((_, i) => (axes.length > 1 ? side + i * step : width / 2));
  const scales = axes.map((a) => axisScale(a.values));
  const y = (p: number) => top + (1 - p) * (height - top - bottom);
  const n = axes[0]!.values.length;
  const lines = svg('g', { fill: 'none' });
  for (let s = 0; s < n; s++) {
    const pts: string[] = [];
    axes.forEach((a, i) => {
      const p = scales[i]!.pos(a.values[s]);
      if (p !== null) pts.push(`${xs[i]!.toFixed(1)},${y(p).toFixed(1)}`);
    });
    const hot = highlight === s;
    const line = svg('polyline', {
      points: pts.join(' '), stroke: colors[s] ?? '#888', 'stroke-width': hot ? 3.5 : 1.8,
      'stroke-opacity': highlight === null || hot ? 0.9 : 0.25, 'data-session': s,
    });
    line.addEventListener('mouseenter', () => onHover(s));
    line.addEventListener('mouseleave', () => onHover(null));
    lines.appendChild(line);
  }
  root.appendChild(lines);
  axes.forEach((a, i) => {
    const g = svg('g', { class: 'axis' });
    g.appendChild(svg('line', { x1: xs[i]!, x2: xs[i]!, y1: top, y2: height - bottom, 'stroke-width': 1 }));
    const anchor = 'middle';
    const maxChars = Math.max(6, Math.floor((axes.length > 1 ? step : width) / 7));
    const name = a.name.length > maxChars ? `…${a.name.slice(a.name.length - maxChars + 1)}` : a.name;
    const title = svg('text', { x: xs[i]!, y: 14, 'text-anchor': anchor, 'font-weight': 600 }, name);
    title.appendChild(svg('title', {}, a.name));
    g.appendChild(title);
    g.appendChild(svg('text', { x: xs[i]!, y: 28, 'text-anchor': anchor, opacity: 0.7 }, `${a.kind}${scales[i]!.log ? ' · log' : ''}`));
    for (const [p, label] of scales[i]!.ticks) {
      g.appendChild(svg('line', { x1: xs[i]! - 4, x2: xs[i]!, y1: y(p), y2: y(p) }));
      g.appendChild(svg('text', { x: xs[i]! - 6, y: y(p) + 4, 'text-anchor': 'end' }, label));
    }
    root.appendChild(g);
  });
  container.replaceChildren(root);
}
