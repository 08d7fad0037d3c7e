/**
 * The card grid shared by HISTOGRAMS and DISTRIBUTIONS: one card per run × tag, grouped by tag prefix, created when a
 * pair appears, dropped when it goes, refetched only when the server reports new points for it (so a live update
 * leaves the other cards, and the user's hover and mode, alone).
 */
import { h, replaceChildren } from '../../lib/dom.ts';
import type { DashboardContext } from '../types.ts';
import { groupByTagPrefix, listRunTags, type RunTag } from './data.ts';

/** What a dashboard puts in one card. */
export interface CardContent {
  /** Fetch and draw (again). */
  load(ctx: DashboardContext): Promise<void>;
  /** Draw the fetched data again (a display option changed). */
  redraw(ctx: DashboardContext): void;
  destroy(): void;
}

/** A grid of cards in `element`, below `controls`. */
export class CardGrid {
  private readonly cards = new Map<string, { item: RunTag; card: HTMLElement; content: CardContent }>();
  private readonly body = h('div', { class: 'hist-groups' });
  private readonly note = h('p', { class: 'muted hist-note', hidden: true });
  private generation = 0;
  private theme: 'light' | 'dark' | null = null;

  constructor(
    element: HTMLElement,
    controls: HTMLElement,
    private readonly route: 'histograms' | 'distributions',
    private readonly makeContent: (item: RunTag, body: HTMLElement, ctx: DashboardContext) => CardContent,
  ) {
    replaceChildren(element, controls, this.note, this.body);
  }

  /** Brings the cards in line with the context; `changed` lists run/tag pairs with new points. */
  async update(ctx: DashboardContext, changed: readonly { run: string; plugin: string; tag: string }[]): Promise<void> {
    const generation = ++this.generation;
    if (this.theme !== ctx.theme) {
      // Axis and fill colours are chosen when a chart is made: a new theme makes every card anew.
      this.theme = ctx.theme;
      this.destroy();
    }
    const items = await listRunTags(ctx, this.route);
    if (generation !== this.generation) return;
    const key = (i: { run: string; tag: string }) => `${i.run}\u0000${i.tag}`;
    const wanted = new Set(items.map(key));
    for (const [k, c] of this.cards) {
      if (!wanted.has(k)) {
        c.content.destroy();
        this.cards.delete(k);
      }
    }
    const stale = new Set(changed.filter((c) => c.plugin === 'histograms').map(key));
    const refreshes: Promise<void>[] = [];
    const sections: HTMLElement[] = [];
    for (const [group, members] of groupByTagPrefix(items)) {
      const grid = h('div', { class: 'hist-cards' });
      for (const item of members) {
        let entry = this.cards.get(key(item));
        if (!entry) {
          const body = h('div', { class: 'hist-card-body' });
          const card = h('section', { class: 'hist-card', 'data-run': item.run, 'data-tag': item.tag },
            h('header', { class: 'hist-card-title' },
              h('span', { class: 'hist-tag' }, item.tag),
              h('span', { class: 'hist-run' }, h('span', { class: 'swatch', style: `background:${ctx.runColor(item.run)}` }), item.run)),
            body);
          entry = { item, card, content: this.makeContent(item, body, ctx) };
          this.cards.set(key(item), entry);
          refreshes.push(entry.content.load(ctx));
        } else if (stale.has(key(item))) {
          refreshes.push(entry.content.load(ctx));
        }
        grid.appendChild(entry.card);
      }
      sections.push(h('section', { class: 'hist-group' }, h('h3', { class: 'hist-group-title' }, group), grid));
    }
    this.note.hidden = items.length > 0;
    this.note.textContent = items.length > 0 ? '' : ctx.selectedRuns.length === 0
      ? 'No run selected.'
      : 'No histogram for the selected runs and tag filter. Log one with SummaryWriter.addHistogram (the train stage logs weights and gradients every --log-every-steps).';
    this.body.replaceChildren(...sections);
    await Promise.all(refreshes);
  }

  /** Redraws every card (a display option changed). */
  redrawAll(ctx: DashboardContext): void {
    for (const c of this.cards.values()) c.content.redraw(ctx);
  }

  destroy(): void {
    for (const c of this.cards.values()) c.content.destroy();
    this.cards.clear();
  }
}
