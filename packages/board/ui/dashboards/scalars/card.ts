/** One SCALARS chart card: a tag, a line per run (or per run group), the tooltip, the legend and downloads. */
import { createChart, type Chart, uPlot } from '../../lib/chart.ts';
import { withAlpha } from '../../lib/colors.ts';
import { downloadText, h, replaceChildren } from '../../lib/dom.ts';
import { durationUnit, formatDuration, formatTick, formatValue, formatWallTime } from '../../lib/format.ts';
import { alignedData, buildLines, nearestIndex, outlierRange, type Line, type RunSeries, type XMode } from './series.ts';

/** The dashboard-wide settings a card draws with. */
export interface CardSettings {
  smoothing: number;
  mode: XMode;
  logY: boolean;
  outliers: boolean;
  group: RegExp | null;
  theme: 'light' | 'dark';
  color(run: string): string;
}

const X_LABEL: Record<XMode, string> = { step: 'Step', relative: 'Relative time', wall: 'Wall time (local)' };

/** Formats a number for CSV like Python's float repr for non-finite values (nan, inf), as TensorBoard's CSV. */
function csvNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export class ScalarCard {
  readonly root: HTMLElement;
  private readonly chartEl: HTMLElement;
  private readonly legendEl: HTMLElement;
  private readonly subEl: HTMLElement;
  private chart: Chart | null = null;
  private shape = '';
  private lines: Line[] = [];
  private series: readonly RunSeries[] = [];
  private yOverride: [number, number] | null = null;
  private xUnit = { label: '', seconds: 1 };

  constructor(readonly tag: string) {
    this.chartEl = h('div', { class: 'chart' });
    this.legendEl = h('div', { class: 'legend' });
    this.subEl = h('span', { class: 'card-sub' });
    this.root = h('article', { class: 'card scalar-card', 'data-tag': tag },
      h('div', { class: 'card-head' },
        h('h4', { class: 'card-title' }, tag),
        this.subEl,
        h('div', { class: 'card-actions' },
          h('button', { type: 'button', title: 'Download the points of this chart as CSV', onclick: () => this.download('csv') }, 'CSV'),
          h('button', { type: 'button', title: 'Download the points of this chart as JSON', onclick: () => this.download('json') }, 'JSON'),
          h('button', { type: 'button', title: 'Toggle full width', 'aria-label': 'Toggle full width',
            onclick: () => this.root.classList.toggle('wide') }, '⤢'))),
      this.chartEl,
      this.legendEl);
  }

  /** Draws (or redraws, keeping the user's zoom) the card for these series and settings. */
  render(series: readonly RunSeries[], s: CardSettings): void {
    this.series = series;
    let xScale = 1;
    let xLabel = X_LABEL[s.mode];
    if (s.mode === 'relative') {
      let max = 0;
      for (const r of series) if (r.walls.length) max = Math.max(max, r.walls[r.walls.length - 1]! - r.walls[0]!);
      this.xUnit = durationUnit(max);
      xScale = this.xUnit.seconds;
      xLabel = `Relative time (${this.xUnit.label})`;
    }
    this.lines = buildLines(series, { mode: s.mode, smoothing: s.smoothing, group: s.group, color: s.color, xScale });
    this.yOverride = s.outliers ? outlierRange(this.lines, s.logY) : null;
    const data = alignedData(this.lines, s.logY) as uPlot.AlignedData;
    const points = series.reduce((n, r) => n + r.steps.length, 0);
    this.subEl.textContent = series.length ? `${series.length} run${series.length > 1 ? 's' : ''} · ${points} points` : 'no data';
    this.renderLegend();
    const shape = JSON.stringify([this.lines.map((l) => [l.kind, l.label, l.color]), s.mode, s.logY, s.theme, xLabel, s.outliers]);
    if (this.chart && shape === this.shape) {
      this.chart.setData(data);
      return;
    }
    const keepZoom = this.chart && this.shape && JSON.parse(this.shape)[1] === s.mode ? this.chart.zoomRange() : null;
    this.chart?.destroy();
    this.shape = shape;
    const uSeries: uPlot.Series[] = [];
    const bands: uPlot.Band[] = [];
    for (const l of this.lines) {
      const base = uSeries.length + 1;
      uSeries.push({ label: `${l.label} (raw)`, stroke: withAlpha(l.color, 0.28), width: 1, spanGaps: true, points: { show: false } });
      uSeries.push({ label: l.label, stroke: l.color, width: 1.6, spanGaps: true, points: { size: 4, fill: l.color } });
      if (l.kind === 'group') {
        uSeries.push({ label: `${l.label} −σ`, stroke: withAlpha(l.color, 0.5), width: 0.5, spanGaps: true, points: { show: false } });
        uSeries.push({ label: `${l.label} +σ`, stroke: withAlpha(l.color, 0.5), width: 0.5, spanGaps: true, points: { show: false } });
        bands.push({ series: [base + 3, base + 2], fill: withAlpha(l.color, 0.18) });
      }
    }
    const unitSeconds = this.xUnit.seconds;
    this.chart = createChart(this.chartEl, {
      theme: s.theme,
      xLabel,
      yLabel: 'Value',
      xKind: s.mode === 'wall' ? 'time' : 'number',
      logY: s.logY,
      series: uSeries,
      bands,
      yRange: () => this.yOverride,
      xRange: keepZoom,
      xTicks: s.mode === 'wall' ? undefined : s.mode === 'relative' ? (v) => formatTick(v) : formatTick,
      tooltip: (u) => this.tooltip(u, s.mode, unitSeconds),
    }, data);
  }

  private renderLegend(): void {
    replaceChildren(this.legendEl, this.lines.map((l) => h('span', { title: l.members.join(', ') },
      h('span', { class: l.kind === 'group' ? 'swatch band-swatch' : 'swatch', style: `background:${l.color}` }),
      l.kind === 'group' ? `${l.label}: mean ± std` : l.label)));
  }

  private tooltip(u: uPlot, mode: XMode, unitSeconds: number): Node | null {
    const { left, top } = u.cursor;
    if (left === undefined || top === undefined || left < 0) return null;
    const x = u.posToVal(left, 'x');
    const rows = this.lines.map((l) => {
      const i = nearestIndex(l.xs, x);
      if (i < 0) return null;
      const y = l.smoothed[i]!;
      const px = u.valToPos(l.xs[i]!, 'x');
      const py = Number.isFinite(y) ? u.valToPos(y, 'y') : Number.POSITIVE_INFINITY;
      return { l, i, y, dist: Math.hypot(px - left, py - top) };
    }).filter((r): r is NonNullable<typeof r> => r !== null);
    if (!rows.length) return null;
    rows.sort((a, b) => a.dist - b.dist);
    const xHead = mode === 'step' ? 'Step' : mode === 'relative' ? 'Relative' : 'Time';
    return h('table', null,
      h('thead', null, h('tr', null, h('th', null, 'Run'), h('th', null, 'Smoothed'), h('th', null, 'Value'),
        h('th', null, 'Step'), h('th', null, xHead === 'Step' ? 'Relative' : xHead))),
      h('tbody', null, rows.slice(0, 12).map(({ l, i, y }) => {
        const rel = mode === 'relative' ? l.xs[i]! * unitSeconds : l.walls[i]! - l.walls[0]!;
        const lastCol = mode === 'wall' ? formatWallTime(l.walls[i]!) : formatDuration(rel);
        return h('tr', null,
          h('td', null, h('span', { class: 'swatch', style: `background:${l.color};margin-right:4px` }), l.label),
          h('td', null, formatValue(y)),
          h('td', null, formatValue(l.raw[i]!)),
          h('td', null, Number.isFinite(l.steps[i]!) ? String(l.steps[i]) : '–'),
          h('td', null, lastCol));
      })));
  }

  private download(format: 'csv' | 'json'): void {
    const safe = this.tag.replace(/[^\w.-]+/g, '_');
    if (format === 'csv') {
      const lines = ['run,tag,step,wall_time,value'];
      const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
      for (const r of this.series) {
        for (let i = 0; i < r.steps.length; i++) {
          lines.push(`${q(r.run)},${q(this.tag)},${r.steps[i]},${csvNumber(r.walls[i]!)},${csvNumber(r.values[i]!)}`);
        }
      }
      downloadText(`scalars_${safe}.csv`, `${lines.join('\r\n')}\r\n`, 'text/csv');
    } else {
      const rows = this.series.flatMap((r) => Array.from(r.steps, (step, i) => ({
        run: r.run, tag: this.tag, step, wall_time: jsonNumber(r.walls[i]!), value: jsonNumber(r.values[i]!),
      })));
      downloadText(`scalars_${safe}.json`, JSON.stringify(rows), 'application/json');
    }
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
    this.root.remove();
  }
}
