// End to end against the Nx this repository installs: tiny throwaway workspaces in a temp dir, each its own nx.json
// and local cache, talking to a real server. These are the claims docs/remote-cache.md makes about Nx 24.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCacheServer, TEMP_DIR, type CacheServer } from '../src/index.ts';
import { tempDir } from './helpers.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const NX = join(repoRoot, 'node_modules/nx/dist/bin/nx.js');

// Two projects, beta after alpha, like train → evaluate. Each script writes its declared output and appends to
// ran.log, which is outside every output and input: a restored task leaves no line there.
const FILES: Record<string, string> = {
  'nx.json': JSON.stringify({
    analytics: false,
    neverConnectToCloud: true,
    useDaemonProcess: false,
    cacheDirectory: '.nx/cache',
    tui: { enabled: false },
  }),
  'package.json': JSON.stringify({ name: 'e2e-ws', private: true }),
  'alpha/project.json': JSON.stringify({
    name: 'alpha',
    root: 'alpha',
    targets: {
      make: {
        command: 'node alpha/make.mjs',
        cache: true,
        inputs: ['{projectRoot}/**/*'],
        outputs: ['{workspaceRoot}/out/alpha'],
      },
    },
  }),
  'alpha/make.mjs': `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('out/alpha', { recursive: true });
writeFileSync('out/alpha/model.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 251)));
appendFileSync('ran.log', 'alpha\\n');
console.log('alpha trained');
`,
  'beta/project.json': JSON.stringify({
    name: 'beta',
    root: 'beta',
    targets: {
      make: {
        command: 'node beta/make.mjs',
        cache: true,
        dependsOn: [{ projects: ['alpha'], target: 'make' }],
        inputs: ['{projectRoot}/**/*', { dependentTasksOutputFiles: '**/*', transitive: true }],
        outputs: ['{workspaceRoot}/out/beta'],
      },
    },
  }),
  'beta/make.mjs': `import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const model = readFileSync('out/alpha/model.bin');
mkdirSync('out/beta', { recursive: true });
writeFileSync('out/beta/report.json', JSON.stringify({ bytes: model.length, first: model[1] }));
appendFileSync('ran.log', 'beta\\n');
console.log('beta evaluated');
`,
};

const created: string[] = [];
after(() => Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true }))));

async function createWorkspace(label: string, edits: Record<string, string> = {}): Promise<string> {
  const ws = await tempDir(`ws-${label}`);
  created.push(ws);
  for (const [path, text] of Object.entries({ ...FILES, ...edits })) {
    await mkdir(join(ws, path, '..'), { recursive: true });
    await writeFile(join(ws, path), text);
  }
  await symlink(join(repoRoot, 'node_modules'), join(ws, 'node_modules'), 'dir');
  return ws;
}

interface NxRun {
  code: number;
  output: string;
  ran: string[];
}

/** Async on purpose: the server lives in this process, and spawnSync would block it from answering Nx. */
function runNx(ws: string, env: Record<string, string>): Promise<NxRun> {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('NX_')) delete base[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [NX, 'run', 'beta:make', '--outputStyle=stream'],
      { cwd: ws, env: { ...base, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', ...env }, timeout: 60_000 },
      async (err, stdout, stderr) => {
        const log = join(ws, 'ran.log');
        const ran = existsSync(log) ? (await readFile(log, 'utf8')).split('\n').filter(Boolean) : [];
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr, ran });
      },
    );
  });
}

async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return `http://127.0.0.1:${port}`;
}

describe('Nx 24 against tbpipe-cache-server', { timeout: 120_000 }, () => {
  let server: CacheServer;
  let storeDir: string;
  const WRITE = 'write-secret';
  const READ = 'read-secret';

  before(async () => {
    storeDir = await tempDir('store');
    created.push(storeDir);
    server = await startCacheServer({ dir: storeDir, readToken: READ, writeToken: WRITE });
  });
  after(() => server?.close());

  const entries = async () => (await readdir(storeDir)).filter((n) => n !== TEMP_DIR).sort();

  test('a fresh clone with an empty local cache restores every task from the server without running it', async () => {
    const env = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: WRITE };
    const first = await createWorkspace('first');
    const one = await runNx(first, env);
    assert.equal(one.code, 0, one.output);
    assert.deepEqual(one.ran, ['alpha', 'beta']);
    assert.equal((await entries()).length, 2, 'one artifact per task was uploaded');

    const second = await createWorkspace('second');
    const two = await runNx(second, env);
    assert.equal(two.code, 0, two.output);
    assert.deepEqual(two.ran, [], 'neither task ran in the second clone');
    assert.match(two.output, /alpha:make {2}\S*\[remote cache\]/);
    assert.match(two.output, /2 out of 2 tasks/);
    for (const file of ['out/alpha/model.bin', 'out/beta/report.json']) {
      assert.deepEqual(await readFile(join(second, file)), await readFile(join(first, file)), file);
    }
    assert.match(two.output, /beta evaluated/, 'the terminal output is replayed too');
  });

  test('a read-only token (a CI run for a fork) restores hits, and its misses run and are not uploaded', async () => {
    const env = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: READ };
    const before = await entries();
    // beta's script changes, alpha's does not: alpha restores, beta misses and runs; its PUT gets 403.
    const fork = await createWorkspace('fork', { 'beta/make.mjs': `${FILES['beta/make.mjs']}// fork edit\n` });
    const run = await runNx(fork, env);
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.ran, ['beta']);
    assert.deepEqual(await entries(), before, 'nothing was written with the read token');
  });

  test('a wrong token fails the run before any task runs', async () => {
    const ws = await createWorkspace('wrong-token', { 'alpha/make.mjs': `${FILES['alpha/make.mjs']}// new\n` });
    const run = await runNx(ws, {
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'guess',
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.ran, []);
    assert.match(run.output, /Unauthorized: tbpipe cache server: missing or unknown token/);
  });

  test('with the variable pointing at a closed port, a local cache miss fails the whole run and nothing runs', async () => {
    const ws = await createWorkspace('down');
    const down = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: await closedPortUrl() };
    const run = await runNx(ws, down);
    assert.equal(run.code, 1);
    assert.deepEqual(run.ran, []);
    assert.match(run.output, /Failed to send request: error sending request for url \(http:\/\/127\.0\.0\.1:\d+\/v1\/cache\/\d+\)/);
    assert.match(run.output, /did not complete/);

    // The ways out: skip the remote cache (flag or NX_SKIP_REMOTE_CACHE=true) — tasks run and cache locally ...
    const skipped = await runNx(ws, { ...down, NX_SKIP_REMOTE_CACHE: 'true' });
    assert.equal(skipped.code, 0, skipped.output);
    assert.deepEqual(skipped.ran, ['alpha', 'beta']);
    // ... and local hits never touch the server, so a warm local cache survives the server being down.
    const warm = await runNx(ws, down);
    assert.equal(warm.code, 0, warm.output);
    assert.deepEqual(warm.ran, ['alpha', 'beta'], 'no new runs');
    // A run that mixes local hits and a miss fails at the miss: alpha restores locally, beta never starts.
    await writeFile(join(ws, 'beta/make.mjs'), `${FILES['beta/make.mjs']}// edit\n`);
    const mixed = await runNx(ws, down);
    assert.equal(mixed.code, 1);
    assert.deepEqual(mixed.ran, ['alpha', 'beta'], 'beta did not run');
    assert.match(mixed.output, /alpha:make {2}\S*\[local cache\]/);
  });
});

test('a server that answers a PUT with the OpenAPI spec\'s 202 makes Nx 24 fail the task it just ran', async () => {
  const stub = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(req.method === 'PUT' ? 202 : 404, { 'content-type': 'text/plain' }).end();
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  try {
    const { port } = stub.address() as { port: number };
    const ws = await createWorkspace('accepted');
    const run = await runNx(ws, { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `http://127.0.0.1:${port}` });
    assert.equal(run.code, 1);
    assert.deepEqual(run.ran, ['alpha'], 'alpha ran, then failed on its upload; beta never started');
    assert.match(run.output, /Misconfigured remote cache endpoint: Unexpected response status: 202 Accepted/);
  } finally {
    stub.closeAllConnections();
    await new Promise((r) => stub.close(r));
  }
});
