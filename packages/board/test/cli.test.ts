import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/tbpipe-board.mjs', import.meta.url));
const LOGDIR = fileURLToPath(new URL('./fixtures/golden-http/logdir', import.meta.url));

/** Starts the bin, resolves with the first stdout line (the URL) and the process. */
function serve(...args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TBPIPE_LOG_LEVEL: 'info' } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing a URL: ${stderr}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, url, exited, stderr: () => stderr };
}

describe('tbpipe-board', () => {
  it('prints the URL, serves the logdir, and exits 0 without a stack on SIGTERM', async () => {
    const board = serve('--logdir', LOGDIR, '--port', '0', '--reload-interval', '0');
    const url = await board.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const runs = await (await fetch(`${url}data/runs`)).json();
    assert.ok((runs as string[]).includes('scalars'));
    board.child.kill('SIGTERM');
    const { code } = await board.exited;
    assert.equal(code, 0, board.stderr());
    assert.doesNotMatch(board.stderr(), /\n\s+at /, 'no stack trace');
    assert.match(board.stderr(), /shutting down/);
  });

  it('also stops cleanly on SIGINT (Ctrl-C)', async () => {
    const board = serve('--logdir', LOGDIR, '--port', '0', '--reload-interval', '0');
    await board.url;
    board.child.kill('SIGINT');
    assert.equal((await board.exited).code, 0, board.stderr());
  });

  it('refuses a logdir that does not exist with one line and exit code 2', () => {
    const r = spawnSync(process.execPath, [BIN, '--logdir', join(tmpdir(), 'no-such-logdir-tbpipe')], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /does not exist/);
  });

  it('refuses a logdir that is a file with one line and exit code 2', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tbpipe-board-cli-')), 'file');
    writeFileSync(file, 'x');
    const r = spawnSync(process.execPath, [BIN, '--logdir', file], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /is not a directory/);
  });

  it('names the port and --port in one line when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [BIN, '--logdir', LOGDIR, '--port', String(port), '--reload-interval', '0'], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], new RegExp(`port ${port}.*--port`));
    } finally {
      blocker.close();
    }
  });

  it('warns in one line that the logdir becomes readable on the network for a non-loopback host', async () => {
    const board = serve('--logdir', LOGDIR, '--port', '0', '--host', '0.0.0.0', '--reload-interval', '0');
    await board.url;
    board.child.kill('SIGTERM');
    await board.exited;
    const warnings = board.stderr().split('\n').filter((l) => /readable|anyone who can reach/.test(l));
    assert.equal(warnings.length, 1, board.stderr());
  });

  it('rejects a malformed --samples-per-plugin with exit code 2', () => {
    const r = spawnSync(process.execPath, [BIN, '--logdir', LOGDIR, '--samples-per-plugin', 'scalars=many'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--samples-per-plugin entry "scalars=many"/);
  });
});
