/**
 * TEXT: a card per run × tag listing its (sampled) steps, newest first, each rendered as the server renders it:
 * TensorBoard's text route returns Markdown already turned into sanitised HTML (tables included). The page sanitises
 * it again with DOMPurify before inserting it, so a server bug cannot become script in the page. "Show source"
 * (`textSource=1`) asks the route for the escaped source instead (`markdown=false`).
 */
import DOMPurify from 'dompurify';
import type { Dashboard, DashboardContext, DashboardView } from '../types.ts';
import { compileFilter, h, replaceChildren } from '../../lib/dom.ts';
import { formatWallTime } from '../../lib/format.ts';

interface TextEntry { wall_time: number; step: number; text: string }

function mount(element: HTMLElement, initial: DashboardContext): DashboardView {
  let ctx = initial;
  let tags: Record<string, string[]> = {};
  const cache = new Map<string, TextEntry[]>();
  let destroyed = false;
  const source = h('input', { type: 'checkbox', 'data-control': 'textSource',
    onchange: () => { ctx.setParam('textSource', source.checked ? '1' : undefined); cache.clear(); void render(); } });
  const note = h('div', { class: 'note' });
  const grid = h('div', { class: 'cards' });
  replaceChildren(element,
    h('div', { class: 'dash-controls', role: 'group', 'aria-label': 'Text settings' },
      h('label', null, source, 'Show Markdown source')),
    note, grid);

  function card(run: string, tag: string, entries: TextEntry[]): HTMLElement {
    const newestFirst = [...entries].sort((a, b) => b.step - a.step);
    const jump = h('select', { 'aria-label': `Step of ${tag} in ${run}`,
      onchange: () => body.querySelector(`[data-step="${jump.value}"]`)?.scrollIntoView({ block: 'nearest' }) },
      newestFirst.map((e) => h('option', { value: String(e.step) }, `step ${e.step}`)));
    const body = h('div', { class: 'text-body', style: 'max-height:480px;overflow:auto' },
      newestFirst.map((e) => {
        const content = h('div', { class: 'markdown' });
        content.innerHTML = DOMPurify.sanitize(e.text);
        return h('div', { class: 'text-entry', 'data-step': String(e.step) },
          h('div', { class: 'text-step' }, `step ${e.step} · ${formatWallTime(e.wall_time)}`), content);
      }));
    return h('article', { class: 'card text-card', 'data-run': run, 'data-tag': tag },
      h('div', { class: 'card-head' },
        h('span', { class: 'swatch', style: `background:${ctx.runColor(run)}` }),
        h('h4', { class: 'card-title' }, tag),
        h('span', { class: 'card-sub' }, run, ` · ${entries.length} step${entries.length === 1 ? '' : 's'}`),
        entries.length > 1 ? jump : null),
      body);
  }

  async function render(): Promise<void> {
    source.checked = ctx.getParam('textSource') === '1';
    const markdown = source.checked ? 'false' : 'true';
    const filter = compileFilter(ctx.tagFilter);
    const wanted: [string, string][] = [];
    for (const run of ctx.selectedRuns) for (const tag of [...(tags[run] ?? [])].sort()) if (filter.test(tag)) wanted.push([run, tag]);
    await Promise.all(wanted.map(async ([run, tag]) => {
      const k = `${run}\u0000${tag}`;
      if (cache.has(k)) return;
      const q = new URLSearchParams({ run, tag, markdown });
      cache.set(k, await ctx.fetchJson<TextEntry[]>(`data/plugin/text/text?${q}`));
    }));
    if (destroyed) return;
    replaceChildren(grid, wanted.map(([run, tag]) => card(run, tag, cache.get(`${run}\u0000${tag}`) ?? [])));
    note.textContent = wanted.length ? '' : ctx.selectedRuns.length ? 'No text tag of the selected runs matches the tag filter.' : 'No run selected.';
  }

  const load = async () => {
    try {
      tags = await ctx.fetchJson<Record<string, string[]>>('data/plugin/text/tags');
      await render();
    } catch (e) {
      note.replaceChildren(h('span', { class: 'error' }, `Could not load text: ${(e as Error).message}`));
    }
  };
  void load();
  return {
    update(next, changed) {
      ctx = next;
      const relevant = changed.filter((c) => c.plugin === 'text' || c.plugin === '*');
      for (const c of relevant) for (const k of [...cache.keys()]) if (k.startsWith(`${c.run}\u0000`) && (c.tag === '*' || k.endsWith(`\u0000${c.tag}`))) cache.delete(k);
      if (relevant.length) void load();
      else void render();
    },
    destroy() { destroyed = true; element.textContent = ''; },
  };
}

export const textDashboard: Dashboard = { id: 'text', title: 'TEXT', plugins: ['text'], mount };
