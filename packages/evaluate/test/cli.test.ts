import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/tbpipe-evaluate.mjs', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TBPIPE_LOG_LEVEL: 'silent' } });

test('--help documents every input, output and flag', () => {
  const r = cli('--help');
  assert.equal(r.status, 0);
  for (const s of ['--data', '--model', '--predictions', '--class-names', '--out', '--run-dir', '--num-thresholds', '--batch-size', '--backend', 'predictions.arrow', 'metrics.json', 'manifest.json', 'tbpipe.predictions/v2', 'hparams/', '.evaluate']) {
    assert.ok(r.stdout.includes(s), s);
  }
});

test('bad input is one evaluate: line on stderr and exit 1; bad usage exits 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tbpipe-evaluate-cli-'));
  try {
    const missing = join(dir, 'nothing');
    const r = cli('--data', missing, '--model', missing, '--out', join(dir, 'out'), '--run-dir', join(dir, 'runs'));
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      `tbpipe-evaluate: evaluate: --data ${missing} has no readable manifest.json (ENOENT), expected the ingest stage's output (tbpipe.ingest/v2); run tbpipe-ingest first, or point --data at its --out directory\n`,
    );
    const u = cli('--data', missing, '--num-thresholds', '500', '--model', missing, '--out', dir, '--run-dir', dir);
    assert.equal(u.status, 2);
    assert.equal(u.stderr, 'tbpipe-evaluate: --num-thresholds is "500", expected an integer ≥ 2 ≤ 127; see tbpipe-evaluate --help\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
