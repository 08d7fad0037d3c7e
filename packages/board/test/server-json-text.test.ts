import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom } from '@tbpipe/core';
import { pythonFloatRepr } from '@tbpipe/eventlog';
import { jsonNumber } from '../src/routes/json-text.ts';
import { csvNumber, scalarRowsJson } from '../src/routes/scalars.ts';
import { jsonReply } from '../src/routes/types.ts';

const EDGES = [0, -0, 1, -1, 0.1, 1e-4, -1e-4, 9.999e-5, 1e16, 9999999999999998, 1e16 - 2, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 1796411982.9703276, 0.852400004863739, 2 ** 53, NaN, Infinity, -Infinity];

function samples(): number[] {
  const random = createRandom(11);
  const xs = [...EDGES];
  for (let i = 0; i < 20_000; i++) {
    const exponent = Math.floor(random() * 60) - 30;
    xs.push((random() - 0.5) * 10 ** exponent, Math.fround((random() - 0.5) * 10 ** exponent), Math.round(random() * 10 ** (i % 18)));
  }
  return xs;
}

describe('the fast number text of the big replies', () => {
  it('writes CSV cells exactly as Python’s repr (the slow reference) for 60 000 values across magnitudes', () => {
    for (const x of samples()) assert.equal(csvNumber(x), pythonFloatRepr(x), String(x));
  });

  it('writes JSON numbers exactly as the generic jsonReply does, non-finite ones as TensorBoard’s strings', () => {
    for (const x of samples()) assert.equal(jsonNumber(x), jsonReply(x).body, String(x));
  });

  it('writes a scalar series as the generic jsonReply would', () => {
    const columns = { steps: Float64Array.from([0, 1, 2]), wallTimes: Float64Array.from([1.5, 2.5, 3.5]), values: Float64Array.from([0.25, NaN, -Infinity]) };
    assert.equal(scalarRowsJson(columns), jsonReply([[1.5, 0, 0.25], [2.5, 1, NaN], [3.5, 2, -Infinity]]).body);
  });
});
