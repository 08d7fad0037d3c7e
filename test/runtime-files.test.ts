// The Nx plugin hashes into a stage's cache key the files its code loads that it can see (`new URL('literal',
// import.meta.url)`) plus what the package declares in `tbpipe.runtimeFiles`; a WebAssembly binary loaded through a
// computed URL is seen only if declared. A missing declaration leaves a stage cached after its engine changed.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');

test("every packages/*/wasm/*.wasm binary is declared in its package's tbpipe.runtimeFiles", async () => {
  for (const pkg of await readdir(join(ROOT, 'packages'))) {
    const binaries = await readdir(join(ROOT, 'packages', pkg, 'wasm')).then(
      (names) => names.filter((n) => n.endsWith('.wasm')),
      () => [],
    );
    if (binaries.length === 0) continue;
    const manifest = JSON.parse(await readFile(join(ROOT, 'packages', pkg, 'package.json'), 'utf8'));
    const declared: string[] = manifest.tbpipe?.runtimeFiles ?? [];
    for (const name of binaries) assert.ok(declared.includes(`wasm/${name}`), `packages/${pkg}: wasm/${name} is not in tbpipe.runtimeFiles`);
  }
});
