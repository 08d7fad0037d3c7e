/**
 * The graph canvas: an SVG of the laid-out scene with zoom (wheel, around the cursor), pan (drag), fit, click to
 * select and double-click to expand or collapse a metanode. Rendering is a function of (scene, selection, matches).
 */
import type { Item } from './hierarchy.ts';
import type { Scene, SceneNode } from './layout.ts';

const SVG = 'http://www.w3.org/2000/svg';
const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};

export interface GraphViewEvents {
  select(item: Item | null): void;
  toggle(item: Item): void;
}

/** The SVG canvas of the GRAPHS dashboard. */
export class GraphView {
  readonly element: HTMLDivElement;
  private readonly root: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private transform = { x: 0, y: 0, k: 1 };
  /** The view is the last fit (no wheel, drag or centring since), so a changed scene is fitted again. */
  private fitted = true;
  private scene: Scene | null = null;
  private nodeEls = new Map<string, SVGGElement>();
  private unbind = () => {};

  constructor(private readonly events: GraphViewEvents) {
    this.element = document.createElement('div');
    this.element.className = 'graph-canvas';
    this.root = svg('svg', { class: 'graph-svg', role: 'img', 'aria-label': 'Model graph' });
    const defs = svg('defs');
    const marker = svg('marker', { id: 'graph-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'graph-arrowhead' }));
    defs.appendChild(marker);
    this.viewport = svg('g', { class: 'graph-viewport' });
    this.root.append(defs, this.viewport);
    this.element.appendChild(this.root);
    this.bindPanZoom();
  }

  /** True until the user zooms or pans (or a node is centred) after the last fit. */
  get isFitted(): boolean {
    return this.fitted;
  }

  /** Draws a new scene; keeps the current zoom unless `fit`. */
  render(scene: Scene, selected: Item | null, matches: ReadonlySet<string>, fit: boolean): void {
    this.scene = scene;
    this.viewport.replaceChildren();
    this.nodeEls.clear();
    const groups = svg('g', { class: 'graph-groups' });
    const edges = svg('g', { class: 'graph-edges' });
    const labels = svg('g', { class: 'graph-edge-labels' });
    const ops = svg('g', { class: 'graph-nodes' });
    for (const n of scene.nodes) (n.expanded ? groups : ops).appendChild(this.nodeElement(n, selected, matches));
    for (const e of scene.edges) {
      const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
      const width = Math.min(4, 1 + Math.log2(e.count));
      edges.appendChild(svg('path', { d, class: `graph-edge${e.control ? ' control' : ''}`, 'stroke-width': width, 'marker-end': 'url(#graph-arrow)' }));
    }
    for (const l of scene.labels) {
      const t = svg('text', { x: (l.x - l.width / 2).toFixed(1), y: l.y.toFixed(1), 'dominant-baseline': 'central', class: 'graph-edge-label' });
      t.textContent = l.text;
      labels.appendChild(t);
    }
    this.viewport.append(groups, edges, ops, labels);
    if (fit) this.fit();
    else this.apply();
  }

  /** Updates highlight classes without re-rendering. */
  highlight(selected: Item | null, matches: ReadonlySet<string>): void {
    for (const [id, el] of this.nodeEls) {
      el.classList.toggle('selected', selected?.id === id);
      el.classList.toggle('match', matches.has(id));
    }
  }

  /** Zoom and pan so the whole scene fits. */
  fit(): void {
    if (!this.scene) return;
    const w = this.element.clientWidth || 800;
    const h = this.element.clientHeight || 600;
    const k = Math.min(2, (w - 40) / Math.max(1, this.scene.width), (h - 40) / Math.max(1, this.scene.height));
    this.transform = { k, x: (w - this.scene.width * k) / 2, y: (h - this.scene.height * k) / 2 };
    this.fitted = true;
    this.apply();
  }

  /** Pan so `item` is centred (keeping the zoom, or zooming in to at least 0.8). */
  center(item: Item): void {
    const n = this.scene?.nodes.find((s) => s.item.id === item.id);
    if (!n) return;
    const w = this.element.clientWidth || 800;
    const h = this.element.clientHeight || 600;
    const k = Math.max(this.transform.k, 0.8);
    this.transform = { k, x: w / 2 - n.x * k, y: h / 2 - n.y * k };
    this.fitted = false;
    this.apply();
  }

  destroy(): void {
    this.unbind();
    this.element.remove();
  }

  /** The on-screen box of an item (client coordinates), for tests. */
  clientBox(id: string): DOMRect | null {
    return this.nodeEls.get(id)?.getBoundingClientRect() ?? null;
  }

  private nodeElement(n: SceneNode, selected: Item | null, matches: ReadonlySet<string>): SVGGElement {
    const item = n.item;
    const isGroup = item.kind === 'group';
    const g = svg('g', {
      class: `graph-node ${isGroup ? (n.expanded ? 'group expanded' : 'group') : 'op'}`,
      'data-id': item.id,
      'data-name': item.kind === 'group' ? item.path : item.def.name,
      transform: `translate(${(n.x - n.width / 2).toFixed(1)},${(n.y - n.height / 2).toFixed(1)})`,
    });
    g.classList.toggle('selected', selected?.id === item.id);
    g.classList.toggle('match', matches.has(item.id));
    const rect = svg('rect', { width: n.width, height: n.height, rx: isGroup ? 5 : n.height / 2, class: 'graph-shape' });
    const title = svg('title');
    title.textContent = item.kind === 'group'
      ? `${item.path} (${item.opCount} ops) — double-click to ${n.expanded ? 'collapse' : 'expand'}`
      : `${item.def.name}\n${item.def.op}`;
    const text = svg('text', n.expanded
      ? { x: 8, y: 15, class: 'graph-label group-label' }
      : { x: n.width / 2, y: n.height / 2 + 4, 'text-anchor': 'middle', class: 'graph-label' });
    text.textContent = isGroup && !n.expanded ? `${item.label}` : item.label;
    g.append(title, rect, text);
    if (isGroup && !n.expanded) {
      const count = svg('text', { x: n.width - 6, y: 10, 'text-anchor': 'end', class: 'graph-count' });
      count.textContent = String(item.opCount);
      g.appendChild(count);
    }
    g.addEventListener('click', (e) => { e.stopPropagation(); this.events.select(item); });
    g.addEventListener('dblclick', (e) => { e.stopPropagation(); if (isGroup) this.events.toggle(item); });
    this.nodeEls.set(item.id, g);
    return g;
  }

  private apply(): void {
    const { x, y, k } = this.transform;
    this.viewport.setAttribute('transform', `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${k.toFixed(4)})`);
  }

  private bindPanZoom(): void {
    let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | null = null;
    let dragged = false;
    this.root.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = this.root.getBoundingClientRect();
      const px = e.clientX - r.left;
      const py = e.clientY - r.top;
      const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
      const k = Math.min(8, Math.max(0.05, this.transform.k * factor));
      const s = k / this.transform.k;
      this.transform = { k, x: px - (px - this.transform.x) * s, y: py - (py - this.transform.y) * s };
      this.fitted = false;
      this.apply();
    }, { passive: false });
    this.root.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, tx: this.transform.x, ty: this.transform.y, moved: false };
      dragged = false;
    });
    const move = (e: PointerEvent) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (!drag.moved) return;
      this.transform = { ...this.transform, x: drag.tx + dx, y: drag.ty + dy };
      this.fitted = false;
      this.apply();
    };
    const up = () => {
      dragged = drag?.moved ?? false;
      drag = null;
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    this.unbind = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    this.root.addEventListener('click', () => { if (!dragged) this.events.select(null); });
  }
}
