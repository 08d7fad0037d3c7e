#!/usr/bin/env node
// Builds wasm/cnn.wasm from wasm/assembly/cnn.ts with the pinned AssemblyScript compiler, then checks the two
// properties the engine relies on: it imports env.memory (tfjs-backend-wasm's heap) and it has no data segment
// (anything it initialised at instantiation would overwrite live tfjs memory).
//   node wasm/build.mjs           rebuild wasm/cnn.wasm
//   node wasm/build.mjs --check   rebuild into a temp file and fail if it differs from the checked-in binary
//   node wasm/build.mjs --debug   rebuild wasm/cnn.wasm keeping function names (asc --debug: a name section), so
//                                 node --cpu-prof attributes time to conv1Pool, conv2Backward, …; same code otherwise.
//                                 Profiling only: --check then fails until a plain rebuild restores the binary.
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
const debug = process.argv.includes('--debug');
if (check && debug) throw new Error('build-wasm: --check compares the plain build; drop --debug');
const tmp = check ? mkdtempSync(join(tmpdir(), 'cnn-wasm-')) : null;
const out = tmp ? join(tmp, 'cnn.wasm') : join(here, 'cnn.wasm');
// prettier-ignore
const flags = ['--optimizeLevel', '3', '--shrinkLevel', '0', '--runtime', 'stub', '--noAssert', '--use', 'abort=',
  '--importMemory', '--enable', 'simd', '--noExportMemory', ...(debug ? ['--debug'] : [])];
execFileSync(process.execPath, [asc, join(here, 'assembly', 'cnn.ts'), '-o', out, ...flags], { stdio: 'inherit' });

const bytes = readFileSync(out);
const mod = new WebAssembly.Module(bytes);
const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`);
if (!imports.includes('env.memory:memory')) throw new Error(`build-wasm: imports ${imports}, expected env.memory`);
for (let p = 8; p < bytes.length; ) {
  const id = bytes[p++];
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[p++];
    size |= (b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  if (id === 11 && size > 1) throw new Error('build-wasm: cnn.wasm has a data segment, expected none (it would overwrite tfjs memory)');
  p += size;
}
if (tmp) {
  const same = Buffer.compare(bytes, readFileSync(join(here, 'cnn.wasm'))) === 0;
  rmSync(tmp, { recursive: true, force: true });
  if (!same) {
    console.error('build-wasm: wasm/cnn.wasm differs from a fresh build of wasm/assembly/cnn.ts; run npm run build:wasm -w @tbpipe/train');
    process.exit(1);
  }
  console.log('build-wasm: wasm/cnn.wasm matches its source');
} else {
  console.log(`build-wasm: wrote ${out} (${bytes.length} bytes; imports ${imports.join(', ')})`);
  if (debug) console.log('build-wasm: debug build (function names); run npm run build:wasm -w @tbpipe/train when done profiling');
}
