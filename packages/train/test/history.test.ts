import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTable } from '@tbpipe/core';
import { HISTORY_CONTRACT, HistorySchema } from '../src/contract.ts';
import { readHistory, writeHistory } from '../src/history.ts';

test('history.arrow round-trips and carries its contract id and non-nullable Int32/Float32 fields', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'train-hist-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'history.arrow');
  await writeHistory(path, { step: [999, 1999, 2999], loss: [1.837, 0.852, 0.724] });
  assert.deepEqual(await readHistory(path), {
    step: new Int32Array([999, 1999, 2999]),
    loss: new Float32Array([1.837, 0.852, 0.724]),
  });
  const table = await readTable(path, HistorySchema);
  assert.equal(table.schema.metadata.get('tbpipe.contract'), HISTORY_CONTRACT);
  assert.deepEqual(
    table.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '?' : ''}`),
    ['step: Int32', 'loss: Float32'],
  );
});

test('an empty history is a valid zero-row table', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'train-hist-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeHistory(join(dir, 'h.arrow'), { step: [], loss: [] });
  assert.deepEqual(await readHistory(join(dir, 'h.arrow')), { step: new Int32Array(0), loss: new Float32Array(0) });
});
