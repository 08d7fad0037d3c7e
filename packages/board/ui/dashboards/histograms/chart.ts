/**
 * One histogram card's canvas: TensorBoard's offset ("ridge") view — one filled curve per step, the step on the depth
 * axis, older steps behind — or its overlay view — every step on one count axis, coloured from faint (first step) to
 * full (last). Plain 2-D canvas: at most a few hundred curves of 30 bins per card.
 */
import { chartTheme, withAlpha } from '../../lib/colors.ts';
import { formatTick, formatValue } from '../../lib/format.ts';
import type { RebinnedSeries } from './rebin.ts';

export type HistogramMode = 'offset' | 'overlay';

const PAD = { left: 48, right: 56, top: 12, bottom: 34 };

/** A drawn histogram chart; `el.__histogram` exposes the re-binned data for tests. */
export interface HistogramChart {
  element: HTMLElement;
  set(data: RebinnedSeries, mode: HistogramMode): void;
  destroy(): void;
}

/** Creates a chart filling `container`'s width, `height` CSS pixels high. */
export function createHistogramChart(container: HTMLElement, color: string, theme: 'light' | 'dark', height = 260): HistogramChart {
  const canvas = document.createElement('canvas');
  canvas.className = 'histogram-canvas';
  canvas.style.height = `${height}px`;
  canvas.style.width = '100%';
  const tip = document.createElement('div');
  tip.className = 'hist-tooltip';
  tip.hidden = true;
  const wrap = document.createElement('div');
  wrap.className = 'histogram-wrap';
  wrap.append(canvas, tip);
  container.appendChild(wrap);
  let data: RebinnedSeries | null = null;
  let mode: HistogramMode = 'offset';
  let hover = -1;
  const c = chartTheme(theme);

  const geometry = () => {
    const w = canvas.clientWidth;
    const plotW = w - PAD.left - PAD.right;
    const plotH = height - PAD.top - PAD.bottom;
    return { w, plotW, plotH };
  };
  const xOf = (v: number, plotW: number) => PAD.left + ((v - data!.min) / (data!.max - data!.min)) * plotW;
  /** Offset mode: the first step's baseline is at the top of its band, the last at the bottom. */
  const baseline = (k: number, plotH: number) => {
    const n = data!.steps.length;
    const ridge = n > 1 ? plotH * 0.35 : plotH;
    const depth = plotH - ridge;
    return PAD.top + ridge + (n > 1 ? (depth * stepFraction(k)) : 0);
  };
  const stepFraction = (k: number) => {
    const steps = data!.steps;
    const first = steps[0]!.step;
    const last = steps[steps.length - 1]!.step;
    return last > first ? (steps[k]!.step - first) / (last - first) : k / Math.max(1, steps.length - 1);
  };

  function draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const { w, plotW, plotH } = geometry();
    if (w <= 0) return;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(height * dpr);
    const g = canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, height);
    g.font = '11px system-ui, sans-serif';
    if (!data || data.steps.length === 0) return;
    const n = data.steps.length;
    const bins = data.steps[0]!.counts.length;
    const ridge = n > 1 ? plotH * 0.35 : plotH;
    const yScale = mode === 'offset' ? ridge / (data.maxCount || 1) : plotH / (data.maxCount || 1);
    const base = (k: number) => (mode === 'offset' ? baseline(k, plotH) : PAD.top + plotH);
    for (let k = 0; k < n; k++) {
      const counts = data.steps[k]!.counts;
      const y0 = base(k);
      g.beginPath();
      g.moveTo(xOf(data.min, plotW), y0);
      for (let i = 0; i < bins; i++) g.lineTo(xOf(data.min + (i + 0.5) * data.binWidth, plotW), y0 - counts[i]! * yScale);
      g.lineTo(xOf(data.max, plotW), y0);
      const t = n > 1 ? k / (n - 1) : 1;
      if (mode === 'offset') {
        g.closePath();
        g.fillStyle = withAlpha(color, 0.25 + 0.55 * t);
        g.fill();
        g.strokeStyle = k === hover ? c.text : withAlpha('#000000', theme === 'dark' ? 0.5 : 0.25);
        g.lineWidth = k === hover ? 1.5 : 0.6;
        g.stroke();
      } else {
        g.strokeStyle = k === hover ? c.text : withAlpha(color, 0.15 + 0.85 * t);
        g.lineWidth = k === hover ? 2 : 1;
        g.stroke();
      }
    }
    // Axes: values below, steps (offset) or counts (overlay) on the right.
    g.fillStyle = c.axis;
    g.strokeStyle = c.grid;
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const v of niceTicks(data.min, data.max, Math.max(2, Math.floor(plotW / 80)))) {
      const x = xOf(v, plotW);
      g.beginPath();
      g.moveTo(x, PAD.top + plotH);
      g.lineTo(x, PAD.top + plotH + 4);
      g.stroke();
      g.fillText(formatTick(v), x, PAD.top + plotH + 6);
    }
    g.fillText('value', PAD.left + plotW / 2, PAD.top + plotH + 20);
    g.textAlign = 'left';
    g.textBaseline = 'middle';
    if (mode === 'offset') {
      const steps = data.steps;
      const shown = new Set<number>([0, n - 1]);
      const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor((plotH - ridge) / 16))));
      for (let k = 0; k < n; k += every) shown.add(k);
      let lastY = -Infinity;
      for (const k of [...shown].sort((a, b) => a - b)) {
        const y = baseline(k, plotH);
        if (y - lastY < 12 && k !== n - 1) continue;
        lastY = y;
        g.fillText(formatTick(steps[k]!.step), PAD.left + plotW + 6, y);
      }
      g.save();
      g.translate(w - 8, PAD.top + plotH / 2);
      g.rotate(Math.PI / 2);
      g.textAlign = 'center';
      g.fillText('step', 0, 0);
      g.restore();
    } else {
      for (const v of niceTicks(0, data.maxCount, 4)) {
        const y = PAD.top + plotH - v * yScale;
        g.fillText(formatTick(v), PAD.left + plotW + 6, y);
      }
      g.save();
      g.translate(w - 8, PAD.top + plotH / 2);
      g.rotate(Math.PI / 2);
      g.textAlign = 'center';
      g.fillText('count', 0, 0);
      g.restore();
    }
  }

  function onMove(e: MouseEvent): void {
    if (!data || data.steps.length === 0) return;
    const rect = canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const { plotW, plotH } = geometry();
    const bin = Math.floor(((x - PAD.left) / plotW) * data.steps[0]!.counts.length);
    if (bin < 0 || bin >= data.steps[0]!.counts.length) return onLeave();
    let best = 0;
    let bestD = Infinity;
    const ridge = data.steps.length > 1 ? plotH * 0.35 : plotH;
    data.steps.forEach((s, k) => {
      const yy = mode === 'offset'
        ? baseline(k, plotH) - (s.counts[bin]! * ridge) / (data!.maxCount || 1)
        : PAD.top + plotH - (s.counts[bin]! * plotH) / (data!.maxCount || 1);
      const d = Math.abs(yy - y);
      if (d < bestD) { bestD = d; best = k; }
    });
    const s = data.steps[best]!;
    const lo = data.min + bin * data.binWidth;
    tip.textContent = `step ${s.step} · [${formatValue(lo)}, ${formatValue(lo + data.binWidth)}) · count ${formatValue(s.counts[bin]!)}`;
    tip.hidden = false;
    tip.style.left = `${Math.min(x + 12, canvas.clientWidth - tip.offsetWidth - 4)}px`;
    tip.style.top = `${Math.max(0, y - 28)}px`;
    if (best !== hover) { hover = best; draw(); }
  }
  function onLeave(): void {
    tip.hidden = true;
    if (hover !== -1) { hover = -1; draw(); }
  }
  canvas.addEventListener('mousemove', onMove);
  canvas.addEventListener('mouseleave', onLeave);
  const observer = new ResizeObserver(() => draw());
  observer.observe(wrap);

  return {
    element: wrap,
    set(next, nextMode) {
      data = next;
      mode = nextMode;
      (wrap as HTMLElement & { __histogram?: RebinnedSeries }).__histogram = next;
      wrap.dataset.mode = nextMode;
      draw();
    },
    destroy() {
      observer.disconnect();
      wrap.remove();
    },
  };
}

/** About `count` round tick values in [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}
