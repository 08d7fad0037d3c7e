/**
 * PROJECTOR: every embedding of the run's `projector_config.pbtxt` in a WebGL scatter (three.js). Tensors 2 or 3
 * wide (our precomputed PCA/UMAP layouts) are shown as they are; wider ones get PCA in a Web Worker, with the share
 * of variance each component explains. Colour by any metadata column (legend), sprite thumbnails, hover tooltip
 * with the metadata row and thumbnail, regex search, click → k nearest neighbours in the original space.
 * UMAP on demand (umap-js in a worker). URL params: `projRun`, `projEmbedding`, `projColor`, `projDims`, `projMethod`.
 */
import { h, replaceChildren } from '../../lib/dom.ts';
import { formatValue } from '../../lib/format.ts';
import type { Dashboard, DashboardContext } from '../types.ts';
import { colorBy, type Coloring } from './colors.ts';
import { fetchEmbedding, fetchEmbeddings, fetchProjectorRuns, type Embedding, type EmbeddingInfo } from './data.ts';
import { nearestNeighbors, type Metric, type Neighbor } from './knn.ts';
import { runPca } from './pca.ts';
import type { Scatter } from './scatter.ts';
import './style.css';

/** What tests and the fps bench read from the dashboard element (`element.__projector`). */
export interface ProjectorProbe {
  scatter: Scatter | null;
  embedding: Embedding | null;
  neighbors: Neighbor[];
  selected: number;
  legend: Coloring['legend'];
  ready: boolean;
}

/** Positions centred and scaled into [-1, 1]. */
function normalize(positions: Float32Array, dims: number): Float32Array {
  const rows = positions.length / dims;
  const out = new Float32Array(positions.length);
  const mean = new Array<number>(dims).fill(0);
  for (let i = 0; i < rows; i++) for (let c = 0; c < dims; c++) mean[c]! += positions[i * dims + c]!;
  for (let c = 0; c < dims; c++) mean[c]! /= Math.max(1, rows);
  let max = 0;
  for (let i = 0; i < positions.length; i++) max = Math.max(max, Math.abs(positions[i]! - mean[i % dims]!));
  for (let i = 0; i < positions.length; i++) out[i] = (positions[i]! - mean[i % dims]!) / (max || 1);
  return out;
}

export const projectorDashboard: Dashboard = {
  id: 'projector',
  title: 'PROJECTOR',
  plugins: ['projector'],
  mount(element, initial) {
    let ctx: DashboardContext = initial;
    let runs: string[] = [];
    let embeddings: EmbeddingInfo[] = [];
    let run = '';
    let embedding: Embedding | null = null;
    let projected: { positions: Float32Array; dims: number; explained: number[] | null } | null = null;
    let coloring: Coloring = { colors: new Float32Array(0), legend: [], kind: 'none' };
    let selected = -1;
    let neighbors: Neighbor[] = [];
    let matches: Uint8Array | null = null;
    let generation = 0;
    const probe: ProjectorProbe = { scatter: null, embedding: null, neighbors: [], selected: -1, legend: [], ready: false };
    (element as HTMLElement & { __projector?: ProjectorProbe }).__projector = probe;

    const runSelect = h('select', { 'aria-label': 'Run', onchange: () => { ctx.setParam('projRun', runSelect.value); void loadRun(runSelect.value); } });
    const embSelect = h('select', { 'aria-label': 'Embedding', onchange: () => { ctx.setParam('projEmbedding', embSelect.value); void loadEmbedding(); } });
    const dimsSelect = h('select', { 'aria-label': 'Dimensions', onchange: () => { ctx.setParam('projDims', dimsSelect.value); void project(); } },
      h('option', { value: '3' }, '3-D'), h('option', { value: '2' }, '2-D'));
    const methodSelect = h('select', { 'aria-label': 'Projection', onchange: () => { ctx.setParam('projMethod', methodSelect.value === 'pca' ? undefined : methodSelect.value); void project(); } },
      h('option', { value: 'pca' }, 'PCA'), h('option', { value: 'umap' }, 'UMAP'));
    const colorSelect = h('select', { 'aria-label': 'Colour by', onchange: () => { ctx.setParam('projColor', colorSelect.value || undefined); restyle(true); } });
    const spriteToggle = h('input', { type: 'checkbox', checked: true, onchange: () => { scatter?.setSpriteMode(spriteToggle.checked); updateProbe(); } });
    const spriteLabel = h('label', null, spriteToggle, 'Thumbnails');
    const rotateToggle = h('input', { type: 'checkbox', onchange: () => scatter?.setAutoRotate(rotateToggle.checked) });
    const searchInput = h('input', { type: 'search', placeholder: 'Search metadata (regex)', 'aria-label': 'Search metadata', class: 'proj-search', oninput: () => { runSearch(); restyle(false); } });
    const searchColumn = h('select', { 'aria-label': 'Search column', onchange: () => { runSearch(); restyle(false); } });
    const kInput = h('input', { type: 'number', min: '1', max: '100', value: '10', class: 'proj-k', 'aria-label': 'Neighbours', onchange: () => select(selected) });
    const metricSelect = h('select', { 'aria-label': 'Distance', onchange: () => select(selected) },
      h('option', { value: 'cosine' }, 'cosine'), h('option', { value: 'euclidean' }, 'euclidean'));
    const projectionInfo = h('div', { class: 'proj-projection muted' });
    const status = h('span', { class: 'muted proj-status' });
    const legendEl = h('ul', { class: 'proj-legend', 'aria-label': 'Legend' });
    const searchInfo = h('div', { class: 'muted proj-search-info' });
    const selectionEl = h('div', { class: 'proj-selection' });
    const tooltip = h('div', { class: 'proj-tooltip', hidden: true });
    const stage = h('div', { class: 'proj-stage' }, tooltip);
    const note = h('p', { class: 'muted', hidden: true });
    // three.js (~540 kB minified) loads with this tab only: the bundle splits dynamic imports into chunks.
    let scatter: Scatter | null = null;
    const ready = import('./scatter.ts').then((m) => {
      scatter = new m.Scatter(stage);
      probe.scatter = scatter;
      bindPointer(scatter);
    });

    element.replaceChildren(
      h('div', { class: 'dash-controls proj-controls' },
        h('label', null, 'Run', runSelect),
        h('label', null, 'Embedding', embSelect),
        h('label', null, 'Projection', methodSelect),
        h('label', null, 'View', dimsSelect),
        h('label', null, 'Colour by', colorSelect),
        spriteLabel,
        h('label', null, rotateToggle, 'Rotate'),
        status),
      note,
      h('div', { class: 'proj-main' },
        stage,
        h('aside', { class: 'proj-side' },
          projectionInfo,
          h('h4', null, 'Search'),
          h('div', { class: 'proj-search-row' }, searchInput, searchColumn),
          searchInfo,
          h('h4', null, 'Legend'),
          legendEl,
          h('h4', null, 'Nearest neighbours'),
          h('div', { class: 'proj-knn-row' }, h('label', null, 'k', kInput), h('label', null, 'distance', metricSelect)),
          selectionEl)),
    );

    function updateProbe(): void {
      probe.embedding = embedding;
      probe.neighbors = neighbors;
      probe.selected = selected;
      probe.legend = coloring.legend;
      element.dataset.points = String(embedding?.rows ?? 0);
      element.dataset.sprites = String(embedding?.sprite && scatter?.spriteMode ? embedding.rows : 0);
    }

    const column = (name: string) => {
      if (!embedding) return undefined;
      const k = embedding.metadata.columns.indexOf(name);
      return k >= 0 ? embedding.metadata.values[k] : undefined;
    };

    function runSearch(): void {
      const q = searchInput.value;
      if (!embedding || q === '') { matches = null; searchInfo.textContent = ''; return; }
      let re: RegExp;
      try { re = new RegExp(q, 'i'); } catch (e) { matches = null; searchInfo.textContent = (e as Error).message; return; }
      const values = column(searchColumn.value) ?? [];
      matches = new Uint8Array(embedding.rows);
      let n = 0;
      values.forEach((v, i) => { if (re.test(v)) { matches![i] = 1; n++; } });
      searchInfo.textContent = `${n} of ${embedding.rows} points match`;
    }

    /** Colours (when `recolor`) and emphasis from the colour column, search matches and the selection. */
    function restyle(recolor: boolean): void {
      if (!embedding) return;
      if (recolor) {
        coloring = colorBy(column(colorSelect.value), embedding.rows);
        legendEl.replaceChildren(...coloring.legend.map((e) => h('li', null,
          h('span', { class: 'swatch', style: `background:${e.color}` }), h('span', { class: 'proj-legend-label' }, e.label),
          e.count ? h('span', { class: 'muted' }, ` ${e.count}`) : null)));
        if (coloring.legend.length === 0) legendEl.replaceChildren(h('li', { class: 'muted' }, 'no colour column'));
      }
      const emphasis = new Uint8Array(embedding.rows).fill(1);
      if (matches) for (let i = 0; i < emphasis.length; i++) emphasis[i] = matches[i] ? 2 : 0;
      if (selected >= 0) {
        emphasis.fill(0);
        emphasis[selected] = 2;
        for (const n of neighbors) emphasis[n.index] = 2;
      }
      scatter?.setStyle(coloring.colors, emphasis);
      updateProbe();
    }

    function rowText(i: number): HTMLElement {
      const m = embedding!.metadata;
      return h('div', { class: 'proj-row' }, m.columns.length === 0 ? `point ${i}` : m.columns.map((c, k) => h('div', null, h('span', { class: 'muted' }, `${c}: `), m.values[k]![i]!)));
    }

    function thumbnail(i: number, size = 56): HTMLElement | null {
      const s = embedding?.info.sprite;
      if (!s || !embedding!.sprite) return null;
      const [ch, cw] = s.singleImageDim;
      const perRow = Math.round(embedding!.sprite.naturalWidth / cw);
      const scale = size / cw;
      return h('div', {
        class: 'proj-thumb',
        style: `width:${size}px;height:${(ch * scale).toFixed(0)}px;background-image:url(${embedding!.sprite.src});background-size:${embedding!.sprite.naturalWidth * scale}px ${embedding!.sprite.naturalHeight * scale}px;background-position:-${(i % perRow) * cw * scale}px -${Math.floor(i / perRow) * ch * scale}px`,
      });
    }

    function select(i: number): void {
      selected = i;
      if (!embedding || i < 0) {
        neighbors = [];
        replaceChildren(selectionEl, h('p', { class: 'muted' }, 'Click a point to list its nearest neighbours in the original space.'));
        restyle(false);
        return;
      }
      const k = Math.max(1, Math.min(100, Number(kInput.value) || 10));
      neighbors = nearestNeighbors(embedding.vectors, embedding.dim, i, k, metricSelect.value as Metric);
      const label = (j: number) => embedding!.metadata.values[0]?.[j] ?? `point ${j}`;
      replaceChildren(selectionEl,
        h('div', { class: 'proj-selected' }, thumbnail(i, 40), h('div', null, h('b', null, `#${i}`), rowText(i)),
          h('button', { type: 'button', onclick: () => select(-1) }, 'Clear')),
        h('ol', { class: 'proj-neighbors' }, neighbors.map((n) => h('li', { 'data-index': String(n.index) },
          h('button', { type: 'button', class: 'linklike', onclick: () => select(n.index) }, `#${n.index} ${label(n.index)}`),
          h('span', { class: 'muted' }, ` ${formatValue(n.distance)}`)))));
      restyle(false);
    }

    async function project(): Promise<void> {
      if (!embedding) return;
      const mine = ++generation;
      const wanted = dimsSelect.value === '2' ? 2 : 3;
      if (embedding.dim <= 3) {
        const dims = Math.min(embedding.dim, wanted) as 2 | 3;
        let positions = embedding.vectors;
        if (dims !== embedding.dim) positions = Float32Array.from({ length: embedding.rows * dims }, (_, t) => embedding!.vectors[Math.floor(t / dims) * embedding!.dim + (t % dims)]!);
        projected = { positions, dims: Math.max(2, dims), explained: null };
        projectionInfo.textContent = `${embedding.rows} points × ${embedding.dim} dims, shown as they are (a precomputed layout).`;
      } else if (methodSelect.value === 'umap') {
        const info = (text: string) => { projectionInfo.textContent = text; };
        info(`UMAP of ${embedding.rows} × ${embedding.dim} in a worker…`);
        const { runUmap } = await import('./umap.ts');
        const positions = await runUmap(embedding.vectors, embedding.rows, embedding.dim, {
          nComponents: wanted,
          onProgress: (epoch, epochs) => { if (mine === generation) info(`UMAP of ${embedding!.rows} × ${embedding!.dim}: epoch ${epoch} of ${epochs}…`); },
        });
        if (mine !== generation) return;
        projected = { positions, dims: wanted, explained: null };
        info(`UMAP of ${embedding.rows} × ${embedding.dim} (umap-js, 15 neighbours, min_dist 0.1, seed 0), computed in a worker.`);
      } else {
        projectionInfo.textContent = `PCA of ${embedding.rows} × ${embedding.dim} in a worker…`;
        const result = await runPca(embedding.vectors, embedding.rows, embedding.dim, wanted);
        if (mine !== generation) return;
        projected = { positions: result.positions, dims: wanted, explained: result.explained };
        const pct = result.explained.map((v) => `${(v * 100).toFixed(1)} %`);
        projectionInfo.textContent = `PCA of ${embedding.rows} × ${embedding.dim}: components explain ${pct.join(', ')} of the variance (${(result.explained.reduce((a, b) => a + b, 0) * 100).toFixed(1)} % in total).`;
      }
      const bg = getComputedStyle(document.documentElement).getPropertyValue('--card').trim() || (ctx.theme === 'dark' ? '#202124' : '#ffffff');
      if (!scatter) return;
      scatter.setData({
        dims: projected.dims as 2 | 3,
        positions: normalize(projected.positions, projected.dims),
        sprite: embedding.sprite && embedding.info.sprite ? { image: embedding.sprite, cell: embedding.info.sprite.singleImageDim } : null,
        background: bg,
      });
      scatter.setSpriteMode(spriteToggle.checked && embedding.sprite !== null);
      scatter.setAutoRotate(rotateToggle.checked);
      restyle(true);
      probe.ready = true;
      element.dataset.ready = 'true';
    }

    async function loadEmbedding(): Promise<void> {
      const info = embeddings.find((e) => e.tensorName === embSelect.value);
      if (!info) return;
      const mine = ++generation;
      probe.ready = false;
      element.dataset.ready = 'false';
      status.textContent = `loading ${info.tensorName}…`;
      const loaded = await fetchEmbedding(ctx, run, info);
      if (mine !== generation) return;
      embedding = loaded;
      selected = -1;
      neighbors = [];
      const cols = embedding.metadata.columns;
      const wantedColor = ctx.getParam('projColor');
      colorSelect.replaceChildren(h('option', { value: '' }, '(none)'), ...cols.map((c) => h('option', { value: c }, c)));
      colorSelect.value = wantedColor && cols.includes(wantedColor) ? wantedColor : cols.includes('label') ? 'label' : cols[0] ?? '';
      searchColumn.replaceChildren(...cols.map((c) => h('option', { value: c }, c)));
      spriteLabel.style.display = embedding.sprite === null ? 'none' : '';
      dimsSelect.disabled = embedding.dim < 3;
      methodSelect.disabled = embedding.dim <= 3;
      status.textContent = `${embedding.rows} points × ${embedding.dim}${embedding.sprite ? ', with sprite' : ''}`;
      runSearch();
      select(-1);
      await project();
    }

    async function loadRun(name: string): Promise<void> {
      run = name;
      embeddings = await fetchEmbeddings(ctx, run);
      embSelect.replaceChildren(...embeddings.map((e) => h('option', { value: e.tensorName }, `${e.tensorName} (${e.tensorShape?.join(' × ') ?? '?'})`)));
      const wanted = ctx.getParam('projEmbedding');
      embSelect.value = wanted && embeddings.some((e) => e.tensorName === wanted) ? wanted : embeddings[0]?.tensorName ?? '';
      await loadEmbedding();
    }

    async function refreshRuns(): Promise<void> {
      const all = await fetchProjectorRuns(ctx);
      runs = ctx.selectedRuns.filter((r) => all.includes(r));
      runSelect.replaceChildren(...runs.map((r) => h('option', { value: r }, r)));
      note.hidden = runs.length > 0;
      note.textContent = 'No selected run has projector data (projector_config.pbtxt). The project stage writes eight embeddings.';
      if (runs.length === 0) return;
      const wanted = ctx.getParam('projRun');
      const next = wanted && runs.includes(wanted) ? wanted : runs.includes(run) ? run : runs[0]!;
      runSelect.value = next;
      if (next !== run) await loadRun(next);
    }

    /** Hover tooltip and click selection (picking on the CPU, one pass per animation frame). */
    function bindPointer(sc: Scatter): void {
      let hoverFrame = 0;
      let downAt: { x: number; y: number } | null = null;
      sc.canvas.addEventListener('pointermove', (e) => {
        if (hoverFrame) return;
        hoverFrame = requestAnimationFrame(() => {
          hoverFrame = 0;
          const i = embedding ? sc.pick(e.clientX, e.clientY) : -1;
          if (i < 0) { tooltip.hidden = true; return; }
          replaceChildren(tooltip, thumbnail(i), h('div', null, h('b', null, `#${i}`), rowText(i)));
          tooltip.hidden = false;
          const r = stage.getBoundingClientRect();
          tooltip.style.left = `${Math.min(e.clientX - r.left + 14, r.width - tooltip.offsetWidth - 4)}px`;
          tooltip.style.top = `${Math.min(e.clientY - r.top + 14, r.height - tooltip.offsetHeight - 4)}px`;
        });
      });
      sc.canvas.addEventListener('pointerleave', () => { tooltip.hidden = true; });
      sc.canvas.addEventListener('pointerdown', (e) => { downAt = { x: e.clientX, y: e.clientY }; });
      sc.canvas.addEventListener('pointerup', (e) => {
        if (!downAt || Math.hypot(e.clientX - downAt.x, e.clientY - downAt.y) > 4) return;
        downAt = null;
        const i = sc.pick(e.clientX, e.clientY);
        select(i >= 0 ? i : -1);
      });
    }

    const wantedDims = ctx.getParam('projDims');
    if (wantedDims === '2') dimsSelect.value = '2';
    if (ctx.getParam('projMethod') === 'umap') methodSelect.value = 'umap';
    void ready.then(() => refreshRuns());
    return {
      update(next) {
        const themeChanged = next.theme !== ctx.theme;
        ctx = next;
        if (themeChanged) {
          // The page's --card colour follows the theme attribute the shell sets; read it after that.
          requestAnimationFrame(() => {
            scatter?.setBackground(getComputedStyle(document.documentElement).getPropertyValue('--card').trim() || (ctx.theme === 'dark' ? '#202124' : '#ffffff'));
            if (embedding) restyle(false);
          });
        }
        void ready.then(() => refreshRuns());
      },
      destroy() { scatter?.destroy(); element.textContent = ''; },
    };
  },
};
