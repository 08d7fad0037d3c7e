/** The GRAPHS info panel: what TensorBoard's node info card shows for an op or a metanode. */
import { h, type Child } from '../../lib/dom.ts';
import { formatShape } from './graph-def.ts';
import type { Hierarchy, Item } from './hierarchy.ts';

/** The panel's content for `item`; `open(name)` reveals and selects another op. */
export function renderInfo(item: Item, hierarchy: Hierarchy, open: (name: string) => void): Child[] {
  const link = (name: string, extra = '') =>
    h('li', null, h('button', { type: 'button', class: 'linklike', title: name, onclick: () => open(name) }, name), extra ? h('span', { class: 'muted' }, ` ${extra}`) : null);
  if (item.kind === 'group') {
    const ops = new Map<string, number>();
    const walk = (g: Item) => {
      if (g.kind === 'op') ops.set(g.def.op, (ops.get(g.def.op) ?? 0) + 1);
      else g.children.forEach(walk);
    };
    walk(item);
    return [
      h('h3', null, item.label),
      h('div', { class: 'graph-info-name' }, item.path),
      h('dl', null, h('dt', null, 'Kind'), h('dd', null, 'metanode (name scope)'), h('dt', null, 'Ops inside'), h('dd', null, String(item.opCount))),
      h('h4', null, 'Op types'),
      h('ul', null, [...ops].sort((a, b) => b[1] - a[1]).map(([op, n]) => h('li', null, `${op} ×${n}`))),
    ];
  }
  const def = item.def;
  const inputs = def.inputs.map((i) => {
    const source = hierarchy.ops.get(i.node);
    const shape = source?.def.outputShapes[i.output];
    return link(i.node + (i.output ? `:${i.output}` : ''), [i.control ? 'control' : '', shape !== undefined ? formatShape(shape) : ''].filter(Boolean).join(' '));
  });
  const outputs = (hierarchy.consumers.get(def.name) ?? []).map((e) => link(e.to.def.name, e.control ? 'control' : ''));
  return [
    h('h3', null, item.label),
    h('div', { class: 'graph-info-name' }, def.name),
    h('dl', null,
      h('dt', null, 'Op'), h('dd', null, def.op),
      h('dt', null, 'Device'), h('dd', null, def.device || '—'),
      h('dt', null, 'Output shapes'), h('dd', null, def.outputShapes.length ? def.outputShapes.map(formatShape).join(', ') : '—')),
    h('h4', null, `Attributes (${def.attrs.length})`),
    def.attrs.length ? h('dl', { class: 'graph-attrs' }, def.attrs.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v === '' ? '""' : v)])) : h('p', { class: 'muted' }, 'none'),
    h('h4', null, `Inputs (${inputs.length})`),
    inputs.length ? h('ul', null, inputs) : h('p', { class: 'muted' }, 'none'),
    h('h4', null, `Outputs (${outputs.length})`),
    outputs.length ? h('ul', null, outputs) : h('p', { class: 'muted' }, 'none'),
  ];
}
