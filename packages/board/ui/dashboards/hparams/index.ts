/**
 * HPARAMS: the sessions of TensorBoard's hparams plugin as a table (hparams and metrics; sortable by clicking a header,
 * filterable by a regex over the row) and as parallel coordinates; a session's name links to the SCALARS of its
 * runs (the session's run, its parent and its children, which is where torch's `add_hparams` and our pipeline put the
 * training curves). URL params: `hpSort` (`column:asc|desc`), `hpFilter`.
 */
import type { Dashboard, DashboardContext, DashboardView } from '../types.ts';
import { compileFilter, h, replaceChildren } from '../../lib/dom.ts';
import { formatValue, toNumber } from '../../lib/format.ts';
import { drawParallel, type Axis } from './parallel.ts';

interface Experiment {
  hparamInfos: { name: string; displayName?: string; type?: string }[];
  metricInfos: { name: { tag: string; group: string }; displayName?: string }[];
}
interface SessionGroup {
  name: string;
  hparams: Record<string, number | string | boolean>;
  metricValues: { name: { tag: string; group: string }; value: number | string; trainingStep?: number }[];
}
interface Column { id: string; label: string; kind: 'hparam' | 'metric'; get(g: SessionGroup): number | string | boolean | undefined }

const STATUSES = ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'];

/** Runs holding a session's curves: the session's own run, its ancestors and its descendants. */
export function relatedRuns(session: string, runs: readonly string[]): string[] {
  return runs.filter((r) => r === session || r.startsWith(`${session}/`) || session.startsWith(`${r}/`));
}

function mount(element: HTMLElement, initial: DashboardContext): DashboardView {
  let ctx = initial;
  let experiment: Experiment | null = null;
  let groups: SessionGroup[] = [];
  let columns: Column[] = [];
  let hot: number | null = null;
  let destroyed = false;

  const filterInput = h('input', { type: 'search', placeholder: 'Filter sessions (regex)', 'aria-label': 'Filter sessions (regular expression)', 'data-control': 'hpFilter',
    oninput: () => { ctx.setParam('hpFilter', filterInput.value || undefined); render(); } });
  const note = h('div', { class: 'note' });
  const table = h('table', { class: 'hp-table' });
  const parallel = h('div', { class: 'parallel' });
  replaceChildren(element,
    h('div', { class: 'dash-controls', role: 'group', 'aria-label': 'Session filter' }, filterInput,
      h('span', { class: 'muted' }, 'Click a column header to sort; a session name opens its runs in SCALARS.')),
    note,
    h('article', { class: 'card' }, h('div', { class: 'card-head' }, h('h4', { class: 'card-title' }, 'Parallel coordinates')), parallel),
    h('article', { class: 'card', style: 'margin-top:12px' },
      h('div', { class: 'card-head' }, h('h4', { class: 'card-title' }, 'Sessions')), h('div', { class: 'hp-table-wrap' }, table)));

  function visibleGroups(): SessionGroup[] {
    const f = compileFilter(ctx.getParam('hpFilter') ?? '');
    const rows = groups.filter((g) => f.test([g.name, ...columns.map((c) => String(c.get(g) ?? ''))].join(' ')));
    const [sortId, dir] = (ctx.getParam('hpSort') ?? '').split(':');
    const col = columns.find((c) => c.id === sortId);
    if (col) {
      const sign = dir === 'desc' ? -1 : 1;
      rows.sort((a, b) => {
        const va = col.get(a);
        const vb = col.get(b);
        if (va === undefined) return 1;
        if (vb === undefined) return -1;
        if (typeof va === 'number' && typeof vb === 'number') return sign * (va - vb);
        return sign * String(va).localeCompare(String(vb));
      });
    }
    return rows;
  }

  /** The colour of the session's training run in SCALARS: its parent run when there is one (torch's add_hparams
   *  and our pipeline write the session into a sub-run), else its own. */
  function sessionColor(name: string): string {
    const parent = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : null;
    const run = parent && ctx.allRuns.includes(parent) ? parent : ctx.allRuns.includes(name) ? name : relatedRuns(name, ctx.allRuns)[0];
    return run ? ctx.runColor(run) : '#888888';
  }

  function render(): void {
    if (destroyed) return;
    if (document.activeElement !== filterInput) filterInput.value = ctx.getParam('hpFilter') ?? '';
    const rows = visibleGroups();
    const [sortId, dir] = (ctx.getParam('hpSort') ?? '').split(':');
    note.textContent = groups.length ? `${rows.length} of ${groups.length} sessions` : 'No hparams sessions.';
    const header = h('tr', null, h('th', { scope: 'col', tabindex: 0, 'aria-sort': sortId === 'name' ? (dir === 'desc' ? 'descending' : 'ascending') : 'none', onclick: () => sortBy('name'), onkeydown: (e: KeyboardEvent) => { if (e.key === 'Enter') sortBy('name'); } }, 'Session', sortId === 'name' ? (dir === 'desc' ? ' ▼' : ' ▲') : ''),
      columns.map((c) => h('th', { scope: 'col', tabindex: 0, 'data-column': c.id,
        'aria-sort': sortId === c.id ? (dir === 'desc' ? 'descending' : 'ascending') : 'none',
        onclick: () => sortBy(c.id), onkeydown: (e: KeyboardEvent) => { if (e.key === 'Enter') sortBy(c.id); } },
      h('span', { class: 'kind' }, c.kind), c.label, sortId === c.id ? (dir === 'desc' ? ' ▼' : ' ▲') : '')));
    const body = rows.map((g, i) => h('tr', { class: hot === i ? 'hot' : '', 'data-session': g.name,
      onmouseenter: () => setHot(i), onmouseleave: () => setHot(null) },
      h('td', null, h('span', { class: 'swatch', style: `background:${sessionColor(g.name)};margin-right:6px` }),
        h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); openRuns(g.name); } }, g.name)),
      columns.map((c) => {
        const v = c.get(g);
        return h('td', null, typeof v === 'number' ? formatValue(v) : v === undefined ? '–' : String(v));
      })));
    replaceChildren(table, h('thead', null, header), h('tbody', null, body));
    drawParallel(parallel,
      [...columns.map((c): Axis => ({ name: c.label, kind: c.kind, values: rows.map((g) => c.get(g)) }))],
      rows.map((g) => sessionColor(g.name)), setHot, hot);
  }

  function setHot(i: number | null): void {
    if (hot === i) return;
    hot = i;
    render();
  }

  function sortBy(id: string): void {
    const [cur, dir] = (ctx.getParam('hpSort') ?? '').split(':');
    ctx.setParam('hpSort', `${id}:${cur === id && dir !== 'desc' ? 'desc' : 'asc'}`);
    render();
  }

  function openRuns(session: string): void {
    const runs = relatedRuns(session, ctx.allRuns);
    ctx.navigate?.('scalars', { run: runs.length ? runs : [session] });
  }

  async function load(): Promise<void> {
    try {
      const post = <T>(route: string, body: unknown) => ctx.fetchJson<T>(`data/plugin/hparams/${route}`, {
        method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
      experiment = await post<Experiment>('experiment', { experimentName: '', hparamsLimit: 1000 });
      const colParams = [
        ...experiment.hparamInfos.map((i) => ({ hparam: i.name, includeInResult: true })),
        ...experiment.metricInfos.map((m) => ({ metric: m.name, includeInResult: true })),
      ];
      const res = await post<{ sessionGroups: SessionGroup[] }>('session_groups', {
        experimentName: '', allowedStatuses: STATUSES, colParams, startIndex: 0, sliceSize: 10000 });
      groups = res.sessionGroups ?? [];
      columns = [
        ...experiment.hparamInfos.map((i): Column => ({ id: `h:${i.name}`, label: i.displayName || i.name, kind: 'hparam',
          get: (g) => { const v = g.hparams[i.name]; return typeof v === 'string' && /^-?(NaN|Infinity)$/.test(v) ? toNumber(v) : v; } })),
        ...experiment.metricInfos.map((m): Column => ({ id: `m:${m.name.group}/${m.name.tag}`, label: m.displayName || m.name.tag, kind: 'metric',
          get: (g) => { const mv = g.metricValues.find((x) => x.name.tag === m.name.tag && x.name.group === m.name.group); return mv ? toNumber(mv.value) : undefined; } })),
      ];
      render();
    } catch (e) {
      note.replaceChildren(h('span', { class: 'error' }, `Could not load hparams: ${(e as Error).message}`));
    }
  }
  void load();
  const resize = new ResizeObserver(() => { if (groups.length) render(); });
  resize.observe(parallel);

  return {
    update(next, changed) {
      ctx = next;
      if (changed.some((c) => c.plugin === 'hparams' || c.plugin === 'scalars' || c.plugin === '*')) void load();
      else render();
    },
    destroy() { destroyed = true; resize.disconnect(); element.textContent = ''; },
  };
}

export const hparamsDashboard: Dashboard = { id: 'hparams', title: 'HPARAMS', plugins: ['hparams'], mount };
