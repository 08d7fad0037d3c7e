import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeTempDebris, replaceDirAtomic, writeFileAtomic } from '../src/index.ts';

test('writeFileAtomic creates parent directories and leaves no temporary file behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'core-'));
  const path = join(dir, 'a', 'b', 'out.bin');
  await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await readFile(path))], [1, 2, 3]);
  assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['out.bin']);
});

test('writeFileAtomic replaces an existing file whole', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'core-'));
  const path = join(dir, 'x.txt');
  await writeFile(path, 'old contents that are longer');
  await writeFileAtomic(path, 'new');
  assert.equal(await readFile(path, 'utf8'), 'new');
});

test('replaceDirAtomic keeps the old directory when filling the new one fails', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'core-'));
  const target = join(dir, 'model');
  await replaceDirAtomic(target, async (tmp) => writeFile(join(tmp, 'v1'), '1'));
  await assert.rejects(
    replaceDirAtomic(target, async (tmp) => {
      await writeFile(join(tmp, 'v2'), '2');
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(await readdir(target), ['v1']);
  assert.deepEqual(await readdir(dir), ['model']);
  await replaceDirAtomic(target, async (tmp) => writeFile(join(tmp, 'v3'), '3'));
  assert.deepEqual(await readdir(target), ['v3']);
});

test('removeTempDebris deletes interrupted atomic writes at any depth and nothing else', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'core-'));
  await writeFile(join(dir, 'keep.arrow'), 'k');
  await writeFile(join(dir, '.keep.arrow.tmp-0123456789ab'), 'half');
  await mkdir(join(dir, 'volatile'));
  await writeFile(join(dir, 'volatile', '.timings.json.tmp-0123456789ab'), 'half');
  await writeFile(join(dir, 'volatile', 'timings.json'), '{}');
  await mkdir(join(dir, '.model.tmp-0123456789ab-old'));
  await writeFile(join(dir, '.model.tmp-0123456789ab-old', 'weights.bin'), 'w');
  await writeFile(join(dir, '.hidden'), 'not debris');
  assert.deepEqual(await removeTempDebris(dir), [
    join(dir, '.keep.arrow.tmp-0123456789ab'),
    join(dir, '.model.tmp-0123456789ab-old'),
    join(dir, 'volatile', '.timings.json.tmp-0123456789ab'),
  ]);
  assert.deepEqual((await readdir(dir)).sort(), ['.hidden', 'keep.arrow', 'volatile']);
  assert.deepEqual(await readdir(join(dir, 'volatile')), ['timings.json']);
  assert.deepEqual(await removeTempDebris(join(dir, 'missing')), []);
});
