/**
 * DISTRIBUTIONS: TensorBoard's distribution dashboard — per run × tag, the histogram compressed to nine percentiles
 * (0, 6.68, 15.87, 30.85, 50, 69.15, 84.13, 93.32, 100 %: ±1, 2, 3 σ of a normal, the server's `distributions`
 * route) drawn over steps as nested bands around the median line.
 */
import type uPlot from 'uplot';
import { createChart, type Chart } from '../../lib/chart.ts';
import { withAlpha } from '../../lib/colors.ts';
import { h } from '../../lib/dom.ts';
import { formatValue } from '../../lib/format.ts';
import { CardGrid } from '../histograms/cards.ts';
import { runTagQuery, type DistributionSeries } from '../histograms/data.ts';
import type { Dashboard } from '../types.ts';
import '../histograms/style.css';

/** TensorBoard's basis points, in ten-thousandths. */
export const BASIS_POINTS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000] as const;

/** uPlot data of a `/distributions` response: x = steps, then one series per basis point (in {@link BASIS_POINTS} order). */
export function distributionColumns(series: DistributionSeries): uPlot.AlignedData {
  const steps = series.map(([, step]) => step);
  const columns = BASIS_POINTS.map((_, k) => series.map(([, , points]) => points[k]![1]));
  return [steps, ...columns];
}

export const distributionsDashboard: Dashboard = {
  id: 'distributions',
  title: 'DISTRIBUTIONS',
  plugins: ['distributions', 'histograms'],
  mount(element, initial) {
    let ctx = initial;
    const controls = h('div', { class: 'dash-controls' },
      h('span', { class: 'muted' }, 'Bands: min–max, ±1.5σ (6.68–93.32 %), ±1σ (15.87–84.13 %), ±0.5σ (30.85–69.15 %); line: median'));
    const grid = new CardGrid(element, controls, 'distributions', (item, body, c0) => {
      const color = c0.runColor(item.run);
      let chart: Chart | null = null;
      let series: DistributionSeries = [];
      return {
        async load(c) {
          series = await c.fetchJson<DistributionSeries>(`data/plugin/distributions/distributions?${runTagQuery(item)}`);
          const data = distributionColumns(series);
          if (chart) { chart.setData(data); return; }
          // A single step has no band to fill: its nine values are drawn as markers instead.
          const single = (u: uPlot) => u.data[0].length === 1;
          const hidden = { stroke: withAlpha(color, 0), width: 0, points: { show: single, size: 6, fill: withAlpha(color, 0.6), stroke: color } };
          chart = createChart(body, {
            theme: c.theme,
            xLabel: 'step',
            yLabel: 'value',
            series: BASIS_POINTS.map((bp) => (bp === 5000
              ? { label: 'median', stroke: color, width: 1.5, points: { show: single, size: 9, fill: color, stroke: color } }
              : { label: `${bp / 100}%`, ...hidden })),
            bands: [[9, 1], [8, 2], [7, 3], [6, 4]].map(([hi, lo]) => ({ series: [hi!, lo!] as [number, number], fill: withAlpha(color, 0.22) })),
            tooltip: (u, idx) => {
              if (idx === null || idx === undefined) return null;
              const rows = BASIS_POINTS.map((bp, k) => h('div', null, `${(bp / 100).toFixed(2)} %: `, h('b', null, formatValue(u.data[k + 1]![idx] as number))));
              return h('div', null, h('div', null, `${item.run} · step ${u.data[0]![idx]}`), ...rows.reverse());
            },
          }, data);
        },
        redraw() {},
        destroy: () => chart?.destroy(),
      };
    });
    void grid.update(ctx, []);
    return {
      update(next, changed) { ctx = next; void grid.update(ctx, changed); },
      destroy() { grid.destroy(); element.textContent = ''; },
    };
  },
};
