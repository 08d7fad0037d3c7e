#!/usr/bin/env node
// Builds wasm/project.wasm from wasm/assembly/index.ts (umap.ts, knn.ts, gemm.ts) with the pinned AssemblyScript compiler (the pattern of
// packages/train/wasm/build.mjs), then checks what the loader relies on: the only import is env.pow (the host's
// Math.pow, for the bit-exact mode) and the module exports its memory.
//   node wasm/build.mjs           rebuild wasm/project.wasm
//   node wasm/build.mjs --check   rebuild into a temp file and fail if it differs from the checked-in binary
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin', 'asc.js');
const check = process.argv.includes('--check');
const tmp = check ? mkdtempSync(join(tmpdir(), 'project-wasm-')) : null;
const out = tmp ? join(tmp, 'project.wasm') : join(here, 'project.wasm');
// prettier-ignore
const flags = ['--optimizeLevel', '3', '--shrinkLevel', '0', '--runtime', 'stub', '--noAssert', '--use', 'abort=',
  '--enable', 'simd'];
execFileSync(process.execPath, [asc, join(here, 'assembly', 'index.ts'), '-o', out, ...flags], { stdio: 'inherit' });

const bytes = readFileSync(out);
const mod = new WebAssembly.Module(bytes);
const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`);
const exports = WebAssembly.Module.exports(mod).map((e) => `${e.name}:${e.kind}`);
if (imports.join() !== 'env.pow:function') throw new Error(`build-wasm: imports ${imports}, expected only env.pow`);
if (!exports.includes('memory:memory')) throw new Error(`build-wasm: exports ${exports}, expected memory`);
if (tmp) {
  const same = Buffer.compare(bytes, readFileSync(join(here, 'project.wasm'))) === 0;
  rmSync(tmp, { recursive: true, force: true });
  if (!same) {
    console.error('build-wasm: wasm/project.wasm differs from a fresh build of wasm/assembly/index.ts; run npm run build:wasm -w @tbpipe/project');
    process.exit(1);
  }
  console.log('build-wasm: wasm/project.wasm matches its source');
} else {
  console.log(`build-wasm: wrote ${out} (${bytes.length} bytes; exports ${exports.join(', ')})`);
}
