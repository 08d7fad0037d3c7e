// The loader against TensorBoard 2.20's own answers for the golden-http logdir (test/fixtures/golden-http): every
// series count and value the recorded responses imply, in both recorded sampling modes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openLogdir } from '../src/load/index.ts';
import { GOLDEN_HTTP } from './golden-http.ts';
import type { LogdirStore } from '../src/store/provider.ts';

const LOGDIR = join(GOLDEN_HTTP, 'logdir');

interface Rec {
  sampling: 'all' | 'default';
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  status: number;
  body_json?: unknown;
}
const records: Rec[] = JSON.parse(readFileSync(join(GOLDEN_HTTP, 'responses.json'), 'utf8'));
const ALL = { scalars: 1e6, images: 1e6, histograms: 1e6, distributions: 1e6, pr_curves: 1e6, text: 1e6, tensors: 1e6 };
/** The routes' request-time downsample (golden-http README). */
const REQUEST = { all: { scalars: 1e6, images: 1e6, text: 1e6, pr_curves: 1e6 }, default: { scalars: 1000, images: 10, text: 100, pr_curves: 100 } };

const num = (x: unknown) => (x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : (x as number));
const body = (r: Rec) => r.body_json as never;
const ok = (r: Rec, path: string, mode: string) => r.sampling === mode && r.path === path && r.status === 200 && r.query.format === undefined;

for (const mode of ['all', 'default'] as const) {
  describe(`loading the golden-http logdir with ${mode === 'all' ? 'every point kept' : 'default sampling'}`, () => {
    let store: LogdirStore;
    before(async () => {
      store = await openLogdir({ logdir: LOGDIR, reloadIntervalSeconds: 0, samplesPerPlugin: mode === 'all' ? ALL : undefined });
    });
    after(() => store.close());
    const recs = records.filter((r) => r.sampling === mode);
    const q = (r: Rec, k: string) => r.query[k] as string;

    it('lists the runs in /data/runs order (first event wall time, then name)', () => {
      const runs = recs.find((r) => r.path === '/data/runs')!;
      assert.deepEqual(store.listRuns().map((r) => r.name), body(runs));
    });

    it('lists the same scalar, image, histogram, PR-curve and text tags per run as the tags routes', () => {
      const tagsOf = (path: string) => recs.find((r) => r.path === path)!.body_json as Record<string, Record<string, unknown> | string[]>;
      const keys = (m: Map<string, Map<string, unknown>>) => Object.fromEntries([...m].map(([run, tags]) => [run, [...tags.keys()].sort()]));
      const expected = (o: Record<string, Record<string, unknown> | string[]>) => Object.fromEntries(Object.entries(o).map(([run, t]) => [run, (Array.isArray(t) ? t : Object.keys(t)).sort()]));
      assert.deepEqual(keys(store.listScalars('scalars')), expected(tagsOf('/data/plugin/scalars/tags')));
      assert.deepEqual(keys(store.listBlobSequences('images')), expected(tagsOf('/data/plugin/images/tags')));
      assert.deepEqual(keys(store.listTensors('histograms')), expected(tagsOf('/data/plugin/histograms/tags')));
      assert.deepEqual(keys(store.listTensors('pr_curves')), expected(tagsOf('/data/plugin/pr_curves/tags')));
      assert.deepEqual(keys(store.listTensors('text')), expected(tagsOf('/data/plugin/text/tags')));
    });

    it('keeps the display names and descriptions the scalars tags route shows', () => {
      const tags = recs.find((r) => r.path === '/data/plugin/scalars/tags')!.body_json as Record<string, Record<string, { displayName: string; description: string }>>;
      const listed = store.listScalars('scalars');
      for (const [run, byTag] of Object.entries(tags)) {
        for (const [tag, meta] of Object.entries(byTag)) {
          const info = listed.get(run)!.get(tag)!;
          assert.equal(info.displayName, meta.displayName, `${run}/${tag}`);
          assert.equal(info.description, meta.description, `${run}/${tag}`);
        }
      }
    });

    it('reads every scalar series as /data/plugin/scalars/scalars answers it', () => {
      const rs = recs.filter((r) => ok(r, '/data/plugin/scalars/scalars', mode));
      assert.ok(rs.length >= 8);
      for (const r of rs) {
        const want = body(r) as [number, number, unknown][];
        const got = store.readScalars('scalars', REQUEST[mode].scalars, { runs: [q(r, 'run')], tags: [q(r, 'tag')] }).get(q(r, 'run'))!.get(q(r, 'tag'))!;
        const rows = Array.from(got.steps, (s, i) => [got.wallTimes[i], s, got.values[i]]);
        const expect = want.map(([w, s, v]) => [w, s, num(v)]);
        if (mode === 'all') assert.deepEqual(rows, expect, `${q(r, 'run')}/${q(r, 'tag')}`);
        else {
          assert.equal(rows.length, expect.length);
          assert.deepEqual(rows.at(-1), expect.at(-1));
        }
      }
    });

    it('reads image series with the steps, wall times and blob keys of /data/plugin/images/images', () => {
      const rs = recs.filter((r) => ok(r, '/data/plugin/images/images', mode));
      assert.ok(rs.length >= 4);
      for (const r of rs) {
        const want = body(r) as { wall_time: number; step: number; query: string }[];
        const got = store.readBlobSequences('images', REQUEST[mode].images, { runs: [q(r, 'run')], tags: [q(r, 'tag')] }).get(q(r, 'run'))!.get(q(r, 'tag'))!;
        const sample = Number(q(r, 'sample'));
        assert.equal(got.length, want.length);
        const last = got.at(-1)!;
        assert.deepEqual([last.wallTime, last.step, `blob_key=${last.blobKeys[sample + 2]}`], [want.at(-1)!.wall_time, want.at(-1)!.step, want.at(-1)!.query]);
        if (mode === 'all') assert.deepEqual(got.map((d) => d.step), want.map((d) => d.step));
        assert.ok(store.readBlob(last.blobKeys[sample + 2])!.length > 0);
      }
    });

    it('converts histograms to the [k, 3] buckets /data/plugin/histograms/histograms shows', () => {
      const rs = recs.filter((r) => ok(r, '/data/plugin/histograms/histograms', mode));
      for (const r of rs) {
        const want = body(r) as [number, number, number[][]][];
        const got = store.readTensors('histograms', 51, { runs: [q(r, 'run')], tags: [q(r, 'tag')] }).get(q(r, 'run'))!.get(q(r, 'tag'))!;
        assert.equal(got.length, want.length);
        const [w, s, buckets] = want.at(-1)!;
        const last = got.at(-1)!;
        assert.deepEqual([last.wallTime, last.step, last.value.shape], [w, s, [buckets.length, 3]]);
        assert.deepEqual(Array.from(last.value.numbers!), buckets.flat());
      }
    });

    it('keeps every PR curve and text point the routes return', () => {
      for (const r of recs.filter((x) => ok(x, '/data/plugin/pr_curves/pr_curves', mode) && typeof x.query.run === 'string')) {
        const want = Object.values(body(r) as Record<string, { step: number; wall_time: number }[]>)[0];
        const got = store.readTensors('pr_curves', REQUEST[mode].pr_curves, { runs: [q(r, 'run')], tags: [q(r, 'tag')] }).get(q(r, 'run'))!.get(q(r, 'tag'))!;
        assert.deepEqual(got.map((d) => [d.step, d.wallTime]), want.map((d) => [d.step, d.wall_time]));
      }
      for (const r of recs.filter((x) => ok(x, '/data/plugin/text/text', mode))) {
        const want = body(r) as { step: number; wall_time: number }[];
        const got = store.readTensors('text', REQUEST[mode].text, { runs: [q(r, 'run')], tags: [q(r, 'tag')] }).get(q(r, 'run'))?.get(q(r, 'tag')) ?? [];
        assert.deepEqual(got.map((d) => [d.step, d.wallTime]), want.map((d) => [d.step, d.wall_time]));
        for (const d of got) assert.equal(d.value.dtype, 7);
      }
    });

    it("exposes the tutorial's graph and tagged run metadata as graphs blob sequences", () => {
      const info = recs.find((r) => r.path === '/data/plugin/graphs/info')!.body_json as Record<string, { run_graph: boolean; tags: Record<string, unknown> }>;
      const graphs = store.listBlobSequences('graphs');
      const tagged = store.listBlobSequences('graph_tagged_run_metadata');
      for (const [run, i] of Object.entries(info)) {
        assert.equal(graphs.get(run)?.has('__run_graph__') ?? false, i.run_graph);
        assert.deepEqual([...(tagged.get(run)?.keys() ?? [])].sort(), Object.keys(i.tags).sort());
      }
      const [d] = store.readBlobSequences('graphs', 10, { runs: ['tutorial'] }).get('tutorial')!.get('__run_graph__')!;
      assert.ok(store.readBlob(d.blobKeys[0])!.length > 100);
    });

    it('holds the hparams session summaries as hparams tensors with their plugin content', () => {
      const h = store.listTensors('hparams').get('hparams/1700000000.0')!;
      assert.deepEqual([...h.keys()].sort(), ['_hparams_/experiment', '_hparams_/session_end_info', '_hparams_/session_start_info']);
      for (const info of h.values()) assert.ok(info.pluginContent.length > 0);
      assert.ok(store.listPlugins().includes('hparams'));
    });
  });
}
