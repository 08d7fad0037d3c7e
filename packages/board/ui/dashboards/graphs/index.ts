/**
 * GRAPHS: the run's GraphDef from `/data/plugin/graphs/graph` (protobuf text format) drawn as TensorBoard draws it —
 * ops grouped into metanodes by name scope, collapsed at first (the one scope holding most ops, torch's `Net`, opens
 * by itself), double-click to expand or collapse, edges labelled with the `_output_shapes` they carry, an info panel
 * for the selected node, zoom/pan/fit, search by name. URL params: `graphRun`, `graphNode` (selected), `graphOpen`.
 */
import { h, replaceChildren } from '../../lib/dom.ts';
import type { Dashboard, DashboardContext } from '../types.ts';
import { readGraphDef } from './graph-def.ts';
import { ancestors, buildHierarchy, initialExpansion, type Hierarchy, type Item } from './hierarchy.ts';
import { renderInfo } from './info.ts';
import { GraphLayout } from './layout.ts';
import { parseTextProto } from './pbtxt.ts';
import { GraphView } from './view.ts';
import './style.css';

interface GraphInfo {
  [run: string]: { run: string; run_graph: boolean; tags: Record<string, unknown> };
}

/** State of one loaded graph. */
interface Loaded {
  run: string;
  hierarchy: Hierarchy;
  layout: GraphLayout;
  expanded: Set<string>;
}

export const graphsDashboard: Dashboard = {
  id: 'graphs',
  title: 'GRAPHS',
  plugins: ['graphs'],
  mount(element, initial) {
    let ctx: DashboardContext = initial;
    let loaded: Loaded | null = null;
    let selected: Item | null = null;
    let matches = new Set<string>();
    let generation = 0;

    const runSelect = h('select', { 'aria-label': 'Run', onchange: () => { ctx.setParam('graphRun', runSelect.value); void load(runSelect.value); } });
    const search = h('input', { type: 'search', class: 'graph-search', placeholder: 'Search nodes (regex)', 'aria-label': 'Search nodes by name', oninput: () => runSearch() });
    const results = h('ul', { class: 'graph-results', hidden: true });
    const status = h('span', { class: 'muted graph-status' });
    const info = h('aside', { class: 'graph-info', 'aria-label': 'Selected node' });
    const view = new GraphView({ select: (item) => selectItem(item, false), toggle: (item) => toggle(item) });
    const note = h('p', { class: 'muted', hidden: true });
    element.replaceChildren(
      h('div', { class: 'dash-controls graph-controls' },
        h('label', null, 'Run', runSelect),
        h('span', { class: 'graph-search-box' }, search, results),
        h('button', { type: 'button', onclick: () => view.fit() }, 'Fit'),
        h('button', { type: 'button', onclick: () => setExpansion('none') }, 'Collapse all'),
        h('button', { type: 'button', onclick: () => setExpansion('initial') }, 'Reset'),
        status),
      note,
      h('div', { class: 'graph-main' }, view.element, info),
    );

    function render(fit: boolean): void {
      if (!loaded) return;
      const scene = loaded.layout.layout(loaded.expanded);
      view.render(scene, selected, matches, fit);
      const s = loaded.layout.stats;
      status.textContent = `${loaded.hierarchy.ops.size} ops · ${s.visibleNodes} shown · layout ${s.dagreMillis.toFixed(0)} ms (${s.dagreRuns} scope${s.dagreRuns === 1 ? '' : 's'})`;
      element.dataset.visibleNodes = String(s.visibleNodes);
      ctx.setParam('graphOpen', [...loaded.expanded].filter((id) => id !== 'g:').map((id) => id.slice(2)).join(',') || undefined);
    }

    function toggle(item: Item): void {
      if (!loaded || item.kind !== 'group') return;
      if (loaded.expanded.has(item.id)) loaded.expanded.delete(item.id);
      else loaded.expanded.add(item.id);
      // Until the user zooms or pans, the whole graph stays in view as blocks open and close (an opened block can
      // grow past the old frame); after that, the block they worked on is kept centred at their zoom.
      const fit = view.isFitted;
      render(fit);
      if (!fit) view.center(item);
    }

    function setExpansion(which: 'none' | 'initial'): void {
      if (!loaded) return;
      loaded.expanded = which === 'none' ? new Set([loaded.hierarchy.root.id]) : initialExpansion(loaded.hierarchy);
      render(true);
    }

    /** Selects an item; `reveal` expands its ancestors and centres it (search, info-panel links), or with `fit` (a
     *  node named in the URL on load) keeps the whole graph in view instead. */
    function selectItem(item: Item | null, reveal: boolean, fit = false): void {
      selected = item;
      ctx.setParam('graphNode', item ? (item.kind === 'op' ? item.def.name : item.path) : undefined);
      if (item && reveal && loaded) {
        let changed = false;
        for (const g of ancestors(item)) if (!loaded.expanded.has(g.id)) { loaded.expanded.add(g.id); changed = true; }
        if (changed) render(fit);
        if (!fit) view.center(item);
      }
      view.highlight(selected, matches);
      replaceChildren(info, ...(item && loaded ? renderInfo(item, loaded.hierarchy, (name) => {
        const target = loaded!.hierarchy.ops.get(name);
        if (target) selectItem(target, true);
      }) : [h('p', { class: 'muted' }, 'Click a node for its op, attributes, inputs and outputs; double-click a block to open it.')]));
    }

    function runSearch(): void {
      results.replaceChildren();
      matches = new Set();
      const q = search.value.trim();
      if (!loaded || q === '') { results.hidden = true; view.highlight(selected, matches); return; }
      let re: RegExp;
      try { re = new RegExp(q, 'i'); } catch { re = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'); }
      const found: Item[] = [];
      for (const g of loaded.hierarchy.groups.values()) if (g.parent && re.test(g.path)) found.push(g);
      for (const o of loaded.hierarchy.ops.values()) if (re.test(o.def.name)) found.push(o);
      for (const f of found) matches.add(f.id);
      view.highlight(selected, matches);
      results.hidden = false;
      results.append(
        h('li', { class: 'muted' }, `${found.length} match${found.length === 1 ? '' : 'es'}`),
        ...found.slice(0, 30).map((f) => h('li', null, h('button', {
          type: 'button', class: 'linklike',
          onclick: () => { results.hidden = true; selectItem(f, true); },
        }, f.kind === 'op' ? f.def.name : `${f.path}/ (${f.opCount})`))));
    }
    search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') (results.querySelector('button') as HTMLButtonElement | null)?.click();
      if (e.key === 'Escape') results.hidden = true;
    });

    async function load(run: string): Promise<void> {
      const mine = ++generation;
      status.textContent = 'loading…';
      const bytes = await ctx.fetchBytes(`data/plugin/graphs/graph?run=${encodeURIComponent(run)}&limit_attr_size=1024&large_attrs_key=_too_large_attrs`);
      const text = new TextDecoder().decode(bytes);
      if (mine !== generation) return;
      const hierarchy = buildHierarchy(readGraphDef(parseTextProto(text)));
      const expanded = initialExpansion(hierarchy);
      const open = ctx.getParam('graphOpen');
      if (open && ctx.getParam('graphRun') === run) for (const p of open.split(',')) if (hierarchy.groups.has(p)) expanded.add(`g:${p}`);
      loaded = { run, hierarchy, layout: new GraphLayout(hierarchy), expanded };
      selected = null;
      render(true);
      const wanted = ctx.getParam('graphNode');
      const item = wanted ? hierarchy.ops.get(wanted) ?? hierarchy.groups.get(wanted) ?? null : null;
      selectItem(item, Boolean(item), true);
      runSearch();
    }

    async function refreshRuns(): Promise<void> {
      const graphInfo = await ctx.fetchJson<GraphInfo>('data/plugin/graphs/info');
      const runs = ctx.selectedRuns.filter((r) => graphInfo[r]?.run_graph);
      runSelect.replaceChildren(...runs.map((r) => h('option', { value: r }, r)));
      note.hidden = runs.length > 0;
      note.textContent = 'No selected run has a graph. Log one with SummaryWriter.addGraph (the train stage does).';
      if (runs.length === 0) return;
      const wanted = ctx.getParam('graphRun');
      const run = wanted && runs.includes(wanted) ? wanted : loaded && runs.includes(loaded.run) ? loaded.run : runs[0]!;
      runSelect.value = run;
      if (!loaded || loaded.run !== run) await load(run);
    }

    void refreshRuns();
    return {
      update(next, changed) {
        ctx = next;
        const graphChanged = loaded && changed.some((c) => c.plugin === 'graphs' && c.run === loaded!.run);
        if (graphChanged) void load(loaded!.run);
        else void refreshRuns();
      },
      destroy() { view.destroy(); element.textContent = ''; },
    };
  },
};
