/**
 * The app shell: tabs (one per dashboard whose plugin has data), the run selector (checkboxes, colour swatches, regex
 * filter), the tag filter, URL state, theme, live updates and the connection banner. Dashboards are mounted on first
 * visit and kept (hidden) afterwards, so switching tabs keeps each one's zoom and sliders.
 */
import { DASHBOARDS } from '../dashboards/index.ts';
import type { Dashboard, DashboardContext, DashboardView } from '../dashboards/types.ts';
import { RunColors } from '../lib/run-colors.ts';
import { compileFilter, h, replaceChildren } from '../lib/dom.ts';
import { connectLive, type SeriesChange } from './live.ts';
import { UrlState } from './url-state.ts';

interface PluginListing {
  [plugin: string]: { enabled: boolean; tab_name?: string };
}

interface Mounted {
  view: DashboardView;
  element: HTMLElement;
  pending: SeriesChange[];
}

/** Fetches a server path relative to the page; throws with the status on HTTP errors. */
async function request(path: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(new URL(path, document.baseURI), init);
  if (!res.ok) {
    let detail = '';
    try { detail = (await res.text()).slice(0, 200); } catch { /* body unreadable */ }
    throw new Error(`${init?.method ?? 'GET'} ${path}: HTTP ${res.status} ${detail}`);
  }
  return res;
}

/** A run name with line-break opportunities after each '/' and '_' (long nested names wrap at their parts). */
function breakable(name: string): (string | HTMLElement)[] {
  return name.split(/(?<=[/_])/).flatMap((part, i) => (i ? [document.createElement('wbr'), part] : [part]));
}

/** Starts the app in `root`. */
export function startApp(root: HTMLElement): void {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  let theme: 'light' | 'dark' = media.matches ? 'dark' : 'light';
  let runs: string[] = [];
  /** Colours by run name, kept for the page's life (a run appearing later never recolours the others). */
  const colors = new RunColors();
  let listing: PluginListing = {};
  let loaded = false;
  let loadError = '';
  const mounted = new Map<string, Mounted>();
  const url = new UrlState(() => render());
  // The first tab's listing requests start with the run list instead of after it (one round trip less to first paint).
  const prefetched = new Map<string, Promise<unknown>>();
  const firstTab = DASHBOARDS.find((d) => d.id === url.get('tab')) ?? DASHBOARDS[0];
  for (const path of firstTab?.prefetch ?? []) {
    const p = request(path).then((r) => r.json());
    p.catch(() => { /* reported when the dashboard asks for it */ });
    prefetched.set(path, p);
  }
  // Only for the first paint: a listing nobody asked for within a few seconds would be stale later.
  setTimeout(() => prefetched.clear(), 5000);

  const tabs = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Dashboards' });
  const status = h('span', { class: 'live-status', title: 'Live updates from the server' });
  const banner = h('div', { class: 'banner', role: 'alert', hidden: true });
  const runFilterInput = h('input', {
    type: 'search', class: 'filter', placeholder: 'Filter runs (regex)', 'aria-label': 'Filter runs (regular expression)',
    value: url.get('runFilter') ?? '',
    oninput: () => { url.set('runFilter', runFilterInput.value); renderRuns(); },
  });
  const runList = h('ul', { class: 'run-list', 'aria-label': 'Runs' });
  const runFilterError = h('div', { class: 'filter-error' });
  const tagFilterInput = h('input', {
    type: 'search', class: 'filter tag-filter', placeholder: 'Filter tags (regex)', 'aria-label': 'Filter tags (regular expression)',
    value: url.get('tagFilter') ?? '',
    oninput: () => { url.set('tagFilter', tagFilterInput.value); updateActive(); },
  });
  const tagFilterError = h('span', { class: 'filter-error' });
  const content = h('div', { class: 'dashboards' });
  const empty = h('div', { class: 'empty-state', hidden: true });

  const setAll = (selected: boolean) => {
    const visible = visibleRuns();
    const current = new Set(selectedRuns());
    for (const r of visible) {
      if (selected) current.add(r);
      else current.delete(r);
    }
    writeSelection(current);
  };

  replaceChildren(root,
    h('header', { class: 'topbar' },
      h('span', { class: 'brand' }, 'tbpipe board'),
      tabs,
      status),
    banner,
    h('div', { class: 'layout' },
      h('aside', { class: 'sidebar' },
        h('h2', null, 'Runs'),
        runFilterInput,
        runFilterError,
        h('div', { class: 'run-toggles' },
          h('button', { type: 'button', onclick: () => setAll(true) }, 'Select all'),
          h('button', { type: 'button', onclick: () => setAll(false) }, 'Select none')),
        runList),
      h('main', { class: 'main' },
        h('div', { class: 'toolbar' }, tagFilterInput, tagFilterError),
        empty,
        content)));

  function visibleRuns(): string[] {
    const f = compileFilter(url.get('runFilter') ?? '');
    return runs.filter((r) => f.test(r));
  }

  /** Selected runs: the `run` params if any were written, else every run; always intersected with the run filter. */
  function selectedRuns(): string[] {
    const explicit = url.has('run') || url.has('noRuns');
    const chosen = new Set(url.getAll('run'));
    const visible = new Set(visibleRuns());
    return runs.filter((r) => visible.has(r) && (!explicit || chosen.has(r)));
  }

  function writeSelection(selected: Set<string>): void {
    const list = runs.filter((r) => selected.has(r));
    if (list.length === runs.length) {
      url.set('run', undefined);
      url.set('noRuns', undefined);
    } else {
      url.set('run', list);
      url.set('noRuns', list.length === 0 ? '1' : undefined);
    }
    renderRuns();
  }

  function runColor(run: string): string {
    return colors.color(run);
  }

  function context(): DashboardContext {
    return {
      selectedRuns: selectedRuns(),
      allRuns: runs,
      runColor,
      tagFilter: url.get('tagFilter') ?? '',
      getParam: (name) => url.get(name),
      setParam: (name, value) => url.set(name, value),
      fetchJson: async <T>(path: string, init?: RequestInit) => {
        const early = init ? undefined : prefetched.get(path);
        if (early) {
          prefetched.delete(path);
          return (await early) as T;
        }
        return (await (await request(path, init)).json()) as T;
      },
      fetchBytes: async (path: string, init?: RequestInit) => (await request(path, init)).arrayBuffer(),
      theme,
      navigate: (tab, params) => {
        url.replaceAll({ ...params, tab }, true);
        runFilterInput.value = '';
        tagFilterInput.value = '';
        render();
      },
    };
  }

  function availableDashboards(): Dashboard[] {
    return DASHBOARDS.filter((d) => d.plugins.some((p) => listing[p]?.enabled));
  }

  function activeDashboard(): Dashboard | undefined {
    const available = availableDashboards();
    const id = url.get('tab');
    return available.find((d) => d.id === id) ?? available[0];
  }

  function renderTabs(active: Dashboard | undefined): void {
    const available = availableDashboards();
    replaceChildren(tabs, available.map((d) => h('button', {
      type: 'button', role: 'tab', class: 'tab', 'data-tab': d.id,
      'aria-selected': d === active ? 'true' : 'false',
      onclick: () => { url.set('tab', d.id, true); render(); },
      onkeydown: (e: KeyboardEvent) => {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        const i = available.indexOf(d) + (e.key === 'ArrowRight' ? 1 : -1);
        const next = available[(i + available.length) % available.length]!;
        url.set('tab', next.id, true);
        render();
        (tabs.querySelector(`[data-tab="${next.id}"]`) as HTMLElement | null)?.focus();
      },
    }, d.title)));
  }

  function renderRuns(): void {
    const f = compileFilter(url.get('runFilter') ?? '');
    runFilterError.textContent = f.error ? `Invalid regex: ${f.error}` : '';
    const selected = new Set(selectedRuns());
    const visible = visibleRuns();
    replaceChildren(runList, visible.map((run) => {
      const id = `run-${runs.indexOf(run)}`;
      return h('li', null,
        h('input', {
          type: 'checkbox', id, checked: selected.has(run), 'data-run': run,
          onchange: (e: Event) => {
            const next = new Set(selectedRuns());
            if ((e.target as HTMLInputElement).checked) next.add(run);
            else next.delete(run);
            writeSelection(next);
          },
        }),
        h('label', { for: id, title: run },
          h('span', { class: 'swatch', style: `background:${runColor(run)}` }),
          h('span', { class: 'run-name' }, breakable(run))));
    }));
    if (runs.length && !visible.length) runList.appendChild(h('li', { class: 'muted' }, 'No run matches the filter.'));
    updateActive();
  }

  function updateActive(changes: SeriesChange[] = []): void {
    const f = compileFilter(url.get('tagFilter') ?? '');
    tagFilterError.textContent = f.error ? `Invalid regex: ${f.error}` : '';
    const active = activeDashboard();
    for (const [id, m] of mounted) {
      if (active && id === active.id) {
        const batch = [...m.pending, ...changes];
        m.pending = [];
        m.view.update(context(), batch);
      } else {
        m.pending.push(...changes);
      }
    }
  }

  function render(): void {
    runFilterInput.value = url.get('runFilter') ?? '';
    tagFilterInput.value = url.get('tagFilter') ?? '';
    const active = activeDashboard();
    renderTabs(active);
    document.title = active ? `${active.title} – tbpipe board` : 'tbpipe board';
    const noData = loaded && (runs.length === 0 || !active);
    empty.hidden = !noData && !loadError;
    if (loadError) {
      replaceChildren(empty, h('h2', null, 'Cannot reach the board server'), h('p', null, loadError));
    } else if (noData) {
      replaceChildren(empty,
        h('h2', null, runs.length === 0 ? 'No runs in this logdir yet' : 'No dashboard has data yet'),
        h('p', null, 'A run is a directory holding TensorBoard event files (', h('code', null, '*tfevents*'), '). Make one with the pipeline:'),
        h('pre', null, 'npx nx run pipeline:all'),
        h('p', null, 'or point the board at another logdir: ', h('code', null, 'npx tbpipe-board --logdir <dir>'),
          '. New runs appear here by themselves.'));
    }
    for (const [id, m] of mounted) m.element.hidden = !active || id !== active.id;
    if (active && !noData && !mounted.has(active.id)) {
      const element = h('section', { class: 'dashboard', 'data-dashboard': active.id, role: 'tabpanel' });
      content.appendChild(element);
      mounted.set(active.id, { view: active.mount(element, context()), element, pending: [] });
    }
    renderRuns();
  }

  async function loadRunsAndListing(): Promise<void> {
    try {
      const [r, l] = await Promise.all([
        request('data/runs').then((x) => x.json() as Promise<string[]>),
        request('data/plugins_listing').then((x) => x.json() as Promise<PluginListing>),
      ]);
      runs = r;
      colors.assign(runs);
      listing = l;
      loadError = '';
    } catch (e) {
      loadError = (e as Error).message;
    }
    loaded = true;
  }

  media.addEventListener('change', () => {
    theme = media.matches ? 'dark' : 'light';
    document.documentElement.dataset.theme = theme;
    updateActive();
  });
  document.documentElement.dataset.theme = theme;

  void loadRunsAndListing().then(render);

  let listingTimer: ReturnType<typeof setTimeout> | null = null;
  const liveHandle = connectLive('api/events', {
    onChanges: (changes) => {
      const known = new Set(runs);
      const newRun = changes.some((c) => !known.has(c.run));
      const newPlugin = changes.some((c) => !listing[c.plugin]?.enabled);
      if (newRun || newPlugin) {
        void loadRunsAndListing().then(() => { render(); updateActive(changes); });
      } else {
        updateActive(changes);
      }
    },
    onRuns: () => {
      void loadRunsAndListing().then(render);
    },
    onConnection: (connected, recovered) => {
      status.classList.toggle('live', connected);
      status.textContent = connected ? '● live' : '○ offline';
      banner.hidden = connected;
      if (!connected) {
        replaceChildren(banner, 'Lost the connection to the board server. Reconnecting… ',
          h('button', { type: 'button', onclick: () => liveHandle.reconnect() }, 'Reconnect now'));
      }
      if (recovered) {
        if (listingTimer) clearTimeout(listingTimer);
        listingTimer = setTimeout(() => {
          void loadRunsAndListing().then(() => {
            render();
            // Unknown what changed while away: tell every dashboard that everything may have.
            updateActive(runs.map((run) => ({ run, plugin: '*', tag: '*', lastStep: -1 })));
          });
        }, 100);
      }
    },
  });
}
