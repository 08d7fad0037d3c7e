import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startCacheServer, TEMP_DIR, type CacheServer } from '../src/index.ts';
import { send, tempDir } from './helpers.ts';

const servers: CacheServer[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function start(options: Parameters<typeof startCacheServer>[0] = {}) {
  const dir = options.dir ?? (await tempDir('api'));
  dirs.push(dir);
  const server = await startCacheServer({ dir, ...options });
  servers.push(server);
  return { server, dir, at: (hash: string) => `${server.url}/v1/cache/${hash}` };
}

describe('the Nx remote cache API', () => {
  test('a PUT answers 200 and a GET of the same hash returns the exact bytes', async () => {
    const { at, dir } = await start();
    const body = randomBytes(100_000);
    const put = await send(at('1234567890'), { method: 'PUT', body });
    assert.equal(put.status, 200);
    const get = await send(at('1234567890'));
    assert.equal(get.status, 200);
    assert.equal(get.headers['content-type'], 'application/octet-stream');
    assert.equal(get.headers['content-length'], String(body.length));
    assert.deepEqual(get.body, body);
    assert.deepEqual(await readFile(join(dir, '1234567890')), body);
  });

  test('a GET of an unknown hash is 404', async () => {
    const { at } = await start();
    assert.equal((await send(at('42'))).status, 404);
  });

  test('a second PUT of a hash is 409 and leaves the first artifact untouched', async () => {
    const { at } = await start();
    const first = Buffer.from('first');
    assert.equal((await send(at('7'), { method: 'PUT', body: first })).status, 200);
    assert.equal((await send(at('7'), { method: 'PUT', body: Buffer.from('second!') })).status, 409);
    assert.deepEqual((await send(at('7'))).body, first);
  });

  test('a PUT over maxBytes is 413 and stores nothing', async () => {
    const { at } = await start({ maxBytes: 1000 });
    assert.equal((await send(at('8'), { method: 'PUT', body: Buffer.alloc(1000, 1) })).status, 200);
    const over = await send(at('9'), { method: 'PUT', body: Buffer.alloc(1001, 1) });
    assert.equal(over.status, 413);
    assert.match(over.body.toString(), /body of 1001 bytes, expected at most 1000/);
    assert.equal((await send(at('9'))).status, 404);
  });

  test('a PUT without Content-Length (chunked) is 411, as the spec requires the header', async () => {
    const { at } = await start();
    assert.equal((await send(at('10'), { method: 'PUT', body: Buffer.from('abc'), chunked: true })).status, 411);
    assert.equal((await send(at('10'))).status, 404);
  });

  test('an upload cut short before Content-Length bytes is not stored', async () => {
    const { server, at, dir } = await start();
    const { port } = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('PUT /v1/cache/11 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
        socket.write(Buffer.alloc(400, 2));
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    // The server learns of the hang-up asynchronously; give it a moment, then nothing may be visible.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await send(at('11'))).status, 404);
    assert.deepEqual(await readdir(join(dir, TEMP_DIR)), []);
    // And the hash is still free for a complete upload.
    assert.equal((await send(at('11'), { method: 'PUT', body: Buffer.alloc(1000, 3) })).status, 200);
  });

  test('concurrent PUTs of one hash store exactly one complete artifact and answer the rest 409', async () => {
    const { at, dir } = await start();
    const size = 2 * 1024 * 1024;
    const bodies = Array.from({ length: 6 }, (_, i) => Buffer.alloc(size, i + 1));
    const replies = await Promise.all(bodies.map((body) => send(at('555'), { method: 'PUT', body })));
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409]);
    const stored = await readFile(join(dir, '555'));
    assert.equal(stored.length, size);
    assert.ok(bodies.some((b) => b.equals(stored)), 'the stored file is one upload, whole, not a mix');
    assert.deepEqual(await readdir(join(dir, TEMP_DIR)), []);
  });

  test('a malformed hash is 400, other paths 404, other methods 405', async () => {
    const { server, at } = await start();
    assert.equal((await send(at('..%2F..%2Fetc%2Fpasswd'))).status, 400);
    assert.equal((await send(at('a.b'), { method: 'PUT', body: Buffer.from('x') })).status, 400);
    assert.equal((await send(`${server.url}/v2/cache/1`)).status, 404);
    const post = await send(at('1'), { method: 'POST', body: Buffer.from('x') });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD, PUT');
  });

  test('a doubled slash from a trailing "/" in the server URL still reaches the API', async () => {
    const { server } = await start();
    assert.equal((await send(`${server.url}//v1/cache/12`, { method: 'PUT', body: Buffer.from('x') })).status, 200);
    assert.equal((await send(`${server.url}/v1/cache/12`)).status, 200);
  });
});

describe('bearer tokens', () => {
  test('without a token, or with an unknown one, both methods are 401 with a text/plain message for the Nx user', async () => {
    const { at } = await start({ readToken: 'r-token', writeToken: 'w-token' });
    for (const token of [undefined, 'nope']) {
      for (const method of ['GET', 'PUT']) {
        const reply = await send(at('20'), { method, token, body: method === 'PUT' ? Buffer.from('x') : undefined });
        assert.equal(reply.status, 401, `${method} with ${token}`);
        // Nx compares the content type to exactly "text/plain"; with a charset it reports a misconfigured server.
        assert.equal(reply.headers['content-type'], 'text/plain');
        assert.match(reply.body.toString(), /NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN/);
      }
    }
  });

  test('the read token may GET but a PUT with it is 403; the write token may do both', async () => {
    const { at } = await start({ readToken: 'r-token', writeToken: 'w-token' });
    assert.equal((await send(at('21'), { method: 'PUT', token: 'r-token', body: Buffer.from('x') })).status, 403);
    assert.equal((await send(at('21'), { method: 'PUT', token: 'w-token', body: Buffer.from('y') })).status, 200);
    assert.equal((await send(at('21'), { token: 'r-token' })).body.toString(), 'y');
    assert.equal((await send(at('21'), { token: 'w-token' })).body.toString(), 'y');
  });

  test('with only a read token configured the server is read-only: every PUT is 403', async () => {
    const { at } = await start({ readToken: 'r-token' });
    assert.equal((await send(at('22'), { method: 'PUT', token: 'r-token', body: Buffer.from('x') })).status, 403);
    assert.equal((await send(at('22'), { token: 'r-token' })).status, 404);
  });
});

describe('shutdown', () => {
  test('close() lets an upload in flight finish, then refuses new connections', async () => {
    const { server, at } = await start();
    const { port } = new URL(server.url);
    const reply = new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('PUT /v1/cache/30 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
      });
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => socket.write('world'), 150);
    });
    await new Promise((r) => setTimeout(r, 50));
    const closed = server.close();
    const text = await reply;
    assert.match(text, /^HTTP\/1\.1 200/);
    assert.match(text, /Connection: close/i);
    await closed;
    await assert.rejects(send(at('30')), /ECONNREFUSED/);
  });

  test('close() does not wait for idle keep-alive connections', async () => {
    const { server, at } = await start({ shutdownGraceMillis: 60_000 });
    const agent = new Agent({ keepAlive: true });
    assert.equal((await send(at('31'), { agent })).status, 404);
    await server.close(); // would hang for the grace period if the idle socket were waited on
    agent.destroy();
  });
});
