/**
 * Measures one core's 128-bit WebAssembly SIMD peak in GFLOP/s, with and without fused multiply-add: compiles
 * wasm/assembly/simd-peak.ts (not part of any shipped binary) with the pinned AssemblyScript twice (plain; --enable relaxed-simd) into a temp dir and
 * times 12 independent multiply-add chains and the plan's 2-broadcast × 4-vector inner-loop shape.
 *
 *   node --import tsx packages/train/bench/simd-peak.ts [--iterations 50000000]
 *
 * Prints the best and median of 7 runs of wall time and the median of CPU time (the CPU time is the steadier
 * figure on a shared machine). What the README and ENGINE.md quote as this machine's ceiling.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const require = createRequire(import.meta.url);
const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin', 'asc.js');
const source = fileURLToPath(new URL('../wasm/assembly/simd-peak.ts', import.meta.url));
const i = process.argv.indexOf('--iterations');
const N = i >= 0 ? Number(process.argv[i + 1]) : 5e7;
const tmp = mkdtempSync(join(os.tmpdir(), 'simd-peak-'));
const W = globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => number> }; Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`# 128-bit SIMD peak, one thread; ${os.cpus()[0]?.model.trim()}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
try {
  for (const [label, extra] of [['mul + add', []], ['fused (relaxed_madd)', ['--enable', 'relaxed-simd']]] as const) {
    const out = join(tmp, 'peak.wasm');
    // prettier-ignore
    execFileSync(process.execPath, [asc, source, '-o', out, '--optimizeLevel', '3', '--runtime', 'stub', '--noAssert', '--use', 'abort=',
      '--importMemory', '--enable', 'simd', ...extra], { stdio: 'inherit' });
    const memory = new W.WebAssembly.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    for (let k = 0; k < 32; k++) f32[k] = 1e-3 * k;
    const e = new W.WebAssembly.Instance(new W.WebAssembly.Module(readFileSync(out)), { env: { memory } }).exports;
    for (const [name, run, flopsPerTrip] of [
      ['12 chains', (n: number) => e.chains!(n, 1), 12 * 8],
      ['plan inner loop', (n: number) => e.kernel!(0, n), 8 * 8],
    ] as const) {
      run(1e5);
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < 7; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        run(N);
        const t = (performance.now() - t0) / 1e3;
        const c = process.cpuUsage(c0);
        wall.push((flopsPerTrip * N) / t / 1e9);
        cpu.push((flopsPerTrip * N) / ((c.user + c.system) / 1e6) / 1e9);
      }
      console.log(`${label.padEnd(21)} ${name.padEnd(16)} wall best ${Math.max(...wall).toFixed(1)}, median ${median(wall).toFixed(1)}; CPU-time median ${median(cpu).toFixed(1)} GFLOP/s`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
