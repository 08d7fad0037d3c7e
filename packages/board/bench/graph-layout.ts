/**
 * GRAPHS layout time: the dashboard's own code (pbtxt parse → hierarchy → dagre per metanode) in Node, on
 *   - PyTorch's tutorial graph (golden-http's `graph` body, 59 ops): first view (layers collapsed) and every scope open;
 *   - a synthetic 1 000-op graph with scopes (10 blocks × 10 layers × 10 ops, chains plus skip connections):
 *     first view, one block opened (cached layouts of the rest reused), every scope open;
 *   - a synthetic 1 000-op graph without scopes (TensorFlow/Keras style): first view (its numbered ops fold into one
 *     series, as TensorBoard folds them), then the series opened: one dagre run over 999 ops, the worst case.
 * Medians of --repeats (default 5) fresh layouts each; the load average is printed.
 *
 *   npx tsx packages/board/bench/graph-layout.ts [--repeats 5]
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { readGraphDef, type OpDef } from '../ui/dashboards/graphs/graph-def.ts';
import { buildHierarchy, initialExpansion, type Hierarchy } from '../ui/dashboards/graphs/hierarchy.ts';
import { GraphLayout } from '../ui/dashboards/graphs/layout.ts';
import { parseTextProto } from '../ui/dashboards/graphs/pbtxt.ts';

const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf('--repeats') + 1]) || 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const op = (name: string, inputs: string[]): OpDef => ({
  name, op: 'aten::op', device: '', attrs: [], outputShapes: [[4, 16, 8, 8]],
  inputs: inputs.map((n) => ({ node: n, output: 0, control: false })),
});

function scopedGraph(): OpDef[] {
  const defs: OpDef[] = [];
  let prev = 'input';
  defs.push(op('input', []));
  for (let b = 0; b < 10; b++) {
    const blockIn = prev;
    for (let l = 0; l < 10; l++) {
      for (let k = 0; k < 10; k++) {
        if (defs.length === 1000) break;
        const name = `Net/Block[b${b}]/Layer[l${l}]/op${k}`;
        defs.push(op(name, k === 0 && l === 0 ? [prev, blockIn] : [prev]));
        prev = name;
      }
    }
  }
  return defs;
}

function flatGraph(): OpDef[] {
  const defs: OpDef[] = [op('input', [])];
  for (let i = 1; i < 1000; i++) defs.push(op(`dense_${i}`, i >= 3 && i % 7 === 0 ? [`dense_${i - 1}`.replace('dense_0', 'input'), `dense_${i - 3}`] : [i === 1 ? 'input' : `dense_${i - 1}`]));
  return defs;
}

function time(label: string, h: Hierarchy, expansions: ((h: Hierarchy) => Set<string>)[]): void {
  const ms: number[][] = expansions.map(() => []);
  let shown = 0;
  for (let r = 0; r < repeats; r++) {
    const layout = new GraphLayout(h);
    expansions.forEach((e, k) => {
      const t0 = performance.now();
      const scene = layout.layout(e(h));
      ms[k]!.push(performance.now() - t0);
      shown = scene.nodes.length;
    });
  }
  console.log(`${label}: ${ms.map((m) => `${median(m).toFixed(1)} ms`).join(' → ')} (median of ${repeats}; ${h.ops.size} ops, ${shown} boxes in the last view)`);
}

const all = (h: Hierarchy) => new Set([...h.groups.values()].map((g) => g.id));
const golden = fileURLToPath(new URL('../test/fixtures/golden-http/bodies/db8bab4ac1829616.pbtxt', import.meta.url));
const tutorial = buildHierarchy(readGraphDef(parseTextProto(await readFile(golden, 'utf8'))));
console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
time('tutorial graph, first view', tutorial, [initialExpansion]);
time('tutorial graph, every scope open', tutorial, [all]);
const scoped = buildHierarchy(scopedGraph());
const oneBlock = (h: Hierarchy) => new Set([...initialExpansion(h), 'g:Net/Block[b3]']);
time('1 000-op scoped graph, first view → one block opened (incremental)', scoped, [initialExpansion, oneBlock]);
time('1 000-op scoped graph, every scope open (from scratch)', scoped, [all]);
time('1 000-op flat graph (no scopes), first view (numbered ops folded into a series) → series opened (one dagre run over 999 ops)', buildHierarchy(flatGraph()), [initialExpansion, all]);
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
