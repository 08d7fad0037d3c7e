import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('../src/register-typescript.mjs', import.meta.url));

// A CommonJS module with the export shapes tfjs's bundles use, plus awkward names.
const COMMONJS = `Object.defineProperty(exports, '__esModule', { value: true });
exports.add = function add(a, b) { return a + b; };
exports.version = '1.0';
exports['not-an-identifier'] = 2;
exports.delete = 'reserved word';
exports.default = 'default property';
`;

/** What a fresh `node` prints for `import * as ns from './lib/index.js'`, with or without `required`. */
async function importedIn(dir: string, required: boolean): Promise<{ keys: string[]; same: boolean; add: number; ts: number; sourceMaps: boolean }> {
  const script = `import { createRequire } from 'node:module';
import { registerTypeScript } from ${JSON.stringify(REGISTER)};
const require = createRequire(import.meta.url);
const loaded = require('./lib/index.js');
registerTypeScript(${required ? "{ required: [require.resolve('./lib/index.js')] }" : ''});
const ns = await import('./lib/index.js');
const { answer } = await import('./answer.ts');
console.log(JSON.stringify({ keys: Object.keys(ns).sort(), same: ns.default === loaded, add: ns.add(2, 3), ts: answer, sourceMaps: process.sourceMapsEnabled }));
`;
  const main = join(dir, required ? 'with.mjs' : 'without.mjs');
  await writeFile(main, script);
  return JSON.parse(execFileSync(process.execPath, [main], { encoding: 'utf8' }));
}

test('registerTypeScript lets a bin import .ts files, and an already-required CommonJS module imports with the export names Node itself gives it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'register-ts-'));
  try {
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await mkdir(join(dir, 'lib'));
    await writeFile(join(dir, 'lib', 'package.json'), '{ "type": "commonjs" }\n');
    await writeFile(join(dir, 'lib', 'index.js'), COMMONJS);
    await writeFile(join(dir, 'answer.ts'), 'export const answer: number = 42;\n');
    const plain = await importedIn(dir, false);
    const facade = await importedIn(dir, true);
    assert.deepEqual(facade, plain);
    assert.deepEqual(facade, {
      keys: ['__esModule', 'add', 'default', 'delete', 'not-an-identifier', 'version'],
      same: true,
      add: 5,
      ts: 42,
      sourceMaps: true,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
