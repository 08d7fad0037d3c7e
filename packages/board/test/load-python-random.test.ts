// PythonRandom against values printed by CPython 3.11's random module (frozen here; python is not needed to run).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PythonRandom, bitLength, downsampleIndices } from '../src/load/python-random.ts';

describe("Python's random.Random, bit for bit", () => {
  it('draws the same 32-bit words from seed 0, also after the state is regenerated (624 words)', () => {
    const r = new PythonRandom(0);
    assert.deepEqual([r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)], [3626764237, 1654615998, 3255389356]);
    const s = new PythonRandom(0);
    for (let i = 0; i < 700; i++) s.getrandbits(32);
    assert.equal(s.getrandbits(32), 2140787315);
  });

  it('seeds from integers wider than 32 bits as CPython does', () => {
    assert.equal(new PythonRandom(2 ** 40 + 5).getrandbits(32), 2166296868);
  });

  it('matches randrange / randint (rejection sampling on getrandbits(n.bit_length()))', () => {
    const r = new PythonRandom(0);
    assert.deepEqual(Array.from({ length: 8 }, () => r.randbelow(7)), [6, 3, 6, 3, 0, 2, 4, 3]);
    const s = new PythonRandom(0);
    assert.deepEqual(Array.from({ length: 3 }, () => s.randint(0, 1000000)), [885440, 403958, 794772]);
  });

  it('matches random.sample in both of its strategies (pool and set)', () => {
    assert.deepEqual(new PythonRandom(0).sampleRange(5, 5), [3, 4, 0, 1, 2]);
    assert.deepEqual(new PythonRandom(0).sampleRange(10, 5), [6, 9, 0, 2, 4]);
    assert.deepEqual(new PythonRandom(0).sampleRange(50, 6), [24, 48, 26, 2, 16, 32]);
    assert.deepEqual(new PythonRandom(0).sampleRange(1000, 10), [864, 394, 776, 911, 430, 41, 265, 988, 523, 497]);
  });

  it("downsamples like TensorBoard's _downsample: all when k exceeds the length, none for 0, else sorted picks plus the last", () => {
    assert.equal(downsampleIndices(5, 6), 'all');
    assert.deepEqual(downsampleIndices(5, 0), []);
    assert.deepEqual(downsampleIndices(5, 5), [0, 1, 2, 3, 4]);
    assert.deepEqual(downsampleIndices(1000, 10), [41, 265, 394, 430, 523, 776, 864, 911, 988, 999]);
  });

  it('computes int.bit_length up to 2^53', () => {
    assert.deepEqual([0, 1, 2, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 53].map(bitLength), [0, 1, 2, 8, 9, 32, 33, 54]);
  });
});
