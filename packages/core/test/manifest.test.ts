import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyManifest, writeManifest } from '../src/index.ts';

async function stageDir() {
  const dir = await mkdtemp(join(tmpdir(), 'manifest-'));
  await writeFile(join(dir, 'b.bin'), 'bbbb');
  await writeFile(join(dir, 'a.arrow'), 'aaaa');
  await writeManifest(dir, 'tbpipe.test/v1', ['b.bin', 'a.arrow'], { rows: 2 });
  return dir;
}

test('writeManifest is byte-identical for identical files (no timestamps) and lists files sorted', async () => {
  const one = await readFile(join(await stageDir(), 'manifest.json'), 'utf8');
  const two = await readFile(join(await stageDir(), 'manifest.json'), 'utf8');
  assert.equal(one, two);
  assert.deepEqual(Object.keys(JSON.parse(one).files), ['a.arrow', 'b.bin']);
});

test('verifyManifest accepts untouched files and returns the manifest', async () => {
  const dir = await stageDir();
  const m = await verifyManifest(dir, 'tbpipe.test/v1');
  assert.deepEqual(m.info, { rows: 2 });
});

test('verifyManifest names a tampered file and how to rebuild it', async () => {
  const dir = await stageDir();
  await writeFile(join(dir, 'a.arrow'), 'aaab');
  await assert.rejects(verifyManifest(dir, 'tbpipe.test/v1'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ARTIFACT_TAMPERED');
    assert.match(err.message, /^contract: .*a\.arrow has sha256 [0-9a-f]{12}… \(4 bytes\), expected [0-9a-f]{12}… \(4 bytes\) from its manifest; the file was changed or truncated after it was written — rerun the stage that writes /);
    return true;
  });
});

test('verifyManifest reports a missing file, a missing manifest and a foreign contract', async () => {
  const dir = await stageDir();
  await rm(join(dir, 'b.bin'));
  await assert.rejects(verifyManifest(dir, 'tbpipe.test/v1'), { code: 'ARTIFACT_MISSING' });
  await assert.rejects(verifyManifest(dir, 'tbpipe.other/v1'), {
    code: 'CONTRACT_MISMATCH',
    message: `contract: ${join(dir, 'manifest.json')} declares "tbpipe.test/v1", expected tbpipe.other/v1; rerun the stage that writes ${dir} (or the whole pipeline: npx nx run pipeline:all) with this version of tbpipe.`,
  });
  await rm(join(dir, 'manifest.json'));
  await assert.rejects(verifyManifest(dir, 'tbpipe.test/v1'), { code: 'MANIFEST_MISSING' });
});
