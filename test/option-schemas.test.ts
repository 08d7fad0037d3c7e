// The files generated from the stages' option specs are committed; this fails when one is stale.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { generatedFiles, ROOT } from '../scripts/option-schemas.ts';

test('every options.schema.json, pipeline.schema.json and README options table matches the stage specs', async () => {
  for (const [path, content] of await generatedFiles()) {
    const onDisk = await readFile(join(ROOT, path), 'utf8').catch(() => '(missing)');
    assert.equal(onDisk, content, `${path} is stale; run npx tsx scripts/option-schemas.ts`);
  }
});

test('every pipelines/*/pipeline.json names the generated schema', async () => {
  for (const name of await readdir(join(ROOT, 'pipelines'))) {
    const json = JSON.parse(await readFile(join(ROOT, 'pipelines', name, 'pipeline.json'), 'utf8'));
    assert.equal(json.$schema, '../../packages/nx-plugin/pipeline.schema.json', name);
  }
});
