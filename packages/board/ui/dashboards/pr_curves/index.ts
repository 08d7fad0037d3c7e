/**
 * PR CURVES: a chart per tag with the selected runs overlaid (precision over recall, uPlot's faceted mode since every
 * run has its own recall values), a step slider per card (each run shows its latest step at or before the slider's),
 * and a tooltip with threshold, precision, recall, TP, FP, TN, FN of the points nearest the cursor.
 */
import type { Dashboard, DashboardContext, DashboardView } from '../types.ts';
import { createChart, type Chart, uPlot } from '../../lib/chart.ts';
import { compileFilter, h, replaceChildren } from '../../lib/dom.ts';
import { formatValue } from '../../lib/format.ts';

interface PrEntry {
  wall_time: number; step: number; precision: number[]; recall: number[]; thresholds: number[];
  true_positives: number[]; false_positives: number[]; true_negatives: number[]; false_negatives: number[];
}
type PrTags = Record<string, Record<string, unknown>>;

class PrCard {
  readonly root: HTMLElement;
  private readonly chartEl = h('div', { class: 'chart' });
  private readonly slider: HTMLInputElement;
  private readonly stepLabel = h('span', { class: 'step-label' });
  private readonly legend = h('div', { class: 'legend' });
  private chart: Chart | null = null;
  private shape = '';
  private byRun: Record<string, PrEntry[]> = {};
  private steps: number[] = [];
  private stepIndex = -1;
  private shown: { run: string; entry: PrEntry; color: string }[] = [];

  constructor(readonly tag: string, private readonly color: (run: string) => string, private theme: 'light' | 'dark') {
    this.slider = h('input', { type: 'range', min: '0', max: '0', value: '0', step: '1', 'aria-label': `Step of ${tag}`,
      oninput: () => { this.stepIndex = Number(this.slider.value); this.draw(); } });
    this.root = h('article', { class: 'card pr-card', 'data-tag': tag },
      h('div', { class: 'card-head' }, h('h4', { class: 'card-title' }, tag)),
      h('div', { class: 'step-row' }, this.stepLabel, this.slider),
      this.chartEl, this.legend);
  }

  setData(byRun: Record<string, PrEntry[]>, theme: 'light' | 'dark'): void {
    const atEnd = this.stepIndex < 0 || this.stepIndex >= this.steps.length - 1;
    const prevStep = this.steps[this.stepIndex];
    this.byRun = byRun;
    this.steps = [...new Set(Object.values(byRun).flatMap((es) => es.map((e) => e.step)))].sort((a, b) => a - b);
    const i = prevStep === undefined ? -1 : this.steps.indexOf(prevStep);
    this.stepIndex = atEnd || i < 0 ? this.steps.length - 1 : i;
    this.slider.max = String(Math.max(0, this.steps.length - 1));
    this.slider.value = String(Math.max(0, this.stepIndex));
    this.slider.disabled = this.steps.length <= 1;
    if (theme !== this.theme) { this.theme = theme; this.shape = ''; }
    this.draw();
  }

  private draw(): void {
    const step = this.steps[this.stepIndex];
    this.stepLabel.textContent = step === undefined ? 'no data' : `step ${step} (${this.stepIndex + 1}/${this.steps.length})`;
    this.root.dataset.step = String(step ?? '');
    this.shown = [];
    for (const [run, entries] of Object.entries(this.byRun)) {
      let best: PrEntry | undefined;
      for (const e of entries) if (step !== undefined && e.step <= step && (!best || e.step > best.step)) best = e;
      if (best) this.shown.push({ run, entry: best, color: this.color(run) });
    }
    replaceChildren(this.legend, this.shown.map((s) => h('span', null, h('span', { class: 'swatch', style: `background:${s.color}` }),
      `${s.run}${s.entry.step !== step ? ` (step ${s.entry.step})` : ''}`)));
    const data = [null, ...this.shown.map((s) => [s.entry.recall, s.entry.precision])] as unknown as uPlot.AlignedData;
    const shape = JSON.stringify([this.shown.map((s) => s.run), this.theme]);
    if (this.chart && shape === this.shape) { this.chart.setData(data); return; }
    this.chart?.destroy();
    this.shape = shape;
    this.chart = createChart(this.chartEl, {
      theme: this.theme, xLabel: 'Recall', yLabel: 'Precision', faceted: true, fixedX: [0, 1], yRange: () => [0, 1.02],
      series: this.shown.map((s) => ({ label: s.run, stroke: s.color, width: 1.6, points: { show: false },
        facets: [{ scale: 'x', auto: false }, { scale: 'y', auto: false }] }) as uPlot.Series),
      tooltip: (u) => this.tooltip(u),
      height: 260,
    }, data);
  }

  private tooltip(u: uPlot): Node | null {
    const { left, top } = u.cursor;
    if (left === undefined || top === undefined || left < 0) return null;
    const rows = this.shown.map((s) => {
      let best = -1;
      let dist = Infinity;
      const e = s.entry;
      for (let i = 0; i < e.recall.length; i++) {
        const d = Math.hypot(u.valToPos(e.recall[i]!, 'x') - left, u.valToPos(e.precision[i]!, 'y') - top);
        if (d < dist) { dist = d; best = i; }
      }
      return { s, i: best, dist };
    }).filter((r) => r.i >= 0).sort((a, b) => a.dist - b.dist);
    if (!rows.length) return null;
    const cols = ['Run', 'Threshold', 'Precision', 'Recall', 'TP', 'FP', 'TN', 'FN'];
    return h('table', null,
      h('thead', null, h('tr', null, cols.map((c) => h('th', null, c)))),
      h('tbody', null, rows.map(({ s, i }) => {
        const e = s.entry;
        return h('tr', null,
          h('td', null, h('span', { class: 'swatch', style: `background:${s.color};margin-right:4px` }), s.run),
          h('td', null, formatValue(e.thresholds[i]!)), h('td', null, formatValue(e.precision[i]!)),
          h('td', null, formatValue(e.recall[i]!)), h('td', null, String(e.true_positives[i])),
          h('td', null, String(e.false_positives[i])), h('td', null, String(e.true_negatives[i])),
          h('td', null, String(e.false_negatives[i])));
      })));
  }

  destroy(): void { this.chart?.destroy(); this.root.remove(); }
}

function mount(element: HTMLElement, initial: DashboardContext): DashboardView {
  let ctx = initial;
  let tags: PrTags = {};
  const cards = new Map<string, PrCard>();
  const stale = new Set<string>();
  const note = h('div', { class: 'note' });
  const grid = h('div', { class: 'cards' });
  replaceChildren(element, note, grid);
  let destroyed = false;

  async function render(): Promise<void> {
    const filter = compileFilter(ctx.tagFilter);
    const byTag = new Map<string, string[]>();
    for (const run of ctx.selectedRuns) {
      for (const tag of Object.keys(tags[run] ?? {})) {
        if (!filter.test(tag)) continue;
        byTag.set(tag, [...(byTag.get(tag) ?? []), run]);
      }
    }
    const ordered = [...byTag.keys()].sort((a, b) => a.localeCompare(b));
    for (const [tag, card] of cards) if (!byTag.has(tag)) { card.destroy(); cards.delete(tag); }
    replaceChildren(grid, ordered.map((tag) => {
      let card = cards.get(tag);
      if (!card) { card = new PrCard(tag, ctx.runColor, ctx.theme); cards.set(tag, card); stale.add(tag); }
      return card.root;
    }));
    note.textContent = ordered.length ? '' : ctx.selectedRuns.length ? 'No PR-curve tag of the selected runs matches the tag filter.' : 'No run selected.';
    await Promise.all(ordered.map(async (tag) => {
      const card = cards.get(tag)!;
      const runs = byTag.get(tag)!;
      const shapeKey = `${runs.join('\u0000')}|${ctx.theme}`;
      if (!stale.has(tag) && card.root.dataset.runs === shapeKey) return;
      stale.delete(tag);
      card.root.dataset.runs = shapeKey;
      const q = new URLSearchParams({ tag });
      for (const r of runs) q.append('run', r);
      const data = await ctx.fetchJson<Record<string, PrEntry[]>>(`data/plugin/pr_curves/pr_curves?${q}`);
      if (!destroyed) card.setData(data, ctx.theme);
    }));
  }

  const load = async () => {
    try {
      tags = await ctx.fetchJson<PrTags>('data/plugin/pr_curves/tags');
      await render();
    } catch (e) {
      note.replaceChildren(h('span', { class: 'error' }, `Could not load PR curves: ${(e as Error).message}`));
    }
  };
  void load();
  return {
    update(next, changed) {
      ctx = next;
      const relevant = changed.filter((c) => c.plugin === 'pr_curves' || c.plugin === '*');
      for (const c of relevant) {
        if (c.tag === '*') for (const t of cards.keys()) stale.add(t);
        else stale.add(c.tag);
      }
      if (relevant.length) void load();
      else void render();
    },
    destroy() { destroyed = true; for (const c of cards.values()) c.destroy(); element.textContent = ''; },
  };
}

export const prCurvesDashboard: Dashboard = { id: 'pr_curves', title: 'PR CURVES', plugins: ['pr_curves'], mount };
