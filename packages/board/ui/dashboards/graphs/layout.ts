/**
 * Layout of the visible graph with dagre (@dagrejs/dagre), one dagre run per expanded metanode over its direct
 * children only (TensorBoard lays out its hierarchy the same way): an expanded child is one box the size of its own
 * layout. Layouts are cached per metanode and redone only when a child's size changed, so expanding a node re-lays
 * out its ancestors, not the whole graph, and no dagre run sees more nodes than one scope has children. Pure data.
 */
import dagre from '@dagrejs/dagre';
import { formatShape } from './graph-def.ts';
import { childWithin, commonGroup, visibleOwner, type GroupItem, type Hierarchy, type Item, type OpEdge } from './hierarchy.ts';

export interface Point {
  x: number;
  y: number;
}

/** A visible item, centre coordinates in the scene. */
export interface SceneNode {
  item: Item;
  x: number;
  y: number;
  width: number;
  height: number;
  expanded: boolean;
}

/** A visible edge (op edges between the same two visible items merged). */
export interface SceneEdge {
  from: Item;
  to: Item;
  points: Point[];
  /** Tensor shape(s) carried, e.g. `4×6×24×24`, or `3 tensors`. */
  label: string;
  count: number;
  control: boolean;
}

/** A shape label, centred at (x, y) in the scene, where dagre reserved room for it (beside its edge, off every node). */
export interface SceneLabel {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Scene {
  nodes: SceneNode[];
  edges: SceneEdge[];
  /** One label per laid-out route: the shapes carried between two children of a scope (both subtrees' edges). */
  labels: SceneLabel[];
  width: number;
  height: number;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface GroupLayout {
  key: string;
  width: number;
  height: number;
  /** Child id → box in the group's inner coordinates. */
  boxes: Map<string, Box>;
  /** `fromChildId>toChildId` → dagre's route. */
  routes: Map<string, Point[]>;
  /** Labels at the points dagre computed for them, in the group's inner coordinates. */
  labels: SceneLabel[];
}

/** Sizes and spacing in CSS pixels. */
export const GEOMETRY = {
  opHeight: 22, groupHeight: 32, pad: 14, header: 22, charWidth: 6.6, nodesep: 18, ranksep: 34,
  /** Edge labels are 9 px text: a wide digit is ~0.64 em in the usual sans-serif fonts, so this over- rather than
   *  under-estimates, and the label keeps clear of nodes however the font renders. */
  labelCharWidth: 5.8, labelHeight: 12, labelOffset: 4,
} as const;

/** Statistics of the last {@link GraphLayout.layout} call (for the bench and the status line). */
export interface LayoutStats {
  dagreRuns: number;
  dagreMillis: number;
  visibleNodes: number;
}

/** Incremental layout of one hierarchy. */
export class GraphLayout {
  private readonly cache = new Map<string, GroupLayout>();
  /** Per group: the edges between its children (independent of expansion). */
  private readonly childEdges = new Map<string, Map<string, { a: Item; b: Item; ops: OpEdge[] }>>();
  stats: LayoutStats = { dagreRuns: 0, dagreMillis: 0, visibleNodes: 0 };

  constructor(readonly hierarchy: Hierarchy) {
    for (const e of hierarchy.edges) {
      const lca = commonGroup(e.from, e.to);
      const a = childWithin(lca, e.from)!;
      const b = childWithin(lca, e.to)!;
      if (a === b) continue;
      let m = this.childEdges.get(lca.id);
      if (!m) this.childEdges.set(lca.id, (m = new Map()));
      const key = `${a.id}>${b.id}`;
      const known = m.get(key);
      if (known) known.ops.push(e);
      else m.set(key, { a, b, ops: [e] });
    }
  }

  /** Lays out everything visible when the metanodes in `expanded` are open (the root always is). */
  layout(expanded: ReadonlySet<string>): Scene {
    this.stats = { dagreRuns: 0, dagreMillis: 0, visibleNodes: 0 };
    const root = this.hierarchy.root;
    const rootLayout = this.layoutGroup(root, expanded);
    const nodes: SceneNode[] = [];
    const labels: SceneLabel[] = [];
    const origin = new Map<string, Point>([[root.id, { x: 0, y: 0 }]]);
    const place = (g: GroupItem, ox: number, oy: number) => {
      const l = this.cache.get(g.id)!;
      for (const lab of l.labels) labels.push({ ...lab, x: lab.x + ox, y: lab.y + oy });
      for (const child of g.children) {
        const b = l.boxes.get(child.id)!;
        const x = ox + b.x;
        const y = oy + b.y;
        const open = child.kind === 'group' && expanded.has(child.id);
        nodes.push({ item: child, x, y, width: b.width, height: b.height, expanded: open });
        if (open) {
          const ix = x - b.width / 2 + GEOMETRY.pad;
          const iy = y - b.height / 2 + GEOMETRY.header;
          origin.set(child.id, { x: ix, y: iy });
          place(child as GroupItem, ix, iy);
        }
      }
    };
    place(root, 0, 0);
    this.stats.visibleNodes = nodes.length;
    const byId = new Map(nodes.map((n) => [n.item.id, n]));
    const merged = new Map<string, { from: Item; to: Item; ops: OpEdge[] }>();
    for (const e of this.hierarchy.edges) {
      const u = visibleOwner(e.from, expanded);
      const v = visibleOwner(e.to, expanded);
      if (u === v) continue;
      const key = `${u.id}>${v.id}`;
      const m = merged.get(key);
      if (m) m.ops.push(e);
      else merged.set(key, { from: u, to: v, ops: [e] });
    }
    const edges: SceneEdge[] = [];
    for (const { from, to, ops } of merged.values()) {
      const lca = commonGroup(from, to);
      const a = childWithin(lca, from)!;
      const b = childWithin(lca, to)!;
      const o = origin.get(lca.id)!;
      const route = (this.cache.get(lca.id)!.routes.get(`${a.id}>${b.id}`) ?? []).map((p) => ({ x: p.x + o.x, y: p.y + o.y }));
      const nu = byId.get(from.id)!;
      const nv = byId.get(to.id)!;
      const inner = route.length > 2 ? route.slice(1, -1) : [];
      const toward = inner[0] ?? nv;
      const back = inner[inner.length - 1] ?? nu;
      const points = [boundaryPoint(nu, toward), ...inner, boundaryPoint(nv, back)];
      edges.push({ from, to, points, label: edgeLabel(ops), count: ops.length, control: ops.every((e) => e.control) });
    }
    return { nodes, edges, labels, width: rootLayout.width, height: rootLayout.height };
  }

  private sizeOf(item: Item, expanded: ReadonlySet<string>): { width: number; height: number } {
    const text = (s: string) => s.length * GEOMETRY.charWidth;
    if (item.kind === 'op') return { width: Math.min(220, Math.max(36, text(item.label) + 18)), height: GEOMETRY.opHeight };
    if (!expanded.has(item.id)) return { width: Math.min(260, Math.max(64, text(item.label) + 40)), height: GEOMETRY.groupHeight };
    const inner = this.layoutGroup(item, expanded);
    return {
      width: Math.max(inner.width + 2 * GEOMETRY.pad, text(item.label) + 40),
      height: inner.height + GEOMETRY.header + GEOMETRY.pad,
    };
  }

  private layoutGroup(g: GroupItem, expanded: ReadonlySet<string>): GroupLayout {
    const sizes = g.children.map((c) => this.sizeOf(c, expanded));
    const key = sizes.map((s) => `${s.width}x${s.height}`).join(',');
    const cached = this.cache.get(g.id);
    if (cached && cached.key === key) return cached;
    const t0 = performance.now();
    const dg = new dagre.graphlib.Graph({ multigraph: false });
    dg.setGraph({ rankdir: 'BT', nodesep: GEOMETRY.nodesep, ranksep: GEOMETRY.ranksep, edgesep: 8, marginx: 0, marginy: 0 });
    dg.setDefaultEdgeLabel(() => ({}));
    g.children.forEach((c, i) => dg.setNode(c.id, { width: sizes[i]!.width, height: sizes[i]!.height }));
    // Each shape label is an edge label of the size it draws at: dagre gives it a dummy node of its own (beside the
    // edge, labelpos 'r') in a rank between the edge's ends, so no node is placed where the label goes.
    const texts = new Map<string, string>();
    for (const { a, b, ops } of this.childEdges.get(g.id)?.values() ?? []) {
      const text = edgeLabel(ops);
      if (text) texts.set(`${a.id}>${b.id}`, text);
      dg.setEdge(a.id, b.id, text
        ? { width: text.length * GEOMETRY.labelCharWidth + 4, height: GEOMETRY.labelHeight, labelpos: 'r', labeloffset: GEOMETRY.labelOffset }
        : {});
    }
    dagre.layout(dg);
    const boxes = new Map<string, Box>();
    for (const c of g.children) {
      const n = dg.node(c.id) as unknown as Box;
      boxes.set(c.id, { x: n.x, y: n.y, width: n.width, height: n.height });
    }
    const routes = new Map<string, Point[]>();
    const labels: SceneLabel[] = [];
    for (const e of dg.edges()) {
      const de = dg.edge(e) as { points?: Point[]; x?: number; y?: number; width?: number; height?: number };
      routes.set(`${e.v}>${e.w}`, (de.points ?? []).map((p) => ({ x: p.x, y: p.y })));
      const text = texts.get(`${e.v}>${e.w}`);
      if (text && de.x !== undefined && de.y !== undefined) labels.push({ text, x: de.x, y: de.y, width: de.width ?? 0, height: de.height ?? 0 });
    }
    const label = dg.graph() as { width?: number; height?: number };
    const layout: GroupLayout = { key, width: label.width ?? 0, height: label.height ?? 0, boxes, routes, labels };
    this.cache.set(g.id, layout);
    this.stats.dagreRuns++;
    this.stats.dagreMillis += performance.now() - t0;
    return layout;
  }
}

/** Where the segment from the box's centre toward `p` leaves the box. */
function boundaryPoint(box: Box, p: Point): Point {
  const dx = p.x - box.x;
  const dy = p.y - box.y;
  if (dx === 0 && dy === 0) return { x: box.x, y: box.y };
  const sx = dx === 0 ? Infinity : box.width / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : box.height / 2 / Math.abs(dy);
  const s = Math.min(sx, sy, 1);
  return { x: box.x + dx * s, y: box.y + dy * s };
}

/** The shape on an edge: one tensor's shape, the common shape of several, or their count. */
function edgeLabel(ops: readonly OpEdge[]): string {
  const shapes = new Set<string>();
  for (const e of ops) {
    if (e.control) continue;
    const dims = e.from.def.outputShapes[e.output];
    if (dims !== undefined) shapes.add(formatShape(dims));
  }
  if (shapes.size === 1) return ops.length > 1 ? `${[...shapes][0]} ×${ops.length}` : [...shapes][0]!;
  return shapes.size > 1 ? `${ops.length} tensors` : '';
}
