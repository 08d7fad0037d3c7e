import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRandom } from '@tbpipe/core';
import { kernelRandoms } from '../src/index.ts';

test('the checked-in wasm/umap.wasm is exactly what its AssemblyScript source compiles to', () => {
  const script = fileURLToPath(new URL('../wasm/build.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test("the kernel's random draws continue core's createRandom sequence from a given state", () => {
  const seed = 12345;
  const random = createRandom(seed);
  const skipped = 37;
  for (let i = 0; i < skipped; i++) random();
  const expected = Array.from({ length: 1000 }, () => random());
  const state = (seed + Math.imul(skipped, 0x6d2b79f5)) >>> 0;
  assert.deepEqual(Array.from(kernelRandoms(state, 1000)), expected);
});
