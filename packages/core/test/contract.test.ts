import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Field, Float32, Schema, Uint8, makeTable, tableFromArrays } from 'apache-arrow';
import { CONTRACT_KEY, ContractError, expectSchema, readTable, writeTableAtomic } from '../src/index.ts';

const expected = new Schema(
  [new Field('label', new Uint8(), false), new Field('score', new Float32(), false)],
  new Map([[CONTRACT_KEY, 'test.scores/v1']]),
);

test('expectSchema accepts a table with exactly the expected fields and contract id', () => {
  const table = makeTable({ label: new Uint8Array([1, 2]), score: new Float32Array([0.5, 0.25]) });
  const withMeta = new Schema(table.schema.fields, new Map([[CONTRACT_KEY, 'test.scores/v1']]));
  expectSchema(withMeta, expected, 'scores.arrow');
});

test('expectSchema lists every difference in one ContractError', () => {
  const table = tableFromArrays({ label: new Int32Array([1]), extra: new Float32Array([1]), more: new Uint8Array([1]) });
  assert.throws(
    () => expectSchema(table, expected, 'scores.arrow'),
    (err: unknown) => {
      assert.ok(err instanceof ContractError);
      assert.equal(err.code, 'SCHEMA_MISMATCH');
      assert.equal(
        err.message,
        'contract: scores.arrow does not match test.scores/v1: contract (none) instead of test.scores/v1; ' +
          'field 0 is label: Int32, expected label: Uint8; field 1 is extra: Float32, expected score: Float32; ' +
          'unexpected field more: Uint8; rebuild it with the producing stage (or rerun the pipeline).',
      );
      return true;
    },
  );
});

test('writeTableAtomic and readTable round-trip a table', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'core-'));
  const table = makeTable({ label: new Uint8Array([3, 1, 4]), score: new Float32Array([0.5, 1.5, -2]) });
  await writeTableAtomic(join(dir, 't.arrow'), table);
  const back = await readTable(join(dir, 't.arrow'));
  assert.deepEqual([...back.getChild('label')!.toArray()], [3, 1, 4]);
  assert.deepEqual([...back.getChild('score')!.toArray()], [0.5, 1.5, -2]);
});

test('readTable names the file when it is missing or not Arrow', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'core-'));
  await assert.rejects(readTable(join(dir, 'none.arrow')), {
    code: 'ARTIFACT_MISSING',
    message: `arrow: cannot read ${join(dir, 'none.arrow')} (ENOENT), expected an Arrow IPC file; run the producing stage first.`,
  });
  await writeFile(join(dir, 'junk.arrow'), 'not arrow at all');
  await assert.rejects(readTable(join(dir, 'junk.arrow')), { code: 'ARTIFACT_CORRUPT' });
});
