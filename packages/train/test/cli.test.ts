import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = new URL('../bin/tbpipe-train.mjs', import.meta.url).pathname;
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TBPIPE_LOG_LEVEL: 'silent' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('tbpipe-train --help documents inputs, outputs and every flag', () => {
  const r = run(['--help']);
  assert.equal(r.code, 0);
  for (const text of ['--data', '--out', '--run-dir', 'history.arrow', 'manifest.json', 'volatile/', '--batch-size', '--learning-rate', '--momentum', '--epochs', '--seed', '--init', '--backend', '--log-every-steps', '--checkpoint-every-steps', '--max-steps']) {
    assert.ok(r.out.includes(text), text);
  }
});

test('tbpipe-train rejects a zero batch size and an unknown backend with one line and exit code 2', () => {
  const dirs = ['--data', 'd', '--out', 'o', '--run-dir', 'r'];
  assert.deepEqual(run([...dirs, '--batch-size', '0']), {
    code: 2,
    out: '',
    err: 'tbpipe-train: --batch-size is "0", expected an integer ≥ 1; see tbpipe-train --help\n',
  });
  assert.deepEqual(run([...dirs, '--backend', 'gpu']), {
    code: 2,
    out: '',
    err: 'tbpipe-train: --backend is "gpu", expected one of auto, tensorflow, wasm, cpu; see tbpipe-train --help\n',
  });
});

test('tbpipe-train exits 1 with one line when the data directory has no manifest', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'train-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = run(['--data', join(dir, 'none'), '--out', join(dir, 'out'), '--run-dir', join(dir, 'run')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^tbpipe-train: contract: cannot read .*manifest\.json \(ENOENT\), expected a tbpipe\.ingest\/v2 manifest; [^\n]*\n$/);
});

test('tbpipe-train exits 1 with one line naming the layer and field for a bad --network, an unknown name or bad inline JSON', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'train-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dirs = ['--data', join(dir, 'none'), '--out', join(dir, 'out'), '--run-dir', join(dir, 'run')];
  const bad = run([...dirs, '--network', '{"layers":[{"type":"conv2d","filters":4,"kernelSize":3,"stride":2,"padding":"same"}]}']);
  assert.deepEqual(bad, {
    code: 1,
    out: '',
    err: "tbpipe-train: network: layer 0 (conv2d) padding 'same' with stride 2, expected stride 1 for 'same' (or a number); fix the network spec\n",
  });
  const unknown = run([...dirs, '--network', '{"layers":[{"type":"softmax"}]}']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /^tbpipe-train: network: layer 0 \(softmax\) type 'softmax', expected conv2d \| [^\n]*\n$/);
  const missing = run([...dirs, '--network', 'resnet']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^tbpipe-train: network: 'resnet' is neither a built-in nor an existing file, expected tutorial \| wide \| lenet5-rgb \| mlp \| batchnorm or a path to a JSON layer list; check --network\n$/);
});
