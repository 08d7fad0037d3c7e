import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Wasm } from '../../src/kernels/webassembly.ts';

test('the checked-in wasm/plan.wasm and wasm/plan-fma.wasm are exactly what their AssemblyScript sources compile to', () => {
  const script = fileURLToPath(new URL('../../wasm/build.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('plan.wasm imports the host memory plus exp/log and exports only the interpreter (run)', async () => {
  const { readFileSync } = await import('node:fs');
  const mod = new Wasm.Module(readFileSync(new URL('../../wasm/plan.wasm', import.meta.url)));
  assert.deepEqual(Wasm.Module.imports(mod).map((i) => `${i.module}.${i.name}`).sort(), ['env.exp', 'env.log', 'env.memory']);
  assert.deepEqual(Wasm.Module.exports(mod).map((e) => e.name).sort(), ['run']);
});
