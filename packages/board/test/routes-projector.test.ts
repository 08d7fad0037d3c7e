import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseTensorTsv, projectorRoutes, PROJECTOR_SCHEMA } from '../src/routes/projector.ts';
import { TextFormatError, messageType, parseText, printMessage } from '../src/routes/pbtxt.ts';
import { BadRequest, type RouteReply } from '../src/routes/types.ts';
import { openLogdir } from '../src/load/index.ts';
import type { DataProvider, RunInfo } from '../src/store/provider.ts';
import { GOLDEN_HTTP, goldenBody, goldenRecords, pluginRoute } from './golden-http.ts';
import { getRequest, memoryProvider, routeContext } from './memory-provider.ts';

/** Every directory under `logdir` holding a tfevents file, named as TensorBoard names runs. */
function runsOf(logdir: string): RunInfo[] {
  const runs: RunInfo[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.includes('tfevents'))) runs.push({ name: relative(logdir, dir) || '.', path: dir, startTime: 0 });
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(logdir);
  return runs;
}

function contextFor(logdir: string) {
  return routeContext(memoryProvider({ logdir, runs: runsOf(logdir) }));
}

async function status(run: () => Promise<RouteReply> | RouteReply): Promise<number> {
  try {
    return (await run()).status;
  } catch (err) {
    assert.ok(err instanceof BadRequest, String(err));
    return err.status;
  }
}

const call = (ctx: ReturnType<typeof routeContext>['ctx'], route: string, query: Record<string, string>) => projectorRoutes.routes[route](getRequest(route, query), ctx);
const bytesOf = (reply: RouteReply) => Buffer.from(typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body);

describe('projector routes on the golden corpus', () => {
  for (const sampling of ['all', 'default'] as const) {
    it(`answer every recorded projector request (${sampling} sampling) with the recorded status and bytes`, async () => {
      const store = await openLogdir({ logdir: `${GOLDEN_HTTP}logdir`, reloadIntervalSeconds: 0 });
      try {
        await replayGolden(store, sampling);
      } finally {
        await store.close();
      }
    });
  }

  it('answer the recorded requests the same over a provider listing the runs only', async () => {
    await replayGolden(memoryProvider({ logdir: `${GOLDEN_HTTP}logdir`, runs: runsOf(`${GOLDEN_HTTP}logdir`) }), 'all');
  });

  async function replayGolden(provider: DataProvider, sampling: 'all' | 'default'): Promise<void> {
    {
      const { ctx, warnings } = routeContext(provider);
      const records = goldenRecords('/projector/', sampling);
      assert.ok(records.length >= 15);
      for (const record of records) {
        const query = record.query as Record<string, string>;
        const route = pluginRoute(record.path);
        const label = `${route} ${JSON.stringify(query)}`;
        if (record.status >= 400) {
          assert.equal(await status(() => call(ctx, route, query)), record.status, label);
          continue;
        }
        const reply = await call(ctx, route, query);
        assert.equal(reply.status, 200, label);
        assert.equal(reply.contentType.split(';')[0], record.content_type.split(';')[0], label);
        if (route === '/runs') assert.deepEqual(JSON.parse(bytesOf(reply).toString()).sort(), (record.body_json as string[]).sort());
        else if (record.body_json !== undefined) assert.deepEqual(JSON.parse(bytesOf(reply).toString()), record.body_json, label);
        else assert.ok(bytesOf(reply).equals(goldenBody(record)), label);
      }
      assert.deepEqual(warnings, []);
    }
  }

  it('is active when some run has a projector config', async () => {
    const { ctx } = contextFor(`${GOLDEN_HTTP}logdir`);
    assert.equal(await projectorRoutes.isActive?.(ctx), true);
  });
});

describe('projector routes against the projector plugin of TensorBoard itself', () => {
  it('answer 40 random logdirs x 15 requests as TensorBoard 2.20 does (status, MIME type, bytes)', async () => {
    const fixture = new URL('./fixtures/projector-tb/', import.meta.url);
    const cases = JSON.parse(readFileSync(new URL('cases.json', fixture), 'utf8')) as {
      files: Record<string, string>;
      runs: string[];
      requests: { route: string; query: Record<string, string>; response: { status?: number; mime?: string; json?: any; body?: string; crash?: string } }[];
    }[];
    let compared = 0;
    for (const [i, c] of cases.entries()) {
      const dir = mkdtempSync(join(tmpdir(), 'tbpipe-projector-tb-'));
      try {
        for (const [path, base64] of Object.entries(c.files)) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), Buffer.from(base64, 'base64'));
        }
        const { ctx } = routeContext(memoryProvider({ logdir: dir, runs: c.runs.map((r) => ({ name: r, path: join(dir, r), startTime: 0 })) }));
        for (const [j, r] of c.requests.entries()) {
          const want = r.response;
          if (want.crash) break; // TensorBoard's state is half-updated from here on
          const shared = (want.json?.embeddings as { tensorName?: string }[] | undefined)?.map((e) => e.tensorName ?? '');
          if (shared && new Set(shared).size !== shared.length) continue; // its name-keyed tensor cache, see README
          const label = `case ${i}.${j} ${r.route} ${JSON.stringify(r.query)}`;
          let reply: RouteReply;
          try {
            reply = await call(ctx, r.route, r.query);
          } catch (err) {
            assert.ok(err instanceof BadRequest, `${label}: ${err}`);
            assert.equal(err.status, want.status, `${label}: ${err.message}`);
            compared++;
            continue;
          }
          assert.equal(reply.status, want.status, label);
          assert.equal(reply.contentType.split(';')[0], want.mime, label);
          if (r.route === '/runs') assert.deepEqual(JSON.parse(bytesOf(reply).toString()).sort(), want.json.sort(), label);
          else if (r.route === '/info') assert.deepEqual(JSON.parse(bytesOf(reply).toString()), want.json, label);
          else assert.equal(bytesOf(reply).toString('base64'), want.body, label);
          compared++;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    assert.ok(compared >= 400, `compared ${compared}`);
  });
});

describe('projector_config.pbtxt parsing', () => {
  const parse = (text: string) => printMessage(PROJECTOR_SCHEMA, parseText(PROJECTOR_SCHEMA, messageType(PROJECTOR_SCHEMA, 'ProjectorConfig'), text)).replace(/\n\s*/g, ' ').trim();
  it('accepts what text_format.Parse accepts (outputs checked with protobuf-python 4.21.12)', () => {
    assert.equal(parse('embeddings { tensor_name: "" tensor_name: "x" }'), 'embeddings { tensor_name: "x" }');
    assert.equal(parse('embeddings { tensor_shape: [1,2] tensor_shape: 3 }'), 'embeddings { tensor_shape: 1 tensor_shape: 2 tensor_shape: 3 }');
    assert.equal(parse('embeddings: { tensor_name: "x"; }'), 'embeddings { tensor_name: "x" }');
    assert.equal(parse('embeddings < tensor_name: "x" >, model_checkpoint_dir: \'a\' "b"'), 'embeddings { tensor_name: "x" } model_checkpoint_dir: "ab"');
    assert.equal(parse('embeddings { tensor_name: "x\\303\\274" }'), 'embeddings { tensor_name: "x\\303\\274" }');
    assert.equal(parse('embeddings { tensor_shape: 0x10 tensor_shape: 010 } # comment'), 'embeddings { tensor_shape: 16 tensor_shape: 8 }');
  });

  it('refuses what text_format.Parse refuses', () => {
    const refuse = (text: string, pattern: RegExp) => assert.throws(() => parse(text), (err: Error) => err instanceof TextFormatError && pattern.test(err.message));
    refuse('model_checkpoint_path: "a" model_checkpoint_path: "b"', /should not have multiple "model_checkpoint_path" fields/);
    refuse('embeddings { sprite { image_path: "a" } sprite { single_image_dim: 3 } }', /multiple "sprite"/);
    refuse('unknown_field: 1', /has no field named "unknown_field"/);
    refuse('embeddings { tensor_shape: -1 }', /out of range/);
    refuse('embeddings { tensor_name: "x }', /unexpected character/);
  });
});

describe('projector files', () => {
  const root = mkdtempSync(join(tmpdir(), 'tbpipe-projector-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const logdir = join(root, 'logdir');
  const run = join(logdir, 'run');
  mkdirSync(join(run, 'sub'), { recursive: true });
  writeFileSync(join(run, 'events.out.tfevents.0.test'), '');
  writeFileSync(join(root, 'secret.tsv'), 'secret\n');
  writeFileSync(join(root, 'secret.png'), '\x89PNG\r\n\x1a\nsecret');
  symlinkSync(join(root, 'secret.png'), join(run, 'link.png'));
  writeFileSync(join(run, 'tensors.tsv'), '1\t2.5\r\n3_0\t-inf\r\n\r\n  5 \tnan\n');
  writeFileSync(join(run, 'labels.tsv'), 'name\tclass\r\na\t1\r\nb\t2\r\nc\t3\r\n');
  const binary = new Float32Array([1, 2, 3, 4, 5, 6]);
  writeFileSync(join(run, 'sub', 'vectors.bytes'), Buffer.from(binary.buffer));
  writeFileSync(join(run, 'bookmarks.json'), '[{"label":"x"}]');
  writeFileSync(
    join(run, 'projector_config.pbtxt'),
    [
      '# two inside, four pointing outside the logdir',
      'embeddings { tensor_name: "tsv:0" tensor_path: "tensors.tsv" metadata_path: "labels.tsv" bookmarks_path: "bookmarks.json" }',
      'embeddings { tensor_name: "bin" tensor_path: "sub/vectors.bytes" tensor_shape: [3, 2] }',
      'embeddings { tensor_name: "dotdot" tensor_path: "tensors.tsv" metadata_path: "../../secret.tsv" }',
      `embeddings { tensor_name: "absolute" tensor_path: "${join(root, 'secret.tsv')}" }`,
      'embeddings { tensor_name: "symlink" tensor_path: "tensors.tsv" sprite { image_path: "link.png" single_image_dim: [1, 1] } }',
      'embeddings { tensor_name: "encoded" tensor_path: "tensors.tsv" metadata_path: "%2e%2e/%2e%2e/secret.tsv" }',
    ].join('\n'),
  );

  it('parses a TSV tensor as TensorBoard does: universal newlines, blank lines skipped, Python floats, float32', () => {
    const t = parseTensorTsv('1\t2.5\r\n3_0\t-inf\r\n\r\n  5 \tnan\n');
    assert.deepEqual([t.rows, t.cols], [3, 2]);
    assert.deepEqual([...t.data], [1, 2.5, 30, -Infinity, 5, NaN]);
    assert.deepEqual([...parseTensorTsv('0.1\n').data], [Math.fround(0.1)]);
    assert.throws(() => parseTensorTsv('1\t2\n3\n'), /row 2 has 1 values, expected 2/);
    assert.throws(() => parseTensorTsv('1\t\n'), /not a number/);
    assert.throws(() => parseTensorTsv('0x10\n'), /not a number/);
  });

  it('serves TSV and raw float32 tensors, limited to num_rows, and completes the config as TensorBoard does', async () => {
    const { ctx } = contextFor(logdir);
    const info = JSON.parse(bytesOf(await call(ctx, '/info', { run: 'run' })).toString());
    assert.equal(info.embeddings[0].tensorName, 'tsv');
    assert.deepEqual(info.embeddings[0].tensorShape, [3, 2]);
    assert.deepEqual(info.embeddings[1].tensorShape, [3, 2]);
    const tsv = bytesOf(await call(ctx, '/tensor', { run: 'run', name: 'tsv:0', num_rows: '2' }));
    assert.deepEqual([...new Float32Array(tsv.buffer.slice(tsv.byteOffset, tsv.byteOffset + tsv.length))], [1, 2.5, 30, -Infinity]);
    const bin = bytesOf(await call(ctx, '/tensor', { run: 'run', name: 'bin' }));
    assert.ok(bin.equals(Buffer.from(binary.buffer)));
    assert.equal(await status(() => call(ctx, '/tensor', { run: 'run', name: 'bin', num_rows: '0' })), 400);
    assert.equal(await status(() => call(ctx, '/tensor', { run: 'run', name: 'nope' })), 400);
  });

  it('serves metadata with its header row not counted in num_rows, and bookmarks as stored', async () => {
    const { ctx } = contextFor(logdir);
    assert.equal(bytesOf(await call(ctx, '/metadata', { run: 'run', name: 'tsv', num_rows: '2' })).toString(), 'name\tclass\na\t1\nb\t2\n');
    assert.equal(bytesOf(await call(ctx, '/bookmarks', { run: 'run', name: 'tsv' })).toString(), '[{"label":"x"}]');
    assert.equal(await status(() => call(ctx, '/bookmarks', { run: 'run', name: 'bin' })), 400);
  });

  it('refuses ../, absolute and symlinked paths out of the logdir with a 400 and one warning per path', async () => {
    const { ctx, warnings } = contextFor(logdir);
    assert.equal(await status(() => call(ctx, '/metadata', { run: 'run', name: 'dotdot' })), 400);
    assert.equal(await status(() => call(ctx, '/metadata', { run: 'run', name: 'dotdot' })), 400);
    assert.equal(await status(() => call(ctx, '/tensor', { run: 'run', name: 'absolute' })), 400);
    assert.equal(await status(() => call(ctx, '/sprite_image', { run: 'run', name: 'symlink' })), 400);
    const refused = warnings.filter((w) => w.message.includes('outside the logdir')).map((w) => (w.fields as { path: string }).path);
    assert.deepEqual(refused.sort(), ['../../secret.tsv', join(root, 'secret.tsv'), 'link.png'].sort());
    assert.equal(warnings.length, 3, JSON.stringify(warnings));
    // The absolute tensor is listed without a shape (TensorBoard 2.21 skips it the same way) and never read.
    const info = JSON.parse(bytesOf(await call(ctx, '/info', { run: 'run' })).toString());
    assert.equal(info.embeddings[3].tensorShape, undefined);
  });

  it('takes URL-encoded names literally: a config path and a request run are never decoded a second time', async () => {
    const { ctx, warnings } = contextFor(logdir);
    assert.equal(await status(() => call(ctx, '/metadata', { run: 'run', name: 'encoded' })), 400);
    assert.equal(await status(() => call(ctx, '/info', { run: '%2e%2e' })), 400);
    assert.equal(await status(() => call(ctx, '/info', { run: '../run' })), 400);
    assert.deepEqual(warnings.filter((w) => (w.fields as { path?: string }).path?.includes('%2e')), []);
  });

  it('reads a config from the plugin assets folder, and refuses a config that is a symlink out of the logdir', async () => {
    const root2 = mkdtempSync(join(tmpdir(), 'tbpipe-projector-'));
    try {
      const logdir2 = join(root2, 'logdir');
      const assets = join(logdir2, 'assets-run', 'plugins', 'org_tensorflow_tensorboard_projector');
      mkdirSync(assets, { recursive: true });
      writeFileSync(join(logdir2, 'assets-run', 'events.out.tfevents.0.test'), '');
      writeFileSync(join(assets, 'v.tsv'), '1\t2\n');
      writeFileSync(join(assets, 'projector_config.pbtxt'), 'embeddings { tensor_path: "v.tsv" }');
      mkdirSync(join(logdir2, 'linked-run'));
      writeFileSync(join(logdir2, 'linked-run', 'events.out.tfevents.0.test'), '');
      writeFileSync(join(root2, 'outside.pbtxt'), 'embeddings { tensor_path: "v.tsv" }');
      symlinkSync(join(root2, 'outside.pbtxt'), join(logdir2, 'linked-run', 'projector_config.pbtxt'));
      const { ctx, warnings } = contextFor(logdir2);
      assert.deepEqual(JSON.parse(bytesOf(await call(ctx, '/runs', {})).toString()), ['assets-run']);
      // Unnamed: named after its tensor file, as TensorBoard names it; shape read from the file.
      assert.deepEqual(JSON.parse(bytesOf(await call(ctx, '/info', { run: 'assets-run' })).toString()), {
        embeddings: [{ tensorName: 'v.tsv', tensorShape: [1, 2], tensorPath: 'v.tsv' }],
      });
      await call(ctx, '/runs', {});
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /outside the logdir/);
    } finally {
      rmSync(root2, { recursive: true, force: true });
    }
  });

  it('takes the logdir itself as run "." when it holds a config, beside the other runs', async () => {
    const root4 = mkdtempSync(join(tmpdir(), 'tbpipe-projector-'));
    try {
      mkdirSync(join(root4, 'r'));
      writeFileSync(join(root4, 'r', 'events.out.tfevents.0.test'), '');
      writeFileSync(join(root4, 't.tsv'), '1\t2\t3\n');
      writeFileSync(join(root4, 'projector_config.pbtxt'), 'embeddings { tensor_name: "t:0" tensor_path: "t.tsv" }');
      const { ctx } = contextFor(root4);
      assert.deepEqual(JSON.parse(bytesOf(await call(ctx, '/runs', {})).toString()), ['.']);
      assert.deepEqual(JSON.parse(bytesOf(await call(ctx, '/info', { run: '.' })).toString()), { embeddings: [{ tensorName: 't', tensorShape: [1, 3], tensorPath: 't.tsv' }] });
    } finally {
      rmSync(root4, { recursive: true, force: true });
    }
  });

  it('answers a 400, not a crash, when a named file is a directory', async () => {
    const root3 = mkdtempSync(join(tmpdir(), 'tbpipe-projector-'));
    try {
      const dirRun = join(root3, 'r');
      mkdirSync(join(dirRun, 'tensors.tsv'), { recursive: true });
      mkdirSync(join(dirRun, 'meta'));
      writeFileSync(join(dirRun, 'events.out.tfevents.0.test'), '');
      writeFileSync(join(dirRun, 'projector_config.pbtxt'), 'embeddings { tensor_name: "t" tensor_path: "tensors.tsv" metadata_path: "meta" }');
      const { ctx, warnings } = contextFor(root3);
      assert.deepEqual(JSON.parse(bytesOf(await call(ctx, '/runs', {})).toString()), ['r']);
      assert.equal(await status(() => call(ctx, '/tensor', { run: 'r', name: 't' })), 400);
      assert.equal(await status(() => call(ctx, '/metadata', { run: 'r', name: 't' })), 400);
      assert.equal(warnings.length, 1);
    } finally {
      rmSync(root3, { recursive: true, force: true });
    }
  });

  it('re-reads a config and a tensor file when they change', async () => {
    const { ctx } = contextFor(logdir);
    const before = JSON.parse(bytesOf(await call(ctx, '/info', { run: 'run' })).toString());
    assert.deepEqual(before.embeddings[0].tensorShape, [3, 2]);
    const path = join(run, 'tensors.tsv');
    writeFileSync(path, '1\t2\t3\n');
    const mtime = statSync(path).mtime;
    const info = JSON.parse(bytesOf(await call(ctx, '/info', { run: 'run' })).toString());
    assert.deepEqual(info.embeddings[0].tensorShape, [1, 3], `mtime ${mtime.toISOString()}`);
  });
});
