import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, TbpipeError, UsageError, type CliSpec } from '../src/index.ts';
import { captureOutput } from './helpers/capture.ts';

async function capture(spec: CliSpec, argv: string[]) {
  const { result: code, out, err } = await captureOutput(() => runCli(spec, argv));
  return { code, out, err };
}

const spec = (run: CliSpec['run']): CliSpec => ({
  name: 'tbpipe-demo',
  help: 'usage: tbpipe-demo --out <dir>',
  options: { out: { type: 'string' } },
  run,
});

test('runCli prints help on --help and exits 0 without running', async () => {
  let ran = false;
  const r = await capture(spec(async () => void (ran = true)), ['--help']);
  assert.deepEqual(r, { code: 0, out: 'usage: tbpipe-demo --out <dir>\n', err: '' });
  assert.equal(ran, false);
});

test('runCli rejects an unknown flag with one line and exit code 2', async () => {
  const r = await capture(spec(async () => {}), ['--nope']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^tbpipe-demo: Unknown option '--nope'.*; see tbpipe-demo --help\n$/);
});

test('runCli prints an expected error as one line without a stack and exits 1', async () => {
  const r = await capture(
    spec(async () => {
      throw new TbpipeError('X', 'demo: saw 1, expected 2; fix it');
    }),
    ['--out', 'x'],
  );
  assert.deepEqual(r, { code: 1, out: '', err: 'tbpipe-demo: demo: saw 1, expected 2; fix it\n' });
});

test('runCli gives usage errors exit code 2 and a pointer to --help', async () => {
  const r = await capture(
    spec(async () => {
      throw new UsageError('--out is required');
    }),
    [],
  );
  assert.deepEqual(r, { code: 2, out: '', err: 'tbpipe-demo: --out is required; see tbpipe-demo --help\n' });
});

test('runCli passes parsed values to the stage and exits 0', async () => {
  let seen: unknown;
  const r = await capture(
    spec(async ({ values }) => {
      seen = values.out;
    }),
    ['--out', 'artifacts/x'],
  );
  assert.equal(r.code, 0);
  assert.equal(seen, 'artifacts/x');
});

test('runCli prints an operating-system error on a path (an --out that is a file) as one line, exit 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'core-'));
  const file = join(dir, 'file');
  await writeFile(file, 'x');
  const r = await capture(spec(async ({ values }) => void (await mkdir(values.out as string, { recursive: true }))), ['--out', file]);
  assert.deepEqual(r, {
    code: 1,
    out: '',
    err: `tbpipe-demo: fs: mkdir ${file} failed (EEXIST: a file is in the way), expected a path this program can use; check the path flags (a directory flag must name a directory, not a file) and permissions\n`,
  });
});

test('runCli still treats a missing file of its own (ENOENT) as a bug', async () => {
  const r = await capture(
    spec(async () => {
      throw Object.assign(new Error("ENOENT: no such file or directory, open '/nowhere/kernel.wasm'"), { code: 'ENOENT', syscall: 'open', path: '/nowhere/kernel.wasm' });
    }),
    [],
  );
  assert.equal(r.code, 70);
});
