#!/usr/bin/env node
// Builds wasm/plan.wasm (the plan interpreter for any network spec) and wasm/plan-fma.wasm (the same source,
// wasm/assembly/plan.ts, built with relaxed SIMD so its multiply-adds are fused; src/kernels/plan.ts picks it when
// the runtime accepts it), and of each a -shared twin importing a shared memory (the batch split's), from
// wasm/assembly/*.ts with the pinned AssemblyScript compiler, then checks the two properties the engine relies on: each imports env.memory (memory the JavaScript side owns and lays out) and has no
// data segment (anything it initialised at instantiation would overwrite live buffers).
//   node wasm/build.mjs           rebuild the four binaries
//   node wasm/build.mjs --check   rebuild into a temp dir and fail if any differs from the checked-in binary
//   node wasm/build.mjs --debug   rebuild all keeping function names (asc --debug: a name section), so
//                                 node --cpu-prof attributes time to the plan's ops; same code otherwise.
//                                 Profiling only: --check then fails until a plain rebuild restores the binary.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import v8 from 'node:v8';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin', 'asc.js');
const check = process.argv.includes('--check');
const debug = process.argv.includes('--debug');
if (check && debug) throw new Error('build-wasm: --check compares the plain build; drop --debug');
const tmp = check ? mkdtempSync(join(tmpdir(), 'plan-wasm-')) : null;
// prettier-ignore
const flags = ['--optimizeLevel', '3', '--shrinkLevel', '0', '--runtime', 'stub', '--noAssert', '--use', 'abort=',
  '--importMemory', '--enable', 'simd', '--noExportMemory', ...(debug ? ['--debug'] : [])];
let failed = false;
// name → source and extra flags. plan-fma's relaxed_madd is behind ASC_FEATURE_RELAXED_SIMD in plan.ts (one source).
// The -shared builds are the same code importing a shared memory (the batch split's worker half runs on one; a module
// declares which kind it imports): only the import's limits differ. 32768 pages = src/kernels/plan-split.ts's MAX_PAGES.
const SHARED = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '32768'];
const targets = [
  { name: 'plan', source: 'plan', extra: [] },
  { name: 'plan-fma', source: 'plan', extra: ['--enable', 'relaxed-simd'] },
  { name: 'plan-shared', source: 'plan', extra: SHARED },
  { name: 'plan-fma-shared', source: 'plan', extra: ['--enable', 'relaxed-simd', ...SHARED] },
];
// Node 20's V8 compiles relaxed SIMD only behind this flag (process-wide; src/kernels/plan.ts sets it the same way).
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
for (const { name, source, extra } of targets) {
  const out = tmp ? join(tmp, `${name}.wasm`) : join(here, `${name}.wasm`);
  execFileSync(process.execPath, [asc, join(here, 'assembly', `${source}.ts`), '-o', out, ...flags, ...extra], { stdio: 'inherit' });

  const bytes = readFileSync(out);
  const mod = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`);
  if (!imports.includes('env.memory:memory')) throw new Error(`build-wasm: ${name}.wasm imports ${imports}, expected env.memory`);
  for (let p = 8; p < bytes.length; ) {
    const id = bytes[p++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++];
      size |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (id === 11 && size > 1) throw new Error(`build-wasm: ${name}.wasm has a data segment, expected none (it would overwrite live memory)`);
    p += size;
  }
  if (tmp) {
    const same = Buffer.compare(bytes, readFileSync(join(here, `${name}.wasm`))) === 0;
    if (!same) {
      console.error(`build-wasm: wasm/${name}.wasm differs from a fresh build of wasm/assembly/${source}.ts; run npm run build:wasm -w @tbpipe/train`);
      failed = true;
    } else console.log(`build-wasm: wasm/${name}.wasm matches wasm/assembly/${source}.ts`);
  } else {
    console.log(`build-wasm: wrote ${out} (${bytes.length} bytes; imports ${imports.join(', ')})`);
  }
}
if (tmp) rmSync(tmp, { recursive: true, force: true });
if (failed) process.exit(1);
if (debug) console.log('build-wasm: debug build (function names); run npm run build:wasm -w @tbpipe/train when done profiling');
