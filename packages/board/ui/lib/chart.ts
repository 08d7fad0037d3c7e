/**
 * A thin uPlot wrapper shared by the dashboards: theme-coloured axes with unit labels, a size that follows the
 * container, an optional HTML tooltip, and drag-to-zoom that remembers whether the user zoomed (so live updates keep
 * the user's zoom and otherwise follow the data). The uPlot instance is exposed on the container element as
 * `__uplot` for tests and benchmarks, which read the plotted data from it.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartTheme } from './colors.ts';
import { formatTick } from './format.ts';

export { uPlot };

/** Options of {@link createChart}. */
export interface ChartOptions {
  theme: 'light' | 'dark';
  xLabel: string;
  yLabel: string;
  /** 'time' = x in seconds since the epoch (uPlot's time axis). */
  xKind?: 'number' | 'time';
  logY?: boolean;
  /** uPlot series after the x series. */
  series: uPlot.Series[];
  bands?: uPlot.Band[];
  /** Y range override, asked at every redraw (e.g. "ignore outliers"); null = uPlot's range from the data. */
  yRange?: () => [number, number] | null;
  /** Fixed x range (e.g. the user's zoom); null = from the data. */
  xRange?: [number, number] | null;
  /** Fixed x range that is not a zoom (e.g. recall in [0, 1]). */
  fixedX?: [number, number];
  /** uPlot's mode 2 (every series has its own x values), for PR curves. */
  faceted?: boolean;
  /** HTML of the hover tooltip for the cursor at data index `idx` (aligned mode) or null to hide it. */
  tooltip?: (u: uPlot, idx: number | null) => Node | null;
  /** X tick formatter (defaults to compact numbers / uPlot's time format). */
  xTicks?: (v: number) => string;
  height?: number;
}

/** A chart in a container. */
export interface Chart {
  plot: uPlot;
  /** True once the user dragged a zoom box (until double-click resets). */
  readonly zoomed: boolean;
  /** Current x range when zoomed, else null. */
  zoomRange(): [number, number] | null;
  setData(data: uPlot.AlignedData): void;
  destroy(): void;
}

/** Axis settings with theme colours and a unit label. */
export function themedAxis(theme: 'light' | 'dark', label: string, ticks?: (v: number) => string): uPlot.Axis {
  const c = chartTheme(theme);
  return {
    label,
    stroke: c.axis,
    labelSize: 18,
    labelFont: '12px system-ui, sans-serif',
    font: '11px system-ui, sans-serif',
    grid: { stroke: c.grid, width: 1 },
    ticks: { stroke: c.grid, width: 1 },
    size: 48,
    ...(ticks ? { values: (_u: uPlot, splits: number[]) => splits.map((v) => (v === null ? '' : ticks(v))) } : {}),
  };
}

function yRange(get: () => [number, number] | null, log: boolean): uPlot.Range.Function {
  return (_u, min, max) => {
    const fixed = get();
    if (fixed) return fixed;
    // No data yet: a log axis over [0, 1] would need infinitely many decades.
    if (min === null || max === null || (log && !(min > 0))) return log ? [1, 10] : [0, 1];
    return log ? uPlot.rangeLog(min, max, 10, true) : uPlot.rangeNum(min, max, 0.1, true);
  };
}

/** Creates a uPlot chart filling `container`'s width. */
export function createChart(container: HTMLElement, options: ChartOptions, data: uPlot.AlignedData): Chart {
  let zoomed = false;
  let tip: HTMLDivElement | null = null;
  const height = options.height ?? 240;
  const width = Math.max(200, container.clientWidth || 400);
  const xTicks = options.xTicks ?? (options.xKind === 'time' ? undefined : formatTick);
  const plugins: uPlot.Plugin[] = [];
  if (options.tooltip) {
    const render = options.tooltip;
    plugins.push({
      hooks: {
        init: (u) => {
          tip = document.createElement('div');
          tip.className = 'chart-tooltip';
          tip.style.display = 'none';
          u.over.appendChild(tip);
          u.over.addEventListener('mouseleave', () => { if (tip) tip.style.display = 'none'; });
        },
        setCursor: (u) => {
          if (!tip) return;
          const { left, top, idx } = u.cursor;
          if (left === undefined || left < 0 || top === undefined) { tip.style.display = 'none'; return; }
          const content = render(u, idx ?? null);
          if (!content) { tip.style.display = 'none'; return; }
          tip.replaceChildren(content);
          tip.style.display = 'block';
          // Beside the cursor, on whichever side has room, kept inside the window (it may overhang the plot).
          const rect = u.over.getBoundingClientRect();
          const tipW = tip.offsetWidth;
          const right = left + 14;
          const leftSide = left - tipW - 14;
          let x = rect.left + right + tipW <= window.innerWidth - 8 ? right : leftSide;
          x = Math.max(8 - rect.left, Math.min(x, window.innerWidth - 8 - rect.left - tipW));
          tip.style.left = `${x}px`;
          tip.style.top = `${Math.max(0, Math.min(top + 12, u.over.clientHeight - tip.offsetHeight))}px`;
        },
      },
    });
  }
  const opts: uPlot.Options = {
    width,
    height,
    mode: options.faceted ? 2 : 1,
    legend: { show: false },
    cursor: {
      drag: { x: true, y: Boolean(options.faceted), setScale: true },
      points: { size: 6 },
      focus: { prox: 16 },
    },
    focus: { alpha: 0.35 },
    scales: {
      x: {
        time: options.xKind === 'time',
        ...(options.faceted ? { auto: true } : {}),
        ...(options.xRange || options.fixedX ? { range: () => (options.xRange ?? options.fixedX) as [number, number] } : {}),
      },
      y: {
        distr: options.logY ? 3 : 1,
        ...(options.yRange ? { range: yRange(options.yRange, Boolean(options.logY)) } : {}),
      },
    },
    axes: [themedAxis(options.theme, options.xLabel, xTicks), themedAxis(options.theme, options.yLabel, formatTick)],
    series: [options.faceted ? {} : { label: options.xLabel }, ...options.series],
    bands: options.bands,
    plugins,
    hooks: {
      setSelect: [(u) => { if (u.select.width > 4) zoomed = true; }],
    },
  };
  const plot = new uPlot(opts, data, container);
  (container as HTMLElement & { __uplot?: uPlot }).__uplot = plot;
  plot.over.addEventListener('dblclick', () => { zoomed = false; });
  if (options.xRange) zoomed = true;
  const observer = new ResizeObserver(() => {
    const w = container.clientWidth;
    if (w > 0 && Math.abs(w - plot.width) > 1) plot.setSize({ width: w, height });
  });
  observer.observe(container);
  return {
    plot,
    get zoomed() { return zoomed; },
    zoomRange: () => (zoomed && plot.scales.x!.min !== undefined && plot.scales.x!.max !== undefined
      ? [plot.scales.x!.min!, plot.scales.x!.max!] : null),
    setData(next) {
      if (zoomed) {
        const range = [plot.scales.x!.min!, plot.scales.x!.max!] as const;
        plot.setData(next, false);
        plot.setScale('x', { min: range[0], max: range[1] });
      } else {
        plot.setData(next);
      }
    },
    destroy() {
      observer.disconnect();
      plot.destroy();
      delete (container as HTMLElement & { __uplot?: uPlot }).__uplot;
    },
  };
}
