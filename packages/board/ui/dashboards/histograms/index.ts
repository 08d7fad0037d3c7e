/**
 * HISTOGRAMS: TensorBoard's histogram dashboard — per run × tag, every sampled step's histogram in the offset
 * (ridge) view with the step on the depth axis, or overlaid on one count axis. Mode in the URL (`histogramMode`).
 */
import { h } from '../../lib/dom.ts';
import type { Dashboard, DashboardContext } from '../types.ts';
import { CardGrid } from './cards.ts';
import { createHistogramChart, type HistogramMode } from './chart.ts';
import { runTagQuery, type HistogramSeries } from './data.ts';
import { rebinSeries } from './rebin.ts';
import './style.css';

const modeOf = (ctx: DashboardContext): HistogramMode => (ctx.getParam('histogramMode') === 'overlay' ? 'overlay' : 'offset');

export const histogramsDashboard: Dashboard = {
  id: 'histograms',
  title: 'HISTOGRAMS',
  plugins: ['histograms'],
  mount(element, initial) {
    let ctx = initial;
    const radios = (['offset', 'overlay'] as const).map((m) =>
      h('label', null,
        h('input', {
          type: 'radio', name: 'histogram-mode', value: m, checked: modeOf(ctx) === m,
          onchange: () => { ctx.setParam('histogramMode', m === 'offset' ? undefined : m); grid.redrawAll(ctx); },
        }),
        m === 'offset' ? 'Offset' : 'Overlay'));
    const controls = h('div', { class: 'dash-controls' }, h('span', { class: 'muted' }, 'Histogram mode'), ...radios);
    const grid = new CardGrid(element, controls, 'histograms', (item, body, c0) => {
      const chart = createHistogramChart(body, c0.runColor(item.run), c0.theme);
      let series: HistogramSeries | null = null;
      return {
        async load(c) {
          series = await c.fetchJson<HistogramSeries>(`data/plugin/histograms/histograms?${runTagQuery(item)}`);
          chart.set(rebinSeries(series), modeOf(c));
        },
        redraw(c) {
          if (series) chart.set(rebinSeries(series), modeOf(c));
        },
        destroy: () => chart.destroy(),
      };
    });
    void grid.update(ctx, []);
    return {
      update(next, changed) {
        ctx = next;
        for (const r of radios) {
          const input = r.querySelector('input')!;
          input.checked = input.value === modeOf(ctx);
        }
        void grid.update(ctx, changed);
      },
      destroy() { grid.destroy(); element.textContent = ''; },
    };
  },
};
