/**
 * TensorBoard's graph hierarchy: nodes grouped by name scope (`Net/Conv2d[conv1]/input.1` sits in the metanode
 * `Net/Conv2d[conv1]`, itself in `Net`), and the edges of the op graph lifted to whatever is visible for a given set
 * of expanded metanodes. Pure data, no DOM: the layout bench runs it in Node.
 */
import type { OpDef } from './graph-def.ts';

/** An op (leaf). */
export interface OpItem {
  kind: 'op';
  id: string;
  /** Last part of the name. */
  label: string;
  def: OpDef;
  parent: GroupItem;
}

/** A metanode (name scope). The root has path ''. */
export interface GroupItem {
  kind: 'group';
  id: string;
  path: string;
  label: string;
  parent: GroupItem | null;
  children: Item[];
  /** Ops anywhere below. */
  opCount: number;
  /** A series of numbered same-op siblings (see {@link SERIES_MIN_SIZE}), not a name scope. */
  series?: boolean;
}

export type Item = OpItem | GroupItem;

/** An op-level edge. */
export interface OpEdge {
  from: OpItem;
  to: OpItem;
  /** Output index of `from`. */
  output: number;
  control: boolean;
}

/** The whole hierarchy. */
export interface Hierarchy {
  root: GroupItem;
  ops: Map<string, OpItem>;
  groups: Map<string, GroupItem>;
  edges: OpEdge[];
  /** Consumers per op name (for the info panel's outputs). */
  consumers: Map<string, OpEdge[]>;
}

/** Builds the scope tree of `defs`; inputs naming no node of the graph are dropped (torch's module `self` inputs). */
export function buildHierarchy(defs: readonly OpDef[]): Hierarchy {
  const root: GroupItem = { kind: 'group', id: 'g:', path: '', label: '', parent: null, children: [], opCount: 0 };
  const groups = new Map<string, GroupItem>([['', root]]);
  const ops = new Map<string, OpItem>();
  const groupOf = (path: string): GroupItem => {
    let g = groups.get(path);
    if (g) return g;
    const slash = path.lastIndexOf('/');
    const parent = groupOf(slash < 0 ? '' : path.slice(0, slash));
    g = { kind: 'group', id: `g:${path}`, path, label: path.slice(slash + 1), parent, children: [], opCount: 0 };
    parent.children.push(g);
    groups.set(path, g);
    return g;
  };
  for (const def of defs) {
    const slash = def.name.lastIndexOf('/');
    const parent = groupOf(slash < 0 ? '' : def.name.slice(0, slash));
    const op: OpItem = { kind: 'op', id: `op:${def.name}`, label: def.name.slice(slash + 1), def, parent };
    parent.children.push(op);
    ops.set(def.name, op);
    for (let g: GroupItem | null = parent; g; g = g.parent) g.opCount++;
  }
  for (const g of [...groups.values()]) groupSeries(g, groups);
  const edges: OpEdge[] = [];
  const consumers = new Map<string, OpEdge[]>();
  for (const to of ops.values()) {
    for (const input of to.def.inputs) {
      const from = ops.get(input.node);
      if (!from) continue;
      const edge = { from, to, output: input.output, control: input.control };
      edges.push(edge);
      consumers.set(from.def.name, [...(consumers.get(from.def.name) ?? []), edge]);
    }
  }
  return { root, ops, groups, edges, consumers };
}

/** Fewest same-op, numbered siblings that TensorBoard folds into a series (its `seriesNodeMinSize`). */
export const SERIES_MIN_SIZE = 5;

/**
 * TensorBoard's series grouping: within one scope, ops of the same type whose names differ only in a trailing number
 * (`dense_1` … `dense_999`, `146` … `149`) become one metanode `dense_[1-999]`, so a flat graph (no name scopes, as
 * TensorFlow/Keras often writes) still opens as a handful of blocks instead of one dagre layout of every op.
 */
function groupSeries(g: GroupItem, groups: Map<string, GroupItem>): void {
  const buckets = new Map<string, { op: OpItem; n: number }[]>();
  for (const c of g.children) {
    if (c.kind !== 'op') continue;
    const m = /^(.*?)(\d+)$/.exec(c.label);
    if (!m) continue;
    const key = `${m[1]}\u0000${c.def.op}`;
    buckets.set(key, [...(buckets.get(key) ?? []), { op: c, n: Number(m[2]) }]);
  }
  for (const [key, members] of buckets) {
    if (members.length < SERIES_MIN_SIZE) continue;
    const prefix = key.slice(0, key.indexOf('\u0000'));
    const ns = members.map((m) => m.n);
    const label = `${prefix}[${Math.min(...ns)}-${Math.max(...ns)}]`;
    const path = g.path ? `${g.path}/${label}` : label;
    if (groups.has(path)) continue;
    const series: GroupItem = { kind: 'group', id: `g:${path}`, path, label, parent: g, children: [], opCount: members.length, series: true };
    const inSeries = new Set(members.map((m) => m.op));
    const at = g.children.findIndex((c) => c.kind === 'op' && inSeries.has(c));
    g.children = g.children.filter((c) => !(c.kind === 'op' && inSeries.has(c)));
    g.children.splice(at, 0, series);
    for (const m of members) {
      m.op.parent = series;
      series.children.push(m.op);
    }
    groups.set(path, series);
  }
}

/** The ancestors of an item, outermost (the root) first, the item excluded. */
export function ancestors(item: Item): GroupItem[] {
  const out: GroupItem[] = [];
  for (let g = item.parent; g; g = g.parent) out.unshift(g);
  return out;
}

/** What stands for `op` on screen: the outermost collapsed metanode around it, or the op itself. */
export function visibleOwner(op: OpItem, expanded: ReadonlySet<string>): Item {
  for (const g of ancestors(op)) if (g.parent && !expanded.has(g.id)) return g;
  return op;
}

/** The child of `group` that contains `item` (or `item` itself when it is a child). */
export function childWithin(group: GroupItem, item: Item): Item | null {
  let cur: Item = item;
  while (cur.parent && cur.parent !== group) cur = cur.parent;
  return cur.parent === group ? cur : null;
}

/** The lowest group containing both items (as descendants). */
export function commonGroup(a: Item, b: Item): GroupItem {
  const pa = ancestors(a);
  const pb = ancestors(b);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa[i - 1]!;
}

/**
 * The metanodes to show expanded at first: the root, and at the top a metanode holding more than half of all ops
 * (torch's `Net` around every layer), so the model's layers show as collapsed blocks at once.
 */
export function initialExpansion(h: Hierarchy): Set<string> {
  const out = new Set<string>([h.root.id]);
  for (const c of h.root.children) if (c.kind === 'group' && !c.series && c.opCount > h.root.opCount / 2) out.add(c.id);
  return out;
}
