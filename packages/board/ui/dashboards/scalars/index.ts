/**
 * SCALARS: a card per tag (sections by tag prefix, as TensorBoard), a line per selected run, smoothed with
 * TensorBoard's debiased EMA over the faint raw line; x-axis step / relative / wall time, log-scale y, ignore
 * outliers, hover tooltip sorted by nearest, per-card CSV/JSON download, the all-runs export, and run groups drawn as
 * mean ± std bands. Settings live in the URL: `smoothing`, `x`, `logY`, `outliers`, `group`.
 */
import type { Dashboard, DashboardContext, DashboardView } from '../types.ts';
import { compileFilter, h, replaceChildren } from '../../lib/dom.ts';
import { toNumber } from '../../lib/format.ts';
import type { RunSeries, XMode } from './series.ts';
import { ScalarCard, type CardSettings } from './card.ts';

type TagListing = Record<string, Record<string, { displayName: string; description: string }>>;
type Point = [number | string, number, number | string];

/** Cache key of one run × tag. */
const key = (run: string, tag: string) => `${run}\u0000${tag}`;

function parsePoints(run: string, points: Point[]): RunSeries {
  const n = points.length;
  const s: RunSeries = { run, steps: new Float64Array(n), walls: new Float64Array(n), values: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    s.walls[i] = toNumber(p[0]);
    s.steps[i] = p[1];
    s.values[i] = toNumber(p[2]);
  }
  return s;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mount(element: HTMLElement, initial: DashboardContext): DashboardView {
  let ctx = initial;
  let listing: TagListing = {};
  let listingLoaded = false;
  const cache = new Map<string, RunSeries>();
  const stale = new Set<string>();
  const cards = new Map<string, ScalarCard>();
  let generation = 0;
  let lastLayout = '';
  let destroyed = false;

  const param = (name: string, fallback: string) => ctx.getParam(name) ?? fallback;
  const smoothingInput = h('input', {
    type: 'range', min: '0', max: '0.999', step: '0.001', 'aria-label': 'Smoothing', 'data-control': 'smoothing',
    oninput: () => { smoothingValue.textContent = smoothingInput.value; ctx.setParam('smoothing', smoothingInput.value === '0.6' ? undefined : smoothingInput.value); renderCards(); },
  });
  const smoothingValue = h('span', { class: 'value' });
  const xSelect = h('select', {
    'aria-label': 'Horizontal axis', 'data-control': 'x',
    onchange: () => { ctx.setParam('x', xSelect.value === 'step' ? undefined : xSelect.value); renderCards(); },
  }, h('option', { value: 'step' }, 'Step'), h('option', { value: 'relative' }, 'Relative'), h('option', { value: 'wall' }, 'Wall'));
  const logInput = h('input', {
    type: 'checkbox', 'data-control': 'logY',
    onchange: () => { ctx.setParam('logY', logInput.checked ? '1' : undefined); renderCards(); },
  });
  const outlierInput = h('input', {
    type: 'checkbox', 'data-control': 'outliers',
    onchange: () => { ctx.setParam('outliers', outlierInput.checked ? '1' : undefined); renderCards(); },
  });
  const groupInput = h('input', {
    type: 'search', placeholder: 'e.g. seed=\\d+', 'aria-label': 'Group runs by regex', 'data-control': 'group', size: 16,
    oninput: () => { ctx.setParam('group', groupInput.value || undefined); renderCards(); },
  });
  const groupError = h('span', { class: 'filter-error' });
  const exportCsv = h('a', { 'data-control': 'export-csv' }, 'CSV');
  const exportJson = h('a', { 'data-control': 'export-json' }, 'JSON');
  const note = h('div', { class: 'note' });
  const sections = h('div', { class: 'sections' });

  replaceChildren(element,
    h('div', { class: 'dash-controls', role: 'group', 'aria-label': 'Scalar chart settings' },
      h('label', { title: "TensorBoard's debiased exponential moving average" }, 'Smoothing', smoothingInput, smoothingValue),
      h('label', null, 'X axis', xSelect),
      h('label', null, logInput, 'Log-scale y'),
      h('label', null, outlierInput, 'Ignore outliers'),
      h('label', { title: 'Runs whose names match are drawn as one line: mean ± standard deviation. Capture groups name the group; without them the matched part is replaced by *.' },
        'Group runs', groupInput),
      groupError,
      h('span', null, 'Export all: ', exportCsv, ' · ', exportJson)),
    note,
    sections);

  function settings(): CardSettings {
    const g = compileFilter(param('group', ''));
    groupError.textContent = g.error ? `Invalid regex: ${g.error}` : '';
    let group: RegExp | null = null;
    try { group = param('group', '') ? new RegExp(param('group', '')) : null; } catch { group = null; }
    const smoothing = Number(param('smoothing', '0.6'));
    return {
      smoothing: Number.isFinite(smoothing) ? smoothing : 0.6,
      mode: (['step', 'relative', 'wall'].includes(param('x', 'step')) ? param('x', 'step') : 'step') as XMode,
      logY: param('logY', '') === '1',
      outliers: param('outliers', '') === '1',
      group,
      theme: ctx.theme,
      color: ctx.runColor,
    };
  }

  function syncControls(): void {
    const s = settings();
    smoothingInput.value = String(s.smoothing);
    smoothingValue.textContent = String(s.smoothing);
    xSelect.value = s.mode;
    logInput.checked = s.logY;
    outlierInput.checked = s.outliers;
    if (document.activeElement !== groupInput) groupInput.value = param('group', '');
    const runRe = `^(${ctx.selectedRuns.map(escapeRegex).join('|')})$`;
    const q = (format: string) => {
      const p = new URLSearchParams({ plugin: 'scalars', format });
      if (ctx.selectedRuns.length !== ctx.allRuns.length) p.set('run', runRe);
      if (ctx.tagFilter) p.set('tag', ctx.tagFilter);
      return `api/export?${p}`;
    };
    exportCsv.setAttribute('href', q('csv'));
    exportCsv.setAttribute('download', 'scalars.csv');
    exportJson.setAttribute('href', q('json'));
    exportJson.setAttribute('download', 'scalars.json');
  }

  /** Tags to show (filtered) and, per tag, the selected runs that have it. */
  function visibleTags(): Map<string, string[]> {
    const filter = compileFilter(ctx.tagFilter);
    const out = new Map<string, string[]>();
    for (const run of ctx.selectedRuns) {
      for (const tag of Object.keys(listing[run] ?? {})) {
        if (!filter.test(tag)) continue;
        const list = out.get(tag);
        if (list) list.push(run);
        else out.set(tag, [run]);
      }
    }
    return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  async function fetchTag(tag: string, runs: string[]): Promise<void> {
    const missing = runs.filter((r) => !cache.has(key(r, tag)) || stale.has(key(r, tag)));
    if (!missing.length) return;
    for (const r of missing) stale.delete(key(r, tag));
    const form = new FormData();
    form.append('tag', tag);
    for (const r of missing) form.append('runs', r);
    let byRun: Record<string, Point[]>;
    try {
      byRun = await ctx.fetchJson<Record<string, Point[]>>('data/plugin/scalars/scalars_multirun', { method: 'POST', body: form });
    } catch {
      byRun = {};
      await Promise.all(missing.map(async (r) => {
        const q = new URLSearchParams({ run: r, tag });
        byRun[r] = await ctx.fetchJson<Point[]>(`data/plugin/scalars/scalars?${q}`);
      }));
    }
    for (const r of missing) cache.set(key(r, tag), parsePoints(r, byRun[r] ?? []));
  }

  function renderCards(): void {
    if (destroyed) return;
    syncControls();
    const tags = visibleTags();
    const s = settings();
    for (const [tag, card] of cards) {
      if (!tags.has(tag)) { card.destroy(); cards.delete(tag); }
    }
    const bySection = new Map<string, string[]>();
    for (const tag of tags.keys()) {
      const slash = tag.indexOf('/');
      const section = slash > 0 ? tag.slice(0, slash) : '';
      const list = bySection.get(section);
      if (list) list.push(tag);
      else bySection.set(section, [tag]);
    }
    const sectionNames = [...bySection.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
    for (const tag of tags.keys()) if (!cards.has(tag)) cards.set(tag, new ScalarCard(tag));
    // Re-attach the cards only when the layout changed (moving a chart's canvas costs a relayout), and before
    // drawing, so a new chart takes its width from the page.
    const layout = JSON.stringify(sectionNames.map((sec) => [sec, bySection.get(sec)]));
    if (layout !== lastLayout) {
      lastLayout = layout;
      replaceChildren(sections, sectionNames.map((section) => [
        section ? h('h3', { class: 'section-title' }, section) : null,
        h('div', { class: 'cards' }, bySection.get(section)!.map((tag) => cards.get(tag)!.root)),
      ]));
    }
    for (const [tag, runs] of tags) {
      const series = runs.map((r) => cache.get(key(r, tag))).filter((x): x is RunSeries => Boolean(x));
      cards.get(tag)!.render(series, s);
    }
    if (!listingLoaded) note.textContent = 'Loading…';
    else if (!tags.size) {
      note.textContent = ctx.selectedRuns.length
        ? 'No scalar tag of the selected runs matches the tag filter.'
        : 'No run selected: tick runs in the list on the left.';
    } else note.textContent = '';
  }

  async function refresh(): Promise<void> {
    const gen = ++generation;
    const tags = visibleTags();
    renderCards();
    await Promise.all([...tags].map(([tag, runs]) => fetchTag(tag, runs)));
    if (gen === generation && !destroyed) renderCards();
  }

  async function loadListing(): Promise<void> {
    listing = await ctx.fetchJson<TagListing>('data/plugin/scalars/tags');
    listingLoaded = true;
  }

  const loadAll = () => loadListing().then(refresh).catch((e: Error) => {
    note.replaceChildren(h('span', { class: 'error' }, `Could not load scalars: ${e.message}`));
  });
  void loadAll();

  return {
    update(next, changed) {
      ctx = next;
      const relevant = changed.filter((c) => c.plugin === 'scalars' || c.plugin === '*');
      if (!relevant.length) { void refresh(); return; }
      let newTag = false;
      for (const c of relevant) {
        if (c.tag === '*') {
          for (const k of cache.keys()) if (k.startsWith(`${c.run}\u0000`)) stale.add(k);
          newTag = true;
        } else {
          stale.add(key(c.run, c.tag));
          if (!listing[c.run]?.[c.tag]) newTag = true;
        }
      }
      if (newTag) void loadAll();
      else void refresh();
    },
    destroy() {
      destroyed = true;
      for (const card of cards.values()) card.destroy();
      element.textContent = '';
    },
  };
}

export const scalarsDashboard: Dashboard = {
  id: 'scalars',
  title: 'SCALARS',
  plugins: ['scalars'],
  prefetch: ['data/plugin/scalars/tags'],
  mount,
};
