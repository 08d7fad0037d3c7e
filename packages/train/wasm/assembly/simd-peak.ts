// The 128-bit SIMD arithmetic peak of one core, as V8 compiles WebAssembly: 12 independent chains per loop trip
// (more than the multiply-add latency × issue width, so the ports, not the latencies, bound it), nothing the
// optimiser can hoist. Not part of any shipped binary: built twice by bench/simd-peak.ts: plain (mul then add) and with relaxed SIMD (fused).

/** a = a·w + x on 12 chains: 12 × 4 lanes × 2 flops per trip. */
export function chains(n: i32, s: f32): f32 {
  const x = f32x4.splat(s), w = f32x4.splat(0.5);
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  for (let i = 0; i < n; i++) {
    a0 = madd(a0, w, x); a1 = madd(a1, w, x); a2 = madd(a2, w, x); a3 = madd(a3, w, x);
    a4 = madd(a4, w, x); a5 = madd(a5, w, x); a6 = madd(a6, w, x); a7 = madd(a7, w, x);
    a8 = madd(a8, w, x); a9 = madd(a9, w, x); a10 = madd(a10, w, x); a11 = madd(a11, w, x);
  }
  const t = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(f32x4.add(t, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}

/** The plan's inner-loop shape: 2 broadcasts + 4 vector loads feed 8 accumulators (8 × 4 × 2 flops per trip). */
export function kernel(p: usize, n: i32): f32 {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let i = 0; i < n; i++) {
    const s0 = v128.load32_splat(p), s1 = v128.load32_splat(p, 4);
    const w0 = v128.load(p, 16), w1 = v128.load(p, 32), w2 = v128.load(p, 48), w3 = v128.load(p, 64);
    a0 = madd(s0, w0, a0); a1 = madd(s0, w1, a1); a2 = madd(s0, w2, a2); a3 = madd(s0, w3, a3);
    a4 = madd(s1, w0, a4); a5 = madd(s1, w1, a5); a6 = madd(s1, w2, a6); a7 = madd(s1, w3, a7);
  }
  const t = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(t, 0);
}

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  else return f32x4.add(f32x4.mul(a, b), c);
}
