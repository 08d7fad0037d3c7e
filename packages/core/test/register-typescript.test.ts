import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('../src/register-typescript.mjs', import.meta.url));

test('registerTypeScript lets a plain script import .ts files, with source maps on', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'register-ts-'));
  try {
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(join(dir, 'answer.ts'), 'export const answer: number = 42;\n');
    await writeFile(
      join(dir, 'main.mjs'),
      `import { registerTypeScript } from ${JSON.stringify(REGISTER)};
const before = process.sourceMapsEnabled;
registerTypeScript();
const { answer } = await import('./answer.ts');
console.log(JSON.stringify({ before, answer, sourceMaps: process.sourceMapsEnabled }));
`,
    );
    const seen = JSON.parse(execFileSync(process.execPath, [join(dir, 'main.mjs')], { encoding: 'utf8' }));
    assert.deepEqual(seen, { before: false, answer: 42, sourceMaps: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
