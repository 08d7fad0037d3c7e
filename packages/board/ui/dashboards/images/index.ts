/**
 * IMAGES: a card per run × tag (× sample, when a summary holds several images), a step slider over the sampled steps,
 * actual-size toggle and brightness/contrast for every card. Live: new steps extend the slider; a slider left at
 * the newest step follows new ones, one moved back stays where the user put it. URL params: `actualSize`,
 * `brightness`, `contrast`.
 */
import type { Dashboard, DashboardContext, DashboardView } from '../types.ts';
import { compileFilter, h, replaceChildren } from '../../lib/dom.ts';
import { formatWallTime } from '../../lib/format.ts';

type ImageTags = Record<string, Record<string, { displayName: string; description: string; samples: number }>>;
interface ImageEntry { wall_time: number; step: number; query: string }

class ImageCard {
  readonly root: HTMLElement;
  private entries: ImageEntry[] = [];
  private index = -1;
  private readonly slider: HTMLInputElement;
  private readonly stepLabel: HTMLElement;
  private readonly img: HTMLImageElement;
  private readonly frame: HTMLElement;
  private readonly meta: HTMLElement;

  constructor(readonly run: string, readonly tag: string, readonly sample: number, samples: number, color: string) {
    this.slider = h('input', {
      type: 'range', min: '0', max: '0', step: '1', value: '0', 'aria-label': `Step of ${tag} in ${run}`,
      oninput: () => { this.index = Number(this.slider.value); this.show(); },
    });
    this.stepLabel = h('span', { class: 'step-label' });
    this.img = h('img', { alt: `${tag} (${run})` });
    this.img.addEventListener('load', () => {
      this.meta.textContent = `${this.img.naturalWidth}×${this.img.naturalHeight} px`;
      // Small images (the tutorial's 28-pixel digits) are enlarged with sharp pixels; large figures smoothly shrunk.
      this.img.classList.toggle('upscaled', this.img.naturalWidth < this.frame.clientWidth);
    });
    this.frame = h('div', { class: 'image-frame' }, this.img);
    this.meta = h('span', { class: 'card-sub' });
    this.root = h('article', { class: 'card image-card', 'data-run': run, 'data-tag': tag, 'data-sample': String(sample) },
      h('div', { class: 'card-head' },
        h('span', { class: 'swatch', style: `background:${color}` }),
        h('h4', { class: 'card-title' }, tag, samples > 1 ? ` (sample ${sample + 1}/${samples})` : ''),
        h('span', { class: 'card-sub' }, run)),
      h('div', { class: 'step-row' }, this.stepLabel, this.slider),
      this.frame,
      h('div', { class: 'step-row' }, this.meta));
  }

  setEntries(entries: ImageEntry[]): void {
    const atEnd = this.index < 0 || this.index >= this.entries.length - 1;
    const step = this.entries[this.index]?.step;
    this.entries = entries;
    if (atEnd) this.index = entries.length - 1;
    else {
      const i = entries.findIndex((e) => e.step === step);
      this.index = i >= 0 ? i : Math.min(this.index, entries.length - 1);
    }
    this.slider.max = String(Math.max(0, entries.length - 1));
    this.slider.disabled = entries.length <= 1;
    this.slider.value = String(Math.max(0, this.index));
    this.show();
  }

  setView(actual: boolean, brightness: number, contrast: number): void {
    this.frame.classList.toggle('actual', actual);
    this.img.style.filter = brightness === 1 && contrast === 1 ? '' : `brightness(${brightness}) contrast(${contrast})`;
  }

  private show(): void {
    const e = this.entries[this.index];
    if (!e) {
      this.stepLabel.textContent = 'no image';
      this.img.removeAttribute('src');
      return;
    }
    this.stepLabel.textContent = `step ${e.step} · ${formatWallTime(e.wall_time)} · ${this.index + 1}/${this.entries.length}`;
    const src = `data/plugin/images/individualImage?${e.query}&ts=${e.wall_time}`;
    if (this.img.getAttribute('src') !== src) this.img.setAttribute('src', src);
    this.root.dataset.step = String(e.step);
  }
}

function mount(element: HTMLElement, initial: DashboardContext): DashboardView {
  let ctx = initial;
  let tags: ImageTags = {};
  const cards = new Map<string, ImageCard>();
  const stale = new Set<string>();
  let destroyed = false;
  const cardKey = (run: string, tag: string, sample: number) => `${run}\u0000${tag}\u0000${sample}`;

  const actual = h('input', { type: 'checkbox', 'data-control': 'actualSize',
    onchange: () => { ctx.setParam('actualSize', actual.checked ? '1' : undefined); applyView(); } });
  const brightness = h('input', { type: 'range', min: '0', max: '3', step: '0.05', 'aria-label': 'Brightness', 'data-control': 'brightness',
    oninput: () => { ctx.setParam('brightness', brightness.value === '1' ? undefined : brightness.value); applyView(); } });
  const contrast = h('input', { type: 'range', min: '0', max: '3', step: '0.05', 'aria-label': 'Contrast', 'data-control': 'contrast',
    oninput: () => { ctx.setParam('contrast', contrast.value === '1' ? undefined : contrast.value); applyView(); } });
  const bValue = h('span', { class: 'value' });
  const cValue = h('span', { class: 'value' });
  const note = h('div', { class: 'note' });
  const grid = h('div', { class: 'cards' });
  replaceChildren(element,
    h('div', { class: 'dash-controls', role: 'group', 'aria-label': 'Image settings' },
      h('label', null, actual, 'Show actual image size'),
      h('label', null, 'Brightness', brightness, bValue),
      h('label', null, 'Contrast', contrast, cValue),
      h('button', { type: 'button', onclick: () => { ctx.setParam('brightness', undefined); ctx.setParam('contrast', undefined); applyView(); } }, 'Reset')),
    note, grid);

  function applyView(): void {
    const a = ctx.getParam('actualSize') === '1';
    const b = Number(ctx.getParam('brightness') ?? '1');
    const c = Number(ctx.getParam('contrast') ?? '1');
    actual.checked = a;
    brightness.value = String(b);
    contrast.value = String(c);
    bValue.textContent = `${Math.round(b * 100)}%`;
    cValue.textContent = `${Math.round(c * 100)}%`;
    for (const card of cards.values()) card.setView(a, b, c);
  }

  async function render(): Promise<void> {
    const filter = compileFilter(ctx.tagFilter);
    const wanted: [string, string, number, number][] = [];
    for (const run of ctx.selectedRuns) {
      for (const [tag, info] of Object.entries(tags[run] ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
        if (!filter.test(tag)) continue;
        for (let s = 0; s < Math.max(1, info.samples); s++) wanted.push([run, tag, s, info.samples]);
      }
    }
    const keys = new Set(wanted.map(([r, t, s]) => cardKey(r, t, s)));
    for (const [k, card] of cards) if (!keys.has(k)) { card.root.remove(); cards.delete(k); }
    const fetches: Promise<void>[] = [];
    for (const [run, tag, sample, samples] of wanted) {
      const k = cardKey(run, tag, sample);
      let card = cards.get(k);
      if (!card || stale.has(`${run}\u0000${tag}`)) {
        if (!card) {
          card = new ImageCard(run, tag, sample, samples, ctx.runColor(run));
          cards.set(k, card);
        }
        const c = card;
        const q = new URLSearchParams({ run, tag, sample: String(sample) });
        fetches.push(ctx.fetchJson<ImageEntry[] | null>(`data/plugin/images/images?${q}`).then((entries) => c.setEntries(entries ?? [])));
      }
    }
    stale.clear();
    replaceChildren(grid, wanted.map(([r, t, s]) => cards.get(cardKey(r, t, s))!.root));
    applyView();
    note.textContent = wanted.length ? '' : ctx.selectedRuns.length ? 'No image tag of the selected runs matches the tag filter.' : 'No run selected.';
    await Promise.all(fetches);
  }

  const load = async () => {
    try {
      tags = await ctx.fetchJson<ImageTags>('data/plugin/images/tags');
      if (!destroyed) await render();
    } catch (e) {
      note.replaceChildren(h('span', { class: 'error' }, `Could not load images: ${(e as Error).message}`));
    }
  };
  void load();

  return {
    update(next, changed) {
      ctx = next;
      const relevant = changed.filter((c) => c.plugin === 'images' || c.plugin === '*');
      for (const c of relevant) {
        if (c.tag === '*') for (const t of Object.keys(tags[c.run] ?? {})) stale.add(`${c.run}\u0000${t}`);
        else stale.add(`${c.run}\u0000${c.tag}`);
      }
      if (relevant.some((c) => c.tag === '*' || !tags[c.run]?.[c.tag])) void load();
      else void render();
    },
    destroy() {
      destroyed = true;
      element.textContent = '';
    },
  };
}

export const imagesDashboard: Dashboard = { id: 'images', title: 'IMAGES', plugins: ['images'], mount };
