import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRandom } from '@tbpipe/core';
import { kernelRandoms, nearestNeighbors, nearestNeighborsU8 } from '../src/index.ts';
import { multiplyABt } from '../src/kernels.ts';
import { multiplyABtWasm } from '../src/wasm-kernels.mjs';

test('the checked-in wasm/project.wasm is exactly what its AssemblyScript source compiles to', () => {
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

test('the uint8 kNN kernel finds the same neighbours as the float search on the same vectors', () => {
  const random = createRandom(7);
  const n = 150;
  const d = 37; // not a multiple of 16: rows are padded
  const x = new Uint8Array(n * d);
  // Coarse values so exact ties occur and the lower-index rule is exercised.
  for (let i = 0; i < x.length; i++) x[i] = Math.floor(random() * 4) * 60;
  const k = 10;
  const ours = nearestNeighborsU8(x, n, d, k);
  const float = nearestNeighbors(Float32Array.from(x), n, d, k);
  assert.deepEqual(Array.from(ours.indices), Array.from(float.indices));
  for (let e = 0; e < n * k; e++) assert.equal(Math.fround(Math.sqrt(ours.squaredDistances[e])), float.distances[e]);
});

test('the wasm A·Bᵀ gives exactly kernels.ts multiplyABt numbers', () => {
  const random = createRandom(3);
  for (const [aRows, bRows, width] of [[7, 5, 13], [64, 60, 784], [1, 1, 1], [10, 3, 2]] as const) {
    const a = Float32Array.from({ length: (aRows + 2) * width }, () => random() - 0.5);
    const b = Float64Array.from({ length: bRows * width }, () => random() * 3 - 1);
    const expected = new Float64Array(aRows * bRows);
    const ours = new Float64Array(aRows * bRows);
    multiplyABt(a, 2 * width, aRows, b, 0, bRows, width, expected);
    multiplyABtWasm(a, 2 * width, aRows, b, bRows, width, ours);
    assert.deepEqual(ours, expected, `${aRows} × ${bRows} × ${width}`);
  }
});
