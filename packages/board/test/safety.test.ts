/**
 * The board never serves a byte outside its logdir: request paths, run names and the paths a projector_config.pbtxt
 * names are resolved and checked (lexically and after following symbolic links).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SummaryWriter } from '@tbpipe/eventlog';
import { startBoard, type Board } from '../src/index.ts';
import { resolveInsideLogdir } from '../src/routes/paths.ts';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-LOGDIR';

/** A raw GET, so `..` and `//` reach the server exactly as written (fetch would normalise them). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('safety: nothing outside the logdir is served', () => {
  let root: string;
  let logdir: string;
  let board: Board;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-board-safety-'));
    logdir = join(root, 'logdir');
    const outside = join(root, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.tsv'), `${SECRET}\n1\t2\n`);
    await writeFile(join(outside, 'secret.png'), SECRET);
    const writer = new SummaryWriter(join(logdir, 'run'));
    writer.addScalar('loss', 0.5, 0, 100);
    await writer.close();
    await writeFile(join(logdir, 'run', 'inside.tsv'), '0.1\t0.2\n0.3\t0.4\n');
    // Links inside the logdir that point out of it: a file and a whole directory.
    await symlink(join(outside, 'secret.tsv'), join(logdir, 'run', 'link-out.tsv'));
    await symlink(outside, join(logdir, 'run', 'dir-out'));
    await writeFile(
      join(logdir, 'run', 'projector_config.pbtxt'),
      [
        `embeddings {\n  tensor_name: "absolute:00000"\n  tensor_path: "${join(outside, 'secret.tsv')}"\n}`,
        `embeddings {\n  tensor_name: "dotdot:00000"\n  tensor_path: "../../outside/secret.tsv"\n  metadata_path: "../../outside/secret.tsv"\n}`,
        `embeddings {\n  tensor_name: "symlink:00000"\n  tensor_path: "link-out.tsv"\n  metadata_path: "dir-out/secret.tsv"\n  sprite { image_path: "dir-out/secret.png" single_image_dim: 1 single_image_dim: 1 }\n}`,
        `embeddings {\n  tensor_name: "fine:00000"\n  tensor_path: "inside.tsv"\n}`,
      ].join('\n'),
    );
    board = await startBoard({ logdir, port: 0, reloadIntervalSeconds: 0 });
  });
  after(async () => {
    await board?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('resolveInsideLogdir accepts paths inside and refuses .., absolute paths elsewhere, symlinks out and NUL', async () => {
    const ok = await resolveInsideLogdir(logdir, 'inside.tsv', join(logdir, 'run'));
    assert.deepEqual(ok.ok, true);
    assert.equal((await resolveInsideLogdir(logdir, join(logdir, 'run', 'inside.tsv'))).ok, true, 'an absolute path inside is fine');
    for (const candidate of ['../outside/secret.tsv', '../../etc/passwd', join(root, 'outside', 'secret.tsv'), '/etc/passwd', 'run/link-out.tsv', 'run/dir-out/secret.tsv', 'run/inside.tsv\0']) {
      const r = await resolveInsideLogdir(logdir, candidate);
      assert.deepEqual(r, { ok: false, reason: 'outside' }, candidate);
    }
    assert.deepEqual(await resolveInsideLogdir(logdir, '%2e%2e/outside/secret.tsv'), { ok: false, reason: 'missing' }, 'a literal %2e%2e is just a name');
  });

  it('answers traversal in the request path with 404, plain, URL-encoded or double-encoded', async () => {
    const paths = [
      '/../outside/secret.tsv',
      '/../../../../etc/passwd',
      '/%2e%2e/outside/secret.tsv',
      '/%2e%2e%2foutside%2fsecret.tsv',
      '/%252e%252e/outside/secret.tsv',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '//etc/passwd',
      '/data/plugin/..%2f..%2foutside/secret.tsv',
      '/data/plugin/projector/..%2f..%2f..%2foutside%2fsecret.tsv',
      '/experiment/..%2f../data/runs/../../outside/secret.tsv',
      `/${join(root, 'outside', 'secret.tsv')}`,
    ];
    for (const path of paths) {
      const res = await rawGet(board.url, path);
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      assert.ok(!res.body.includes(SECRET) && !res.body.includes('root:'), path);
    }
  });

  it('treats run and tag parameters as names, never as paths', async () => {
    for (const run of ['..', '../outside', '/etc', join(root, 'outside'), '%2e%2e', 'run/../..']) {
      const q = `run=${encodeURIComponent(run)}&tag=${encodeURIComponent('secret.tsv')}`;
      for (const route of ['/data/plugin/scalars/scalars', '/data/plugin/images/images', '/data/plugin/text/text', '/data/plugin/projector/tensor']) {
        const res = await rawGet(board.url, `${route}?${q}&name=fine%3A00000`);
        assert.ok(res.status < 500, `${route} ${run}: ${res.status}`);
        assert.ok(!res.body.includes(SECRET), `${route} ${run}`);
      }
    }
  });

  it('refuses projector files named by an absolute path, by .., or through a symlink out of the logdir', async (t) => {
    const runs = await rawGet(board.url, '/data/plugin/projector/runs');
    if (runs.status === 404) return t.skip('projector routes not wired in this build');
    for (const name of ['absolute:00000', 'dotdot:00000', 'symlink:00000']) {
      for (const route of ['tensor', 'metadata', 'sprite_image']) {
        const res = await rawGet(board.url, `/data/plugin/projector/${route}?run=run&name=${encodeURIComponent(name)}&num_rows=100`);
        assert.ok(res.status >= 400 && res.status < 500, `${route} ${name}: ${res.status}`);
        assert.ok(!res.body.includes(SECRET), `${route} ${name} leaked the file`);
      }
    }
    const fine = await rawGet(board.url, '/data/plugin/projector/tensor?run=run&name=fine%3A00000&num_rows=100');
    assert.equal(fine.status, 200, 'a file inside the logdir is served');
  });
});
