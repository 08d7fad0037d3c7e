// The fused training step for ANY network spec: a small interpreter over a program the JavaScript plan builder
// writes into memory (src/kernels/plan.ts), plus one SIMD kernel per layer operation. Every shape is a runtime
// argument read from the program; every buffer address was laid out once when the plan was built. One call
// (`run`) executes a whole step — forward, loss, backward, optimizer — so no JavaScript runs inside it.
//
// Layouts (what the plan builder lays out): activations NHWC f32 ([b][h][w][c]; a flattened tensor is the same
// memory, in (h, w, c) order — what tfjs's Flatten gives); conv weights [kh][kw][ci][co]; dense weights [in][out];
// gradients next to parameters with the same layout. Every buffer has ≥ 64 bytes of slack after it, because the
// SIMD loops read (never write) up to 3 lanes past a row's end when a channel count is not a multiple of 4.
//
// Memory is the plan's own (imported, sized by the plan builder); the module owns no static data and never
// allocates (built with --runtime stub, checked by wasm/build.mjs).

@external("env", "exp") declare function expd(x: f64): f64;
@external("env", "log") declare function logd(x: f64): f64;

// ---------------------------------------------------------------- op codes (src/kernels/plan-ops.ts mirrors them)
const OP_END: i32 = 0;
const OP_PAD: i32 = 1; // copy NHWC into a zero-bordered buffer
const OP_UNPAD: i32 = 2; // copy a padded buffer's interior out (input gradient)
const OP_CONV: i32 = 3;
const OP_CONV_DW: i32 = 4; // filter + bias gradient
const OP_CONV_DX: i32 = 5; // input gradient into a padded (or plain) buffer
const OP_MAXPOOL: i32 = 6;
const OP_MAXPOOL_DX: i32 = 7;
const OP_AVGPOOL: i32 = 8;
const OP_AVGPOOL_DX: i32 = 9;
const OP_DENSE: i32 = 10;
const OP_DENSE_DW: i32 = 11;
const OP_DENSE_DX: i32 = 12;
const OP_RELU: i32 = 13;
const OP_RELU_DX: i32 = 14;
const OP_TANH: i32 = 15;
const OP_TANH_DX: i32 = 16;
const OP_SIGMOID: i32 = 17;
const OP_SIGMOID_DX: i32 = 18;
const OP_BN_TRAIN: i32 = 19;
const OP_BN_EVAL: i32 = 20;
const OP_BN_DX: i32 = 21;
const OP_DROPOUT: i32 = 22;
const OP_DROPOUT_DX: i32 = 23;
const OP_XENT: i32 = 24;
const OP_SGD: i32 = 25;
const OP_ADAM: i32 = 26;
const OP_ZERO: i32 = 27;
const OP_COPY: i32 = 28;
const OP_DENSE_DW_SGD: i32 = 29; // dense gradients with the SGD update applied block by block
const OP_CONV_WINO: i32 = 30; // 3×3 stride-1 conv forward through Winograd F(2×2, 3×3)

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function ldf(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function F(p: i32): usize {
  return <usize>p;
}

/**
 * acc + a·b per lane. The same source builds two binaries (wasm/build.mjs): plan.wasm, a multiply then an add (two
 * roundings), and plan-fma.wasm, built with relaxed SIMD, one `f32x4.relaxed_madd` that V8 lowers to a fused
 * multiply-add on a CPU with FMA (one rounding; 51 vs 35 GFLOP/s of 128-bit peak on this machine's Zen 3 core). The
 * matrix-product kernels (conv, dense and their gradients) use it; the optimizers and batch norm keep mul + add.
 */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  else return f32x4.add(acc, f32x4.mul(a, b));
}

/** Store the first `lanes` (1–4) lanes of `v` at `p`. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) {
    v128.store(p, v);
  } else {
    store<f32>(p, f32x4.extract_lane(v, 0));
    if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
    if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  }
}

// ---------------------------------------------------------------- padding

function pad(x: usize, xp: usize, B: i32, H: i32, W: i32, C: i32, Hp: i32, Wp: i32, top: i32, left: i32): void {
  memory.fill(xp, 0, <usize>(B * Hp * Wp * C) * 4);
  const row = <usize>(W * C) * 4;
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < H; y++) {
      memory.copy(xp + <usize>(((b * Hp + y + top) * Wp + left) * C) * 4, x + <usize>((b * H + y) * W * C) * 4, row);
    }
  }
}

function unpad(xp: usize, x: usize, B: i32, H: i32, W: i32, C: i32, Hp: i32, Wp: i32, top: i32, left: i32): void {
  const row = <usize>(W * C) * 4;
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < H; y++) {
      memory.copy(x + <usize>((b * H + y) * W * C) * 4, xp + <usize>(((b * Hp + y + top) * Wp + left) * C) * 4, row);
    }
  }
}

// ---------------------------------------------------------------- convolution

/**
 * y[b][oy][ox][co] = bias[co] + Σ x[b][oy·S+ky][ox·S+kx][ci]·w[ky][kx][ci][co] over an already padded x
 * ([b][Hp][Wp][Ci]). SIMD over output channels, 16 at a time, two output pixels per pass sharing each weight load.
 * For one kernel row the KW·Ci inputs of a pixel are contiguous, whatever the stride.
 */
function conv(x: usize, Hp: i32, Wp: i32, Ci: i32, w: usize, bias: usize, y: usize, B: i32, Ho: i32, Wo: i32, Co: i32, KH: i32, KW: i32, S: i32, relu: i32): void {
  if (Co <= 8) {
    convNarrow(x, Hp, Wp, Ci, w, bias, y, B, Ho, Wo, Co, KH, KW, S, relu);
    return;
  }
  const z = f32x4.splat(0);
  const L = KW * Ci;
  const coBytes = <usize>Co * 4;
  const nv = (Co + 3) >> 2;
  const pixStep = <usize>(S * Ci) * 4;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox += 2) {
        const two = ox + 1 < Wo;
        const r0 = x + <usize>(((b * Hp + oy * S) * Wp + ox * S) * Ci) * 4;
        const r1 = two ? r0 + pixStep : r0;
        const y0 = y + <usize>(((b * Ho + oy) * Wo + ox) * Co) * 4;
        const y1 = y0 + coBytes;
        for (let v0 = 0; v0 < nv; v0 += 4) {
          const n = min(4, nv - v0);
          const off = <usize>v0 * 16;
          let a0 = v128.load(bias + off), a1 = v128.load(bias + off, 16), a2 = v128.load(bias + off, 32), a3 = v128.load(bias + off, 48);
          let c0 = a0, c1 = a1, c2 = a2, c3 = a3;
          for (let ky = 0; ky < KH; ky++) {
            const p0 = r0 + <usize>(ky * Wp * Ci) * 4, p1 = r1 + <usize>(ky * Wp * Ci) * 4;
            const wr = w + <usize>(ky * L) * coBytes + off;
            if (n == 4) {
              for (let j = 0; j < L; j++) {
                const s0 = v128.load32_splat(p0 + <usize>j * 4), s1 = v128.load32_splat(p1 + <usize>j * 4);
                const q = wr + <usize>j * coBytes;
                const w0 = v128.load(q), w1 = v128.load(q, 16), w2 = v128.load(q, 32), w3 = v128.load(q, 48);
                a0 = madd(s0, w0, a0);
                c0 = madd(s1, w0, c0);
                a1 = madd(s0, w1, a1);
                c1 = madd(s1, w1, c1);
                a2 = madd(s0, w2, a2);
                c2 = madd(s1, w2, c2);
                a3 = madd(s0, w3, a3);
                c3 = madd(s1, w3, c3);
              }
            } else if (n >= 2) {
              for (let j = 0; j < L; j++) {
                const s0 = v128.load32_splat(p0 + <usize>j * 4), s1 = v128.load32_splat(p1 + <usize>j * 4);
                const q = wr + <usize>j * coBytes;
                const w0 = v128.load(q), w1 = v128.load(q, 16), w2 = v128.load(q, 32);
                a0 = madd(s0, w0, a0);
                c0 = madd(s1, w0, c0);
                a1 = madd(s0, w1, a1);
                c1 = madd(s1, w1, c1);
                a2 = madd(s0, w2, a2); // n == 2: a spare lane set, discarded
                c2 = madd(s1, w2, c2);
              }
            } else {
              for (let j = 0; j < L; j++) {
                const s0 = v128.load32_splat(p0 + <usize>j * 4), s1 = v128.load32_splat(p1 + <usize>j * 4);
                const w0 = v128.load(wr + <usize>j * coBytes);
                a0 = madd(s0, w0, a0);
                c0 = madd(s1, w0, c0);
              }
            }
          }
          if (relu) {
            // A ReLU right after the conv is applied here (its layer then has no pass of its own).
            a0 = f32x4.max(a0, z); a1 = f32x4.max(a1, z); a2 = f32x4.max(a2, z); a3 = f32x4.max(a3, z);
            c0 = f32x4.max(c0, z); c1 = f32x4.max(c1, z); c2 = f32x4.max(c2, z); c3 = f32x4.max(c3, z);
          }
          storeBlock(y0 + off, a0, a1, a2, a3, Co - v0 * 4);
          if (two) storeBlock(y1 + off, c0, c1, c2, c3, Co - v0 * 4);
        }
      }
    }
  }
}

/**
 * conv for Co ≤ 8 (e.g. LeNet's 6-filter first layer): four output pixels × 8 channels (two vectors) per pass,
 * eight independent accumulators, so the multiply-adds overlap instead of waiting on two chains. Lanes past Co read
 * the next weight row (or the buffer's slack) and are never stored; pixels past Wo recompute the row's first pixel
 * of the pass and are not stored. Same per-output summation order as conv.
 */
function convNarrow(x: usize, Hp: i32, Wp: i32, Ci: i32, w: usize, bias: usize, y: usize, B: i32, Ho: i32, Wo: i32, Co: i32, KH: i32, KW: i32, S: i32, relu: i32): void {
  const z = f32x4.splat(0);
  const L = KW * Ci;
  const coBytes = <usize>Co * 4;
  const pixStep = <usize>(S * Ci) * 4;
  const rowStep = <usize>(Wp * Ci) * 4;
  const bias0 = v128.load(bias), bias1 = v128.load(bias, 16);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      const yr = y + <usize>((b * Ho + oy) * Wo) * coBytes;
      for (let ox = 0; ox < Wo; ox += 4) {
        const r0 = x + <usize>(((b * Hp + oy * S) * Wp + ox * S) * Ci) * 4;
        const r1 = ox + 1 < Wo ? r0 + pixStep : r0;
        const r2 = ox + 2 < Wo ? r0 + pixStep * 2 : r0;
        const r3 = ox + 3 < Wo ? r0 + pixStep * 3 : r0;
        let a0 = bias0, a1 = bias1, b0 = bias0, b1 = bias1, c0 = bias0, c1 = bias1, d0 = bias0, d1 = bias1;
        for (let ky = 0; ky < KH; ky++) {
          const k = <usize>ky * rowStep;
          const p0 = r0 + k, p1 = r1 + k, p2 = r2 + k, p3 = r3 + k;
          let q = w + <usize>(ky * L) * coBytes;
          for (let j: usize = 0; j < <usize>L * 4; j += 4) {
            const w0 = v128.load(q), w1 = v128.load(q, 16);
            q += coBytes;
            let s = v128.load32_splat(p0 + j);
            a0 = madd(s, w0, a0); a1 = madd(s, w1, a1);
            s = v128.load32_splat(p1 + j);
            b0 = madd(s, w0, b0); b1 = madd(s, w1, b1);
            s = v128.load32_splat(p2 + j);
            c0 = madd(s, w0, c0); c1 = madd(s, w1, c1);
            s = v128.load32_splat(p3 + j);
            d0 = madd(s, w0, d0); d1 = madd(s, w1, d1);
          }
        }
        if (relu) {
          a0 = f32x4.max(a0, z); a1 = f32x4.max(a1, z); b0 = f32x4.max(b0, z); b1 = f32x4.max(b1, z);
          c0 = f32x4.max(c0, z); c1 = f32x4.max(c1, z); d0 = f32x4.max(d0, z); d1 = f32x4.max(d1, z);
        }
        const y0 = yr + <usize>ox * coBytes;
        storeBlock(y0, a0, a1, z, z, Co);
        if (ox + 1 < Wo) storeBlock(y0 + coBytes, b0, b1, z, z, Co);
        if (ox + 2 < Wo) storeBlock(y0 + coBytes * 2, c0, c1, z, z, Co);
        if (ox + 3 < Wo) storeBlock(y0 + coBytes * 3, d0, d1, z, z, Co);
      }
    }
  }
}

/**
 * conv for a 3×3 kernel, stride 1, Ci and Co multiples of 4, through Winograd F(2×2, 3×3): each 2×2 block of outputs is computed
 * from its 4×4 input tile with 16 multiplies per (ci, co) instead of 36. Input tiles → V [16][T][Ci] (Bᵀ d B, SIMD
 * over channels), weights → U [16][Ci][Co] (G g Gᵀ, SIMD over output channels), 16 products M[ξ] = V[ξ]·U[ξ] with
 * the dense kernel (T tiles × Ci by Ci × Co), then Y = Aᵀ M A + bias (and the folded ReLU). `zb`: Co zero floats.
 * Rounds differently from the direct conv (the transforms add and subtract before multiplying).
 */
function convWino(x: usize, Hp: i32, Wp: i32, Ci: i32, w: usize, bias: usize, y: usize, B: i32, Ho: i32, Wo: i32, Co: i32, relu: i32, V: usize, M: usize, U: usize, zb: usize): void {
  const th = (Ho + 1) >> 1, tw = (Wo + 1) >> 1;
  const T = B * th * tw;
  const ciB = <usize>Ci * 4, coB = <usize>Co * 4;
  const vStride = <usize>T * ciB; // bytes between V[ξ] and V[ξ + 1]
  const mStride = <usize>T * coB;
  const uStride = <usize>Ci * coB;
  const half = f32x4.splat(0.5);
  const z = f32x4.splat(0);
  // Weights: U[ξ][ci][co], SIMD over co.
  for (let ci = 0; ci < Ci; ci++) {
    for (let co = 0; co < Co; co += 4) {
      const g = w + <usize>ci * coB + <usize>co * 4; // w[ky][kx][ci][co]: rows ky, cols kx
      const rowK = <usize>(3 * Ci) * coB, colK = <usize>Ci * coB;
      // s[r][kx] = (G g)[r][kx]
      const g00 = v128.load(g), g01 = v128.load(g + colK), g02 = v128.load(g + colK * 2);
      const g10 = v128.load(g + rowK), g11 = v128.load(g + rowK + colK), g12 = v128.load(g + rowK + colK * 2);
      const g20 = v128.load(g + rowK * 2), g21 = v128.load(g + rowK * 2 + colK), g22 = v128.load(g + rowK * 2 + colK * 2);
      const s10 = f32x4.mul(f32x4.add(f32x4.add(g00, g10), g20), half), s11 = f32x4.mul(f32x4.add(f32x4.add(g01, g11), g21), half), s12 = f32x4.mul(f32x4.add(f32x4.add(g02, g12), g22), half);
      const s20 = f32x4.mul(f32x4.add(f32x4.sub(g00, g10), g20), half), s21 = f32x4.mul(f32x4.add(f32x4.sub(g01, g11), g21), half), s22 = f32x4.mul(f32x4.add(f32x4.sub(g02, g12), g22), half);
      const u = U + <usize>ci * coB + <usize>co * 4;
      winoWeightRow(u, uStride, 0, g00, g01, g02, half);
      winoWeightRow(u, uStride, 4, s10, s11, s12, half);
      winoWeightRow(u, uStride, 8, s20, s21, s22, half);
      winoWeightRow(u, uStride, 12, g20, g21, g22, half);
    }
  }
  // Input tiles: V[ξ][t][ci], SIMD over ci.
  const rowB = <usize>Wp * ciB;
  let t = 0;
  for (let b = 0; b < B; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        const base = x + <usize>((b * Hp + ty * 2) * Wp + tx * 2) * ciB;
        const r3ok = ty * 2 + 3 < Hp, c3ok = tx * 2 + 3 < Wp;
        const vt = V + <usize>t * ciB;
        for (let c: usize = 0; c < ciB; c += 16) {
          const p0 = base + c, p1 = p0 + rowB, p2 = p1 + rowB, p3 = p2 + rowB;
          // rows of Bᵀ d: t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3, per column
          const d00 = v128.load(p0), d01 = v128.load(p0 + ciB), d02 = v128.load(p0 + ciB * 2), d03 = c3ok ? v128.load(p0 + ciB * 3) : z;
          const d10 = v128.load(p1), d11 = v128.load(p1 + ciB), d12 = v128.load(p1 + ciB * 2), d13 = c3ok ? v128.load(p1 + ciB * 3) : z;
          const d20 = v128.load(p2), d21 = v128.load(p2 + ciB), d22 = v128.load(p2 + ciB * 2), d23 = c3ok ? v128.load(p2 + ciB * 3) : z;
          let d30 = z, d31 = z, d32 = z, d33 = z;
          if (r3ok) { d30 = v128.load(p3); d31 = v128.load(p3 + ciB); d32 = v128.load(p3 + ciB * 2); d33 = c3ok ? v128.load(p3 + ciB * 3) : z; }
          const o = vt + c;
          winoInputRow(o, vStride, 0, f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23));
          winoInputRow(o, vStride, 4, f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23));
          winoInputRow(o, vStride, 8, f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13));
          winoInputRow(o, vStride, 12, f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33));
        }
        t++;
      }
    }
  }
  // The 16 products.
  for (let xi = 0; xi < 16; xi++) dense(V + <usize>xi * vStride, Ci, U + <usize>xi * uStride, zb, Co, M + <usize>xi * mStride, T, 0, 0);
  // Outputs: Y = Aᵀ M A + bias, SIMD over co.
  t = 0;
  for (let b = 0; b < B; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        const oy = ty * 2, ox = tx * 2;
        const yo = y + <usize>((b * Ho + oy) * Wo + ox) * coB;
        const two = ox + 1 < Wo, down = oy + 1 < Ho;
        const mt = M + <usize>t * coB;
        for (let c: usize = 0; c < coB; c += 16) {
          const q = mt + c;
          const m0 = v128.load(q), m1 = v128.load(q + mStride), m2 = v128.load(q + mStride * 2), m3 = v128.load(q + mStride * 3);
          const m4 = v128.load(q + mStride * 4), m5 = v128.load(q + mStride * 5), m6 = v128.load(q + mStride * 6), m7 = v128.load(q + mStride * 7);
          const m8 = v128.load(q + mStride * 8), m9 = v128.load(q + mStride * 9), m10 = v128.load(q + mStride * 10), m11 = v128.load(q + mStride * 11);
          const m12 = v128.load(q + mStride * 12), m13 = v128.load(q + mStride * 13), m14 = v128.load(q + mStride * 14), m15 = v128.load(q + mStride * 15);
          // rows of Aᵀ M: u0 = m0 + m1 + m2 (rows ξ/4 = 0, 1, 2), u1 = m1 − m2 − m3, per column
          const u00 = f32x4.add(f32x4.add(m0, m4), m8), u01 = f32x4.add(f32x4.add(m1, m5), m9), u02 = f32x4.add(f32x4.add(m2, m6), m10), u03 = f32x4.add(f32x4.add(m3, m7), m11);
          const u10 = f32x4.sub(f32x4.sub(m4, m8), m12), u11 = f32x4.sub(f32x4.sub(m5, m9), m13), u12 = f32x4.sub(f32x4.sub(m6, m10), m14), u13 = f32x4.sub(f32x4.sub(m7, m11), m15);
          const bv = v128.load(bias + c);
          let y00 = f32x4.add(f32x4.add(f32x4.add(u00, u01), u02), bv), y01 = f32x4.add(f32x4.sub(f32x4.sub(u01, u02), u03), bv);
          let y10 = f32x4.add(f32x4.add(f32x4.add(u10, u11), u12), bv), y11 = f32x4.add(f32x4.sub(f32x4.sub(u11, u12), u13), bv);
          if (relu) { y00 = f32x4.max(y00, z); y01 = f32x4.max(y01, z); y10 = f32x4.max(y10, z); y11 = f32x4.max(y11, z); }
          v128.store(yo + c, y00);
          if (two) v128.store(yo + coB + c, y01);
          if (down) {
            const yd = yo + <usize>Wo * coB;
            v128.store(yd + c, y10);
            if (two) v128.store(yd + coB + c, y11);
          }
        }
        t++;
      }
    }
  }
}

/** U[4r..4r+3] from one row (s0, s1, s2) of G g: (s0, (s0 + s1 + s2)/2, (s0 − s1 + s2)/2, s2). */
// @ts-ignore: decorator
@inline function winoWeightRow(u: usize, stride: usize, first: i32, s0: v128, s1: v128, s2: v128, half: v128): void {
  const at = u + <usize>first * stride;
  v128.store(at, s0);
  v128.store(at + stride, f32x4.mul(f32x4.add(f32x4.add(s0, s1), s2), half));
  v128.store(at + stride * 2, f32x4.mul(f32x4.add(f32x4.sub(s0, s1), s2), half));
  v128.store(at + stride * 3, s2);
}

/** V[4r..4r+3] from one row (t0..t3) of Bᵀ d: (t0 − t2, t1 + t2, t2 − t1, t1 − t3). */
// @ts-ignore: decorator
@inline function winoInputRow(o: usize, stride: usize, first: i32, t0: v128, t1: v128, t2: v128, t3: v128): void {
  const at = o + <usize>first * stride;
  v128.store(at, f32x4.sub(t0, t2));
  v128.store(at + stride, f32x4.add(t1, t2));
  v128.store(at + stride * 2, f32x4.sub(t2, t1));
  v128.store(at + stride * 3, f32x4.sub(t1, t3));
}

/** Store up to 16 channels (`left` of them remain from this block on) without writing past them. */
// @ts-ignore: decorator
@inline function storeBlock(p: usize, a0: v128, a1: v128, a2: v128, a3: v128, left: i32): void {
  storeLanes(p, a0, left);
  if (left > 4) storeLanes(p + 16, a1, left - 4);
  if (left > 8) storeLanes(p + 32, a2, left - 8);
  if (left > 12) storeLanes(p + 48, a3, left - 12);
}

/**
 * Filter and bias gradients: gw[ky][kx][ci][co] = Σ_{b,oy,ox} x[b][oy·S+ky][ox·S+kx][ci]·dy[b][oy][ox][co];
 * gb[co] = Σ dy. Two (kx, ci) rows × 16 output channels accumulate in registers over every output pixel.
 */
function convDw(x: usize, Hp: i32, Wp: i32, Ci: i32, dy: usize, gw: usize, gb: usize, B: i32, Ho: i32, Wo: i32, Co: i32, KH: i32, KW: i32, S: i32): void {
  const L = KW * Ci;
  const coBytes = <usize>Co * 4;
  const nv = (Co + 3) >> 2;
  const P = B * Ho * Wo;
  for (let ky = 0; ky < KH; ky++) {
    for (let j = 0; j < L; j += 2) {
      const pair = j + 1 < L;
      const jb = pair ? 4 : 0;
      for (let v0 = 0; v0 < nv; v0 += 4) {
        const n = min(4, nv - v0);
        const off = <usize>v0 * 16;
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        const xStep = <usize>(S * Ci) * 4;
        for (let b = 0; b < B; b++) {
          for (let oy = 0; oy < Ho; oy++) {
            let xp = x + <usize>(((b * Hp + oy * S + ky) * Wp) * Ci + j) * 4;
            let d = dy + <usize>((b * Ho + oy) * Wo) * coBytes + off;
            // One loop per block width: no branch inside the pixel loop.
            if (n == 4) {
              for (let ox = 0; ox < Wo; ox++) {
                const s0 = v128.load32_splat(xp), s1 = v128.load32_splat(xp + <usize>jb);
                const d0 = v128.load(d), d1 = v128.load(d, 16), d2 = v128.load(d, 32), d3 = v128.load(d, 48);
                a0 = madd(s0, d0, a0);
                c0 = madd(s1, d0, c0);
                a1 = madd(s0, d1, a1);
                c1 = madd(s1, d1, c1);
                a2 = madd(s0, d2, a2);
                c2 = madd(s1, d2, c2);
                a3 = madd(s0, d3, a3);
                c3 = madd(s1, d3, c3);
                xp += xStep;
                d += coBytes;
              }
            } else if (n >= 2) {
              // n = 2 or 3: three vectors (the third discarded when n = 2)
              for (let ox = 0; ox < Wo; ox++) {
                const s0 = v128.load32_splat(xp), s1 = v128.load32_splat(xp + <usize>jb);
                const d0 = v128.load(d), d1 = v128.load(d, 16), d2 = v128.load(d, 32);
                a0 = madd(s0, d0, a0);
                c0 = madd(s1, d0, c0);
                a1 = madd(s0, d1, a1);
                c1 = madd(s1, d1, c1);
                a2 = madd(s0, d2, a2);
                c2 = madd(s1, d2, c2);
                xp += xStep;
                d += coBytes;
              }
            } else {
              for (let ox = 0; ox < Wo; ox++) {
                const s0 = v128.load32_splat(xp), s1 = v128.load32_splat(xp + <usize>jb);
                const d0 = v128.load(d);
                a0 = madd(s0, d0, a0);
                c0 = madd(s1, d0, c0);
                xp += xStep;
                d += coBytes;
              }
            }
          }
        }
        const g0 = gw + <usize>(ky * L + j) * coBytes + off;
        storeBlock(g0, a0, a1, a2, a3, Co - v0 * 4);
        if (pair) storeBlock(g0 + coBytes, c0, c1, c2, c3, Co - v0 * 4);
      }
    }
  }
  memory.fill(gb, 0, coBytes);
  for (let p = 0; p < P; p++) {
    const d = dy + <usize>p * coBytes;
    for (let c = 0; c < Co; c++) store<f32>(gb + <usize>c * 4, load<f32>(gb + <usize>c * 4) + load<f32>(d + <usize>c * 4));
  }
}

/**
 * The filter gradient when most of dy is zero (a ReLU, and even more a max pool, after the conv): per output
 * channel, the list of (gradient, input-patch address) of the pixels that carry one, then per kernel row the
 * contiguous KW·Ci inputs accumulate in registers, SIMD over that row, into gt [co][ky][L4] — transposed into gw
 * at the end. Work ∝ the non-zeros instead of all pixels. `gt` holds Co·KH·L4 floats, `list` 2·B·Ho·Wo words.
 */
function convDwSparse(x: usize, Hp: i32, Wp: i32, Ci: i32, dy: usize, gw: usize, gb: usize, B: i32, Ho: i32, Wo: i32, Co: i32, KH: i32, KW: i32, S: i32, gt: usize, list: usize): void {
  const L = KW * Ci;
  const L4 = (L + 3) & ~3;
  const nv = L4 >> 2;
  const P = B * Ho * Wo;
  const rowBytes = <usize>(Wp * Ci) * 4;
  for (let co = 0; co < Co; co++) {
    let n = 0;
    let bsum: f32 = 0;
    let p = 0;
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const g = load<f32>(dy + (<usize>p * <usize>Co + <usize>co) * 4);
          p++;
          // Branch-free: the entry is always written, kept only if g ≠ 0 (a data-dependent branch mispredicts).
          bsum += g;
          store<f32>(list + <usize>n * 8, g);
          store<u32>(list + <usize>n * 8, <u32>(x + <usize>(((b * Hp + oy * S) * Wp + ox * S) * Ci) * 4), 4);
          n += <i32>(g != 0);
        }
      }
    }
    store<f32>(gb + <usize>co * 4, bsum);
    for (let ky = 0; ky < KH; ky++) {
      const dst = gt + <usize>((co * KH + ky) * L4) * 4;
      const rk = <usize>ky * rowBytes;
      let v0 = 0;
      for (; v0 + 8 <= nv; v0 += 8) {
        const off = rk + <usize>v0 * 16;
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (let e = 0; e < n; e++) {
          const gs = v128.load32_splat(list + <usize>e * 8);
          const q = <usize>load<u32>(list + <usize>e * 8, 4) + off;
          a0 = madd(gs, v128.load(q), a0);
          a1 = madd(gs, v128.load(q, 16), a1);
          a2 = madd(gs, v128.load(q, 32), a2);
          a3 = madd(gs, v128.load(q, 48), a3);
          a4 = madd(gs, v128.load(q, 64), a4);
          a5 = madd(gs, v128.load(q, 80), a5);
          a6 = madd(gs, v128.load(q, 96), a6);
          a7 = madd(gs, v128.load(q, 112), a7);
        }
        const d = dst + <usize>v0 * 16;
        v128.store(d, a0); v128.store(d, a1, 16); v128.store(d, a2, 32); v128.store(d, a3, 48);
        v128.store(d, a4, 64); v128.store(d, a5, 80); v128.store(d, a6, 96); v128.store(d, a7, 112);
      }
      for (; v0 + 4 <= nv; v0 += 4) {
        const off = rk + <usize>v0 * 16;
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
        for (let e = 0; e < n; e++) {
          const gs = v128.load32_splat(list + <usize>e * 8);
          const q = <usize>load<u32>(list + <usize>e * 8, 4) + off;
          a0 = madd(gs, v128.load(q), a0);
          a1 = madd(gs, v128.load(q, 16), a1);
          a2 = madd(gs, v128.load(q, 32), a2);
          a3 = madd(gs, v128.load(q, 48), a3);
        }
        const d = dst + <usize>v0 * 16;
        v128.store(d, a0); v128.store(d, a1, 16); v128.store(d, a2, 32); v128.store(d, a3, 48);
      }
      for (; v0 < nv; v0++) {
        const off = rk + <usize>v0 * 16;
        let a0 = f32x4.splat(0), a1 = a0;
        let e = 0;
        for (; e + 2 <= n; e += 2) {
          a0 = madd(v128.load32_splat(list + <usize>e * 8), v128.load(<usize>load<u32>(list + <usize>e * 8, 4) + off), a0);
          a1 = madd(v128.load32_splat(list + <usize>e * 8, 8), v128.load(<usize>load<u32>(list + <usize>e * 8, 12) + off), a1);
        }
        if (e < n) a0 = madd(v128.load32_splat(list + <usize>e * 8), v128.load(<usize>load<u32>(list + <usize>e * 8, 4) + off), a0);
        v128.store(dst + <usize>v0 * 16, f32x4.add(a0, a1));
      }
    }
  }
  // gw[ky][j][co] ← gt[co][ky][j]
  for (let ky = 0; ky < KH; ky++) {
    for (let j = 0; j < L; j++) {
      const o = gw + <usize>((ky * L + j) * Co) * 4;
      for (let co = 0; co < Co; co++) store<f32>(o + <usize>co * 4, load<f32>(gt + <usize>((co * KH + ky) * L4 + j) * 4));
    }
  }
}

/** Fraction of zeros in n floats (decides sparse vs dense filter gradient). */
function zeroFraction(p: usize, n: i32): f32 {
  let z = 0;
  for (let i = 0; i < n; i++) z += <i32>(load<f32>(p + x4(i)) == 0);
  return <f32>z / <f32>n;
}

/**
 * Input gradient into a (padded) buffer dx [b][Hp][Wp][Ci], zeroed here: for each output pixel and kernel row, the
 * KW·Ci contiguous inputs receive Σ_co dy[co]·wt[co][ky][·], SIMD over that row. `wt` is scratch for the weights
 * transposed to [co][ky][L4] (rows zero-padded to a multiple of 4, so the extra lanes add exactly 0 past the row).
 */
function convDx(dy: usize, w: usize, wt: usize, dx: usize, Hp: i32, Wp: i32, Ci: i32, B: i32, Ho: i32, Wo: i32, Co: i32, KH: i32, KW: i32, S: i32, list: usize): void {
  const L = KW * Ci;
  const L4 = (L + 3) & ~3;
  const nv = L4 >> 2;
  memory.fill(wt, 0, <usize>(Co * KH * L4) * 4);
  for (let ky = 0; ky < KH; ky++) {
    for (let j = 0; j < L; j++) {
      const src = w + <usize>((ky * L + j) * Co) * 4;
      for (let co = 0; co < Co; co++) store<f32>(wt + <usize>((co * KH + ky) * L4 + j) * 4, load<f32>(src + <usize>co * 4));
    }
  }
  memory.fill(dx, 0, <usize>(B * Hp * Wp * Ci) * 4 + 64);
  const rowW = <usize>(KH * L4) * 4; // bytes between one channel's wt rows and the next channel's
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const g = dy + <usize>(((b * Ho + oy) * Wo + ox) * Co) * 4;
        // This pixel's non-zero channels as (gradient, wt row address) pairs: ReLU / max pool leave few.
        let n = 0;
        for (let co = 0; co < Co; co++) {
          const gv = load<f32>(g + <usize>co * 4);
          store<f32>(list + <usize>n * 8, gv);
          store<u32>(list + <usize>n * 8, <u32>(wt + <usize>co * rowW), 4);
          n += <i32>(gv != 0); // branch-free, as in convDwSparse
        }
        if (n == 0) continue;
        for (let ky = 0; ky < KH; ky++) {
          const dst = dx + <usize>(((b * Hp + oy * S + ky) * Wp + ox * S) * Ci) * 4;
          const rk = <usize>(ky * L4) * 4;
          let v0 = 0;
          for (; v0 + 4 <= nv; v0 += 4) {
            const off = rk + <usize>v0 * 16;
            let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
            for (let e = 0; e < n; e++) {
              const s = v128.load32_splat(list + <usize>e * 8);
              const q = <usize>load<u32>(list + <usize>e * 8, 4) + off;
              a0 = madd(s, v128.load(q), a0);
              a1 = madd(s, v128.load(q, 16), a1);
              a2 = madd(s, v128.load(q, 32), a2);
              a3 = madd(s, v128.load(q, 48), a3);
            }
            const d = dst + <usize>v0 * 16;
            v128.store(d, f32x4.add(v128.load(d), a0));
            v128.store(d, f32x4.add(v128.load(d, 16), a1), 16);
            v128.store(d, f32x4.add(v128.load(d, 32), a2), 32);
            v128.store(d, f32x4.add(v128.load(d, 48), a3), 48);
          }
          for (; v0 < nv; v0++) {
            const off = rk + <usize>v0 * 16;
            let a0 = f32x4.splat(0);
            for (let e = 0; e < n; e++) {
              a0 = madd(v128.load32_splat(list + <usize>e * 8), v128.load(<usize>load<u32>(list + <usize>e * 8, 4) + off), a0);
            }
            const d = dst + <usize>v0 * 16;
            v128.store(d, f32x4.add(v128.load(d), a0));
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- pooling (floor mode, no padding)

/** Max pool; arg[i] = the input index (within the batch tensor) of the first strict maximum, row-major. */
function maxPool(x: usize, y: usize, arg: usize, B: i32, H: i32, W: i32, C: i32, Ho: i32, Wo: i32, K: i32, S: i32): void {
  // Channels in 4-lane blocks when there are at least 4; for C % 4 ≠ 0 the last block starts at C − 4 and
  // overlaps the one before it (those lanes compute the same values and are written twice).
  const C4 = C >= 4 ? C : 0;
  const lanes = i32x4(0, 1, 2, 3);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const o = ((b * Ho + oy) * Wo + ox) * C;
        for (let cb = 0; cb < C4; cb += 4) {
          const c = min(cb, C - 4);
          const first = ((b * H + oy * S) * W + ox * S) * C + c;
          let m = v128.load(x + x4(first));
          let best = i32x4.add(i32x4.splat(first), lanes);
          for (let ky = 0; ky < K; ky++) {
            for (let kx = 0; kx < K; kx++) {
              const i = ((b * H + oy * S + ky) * W + ox * S + kx) * C + c;
              const v = v128.load(x + x4(i));
              const gt = f32x4.gt(v, m);
              m = v128.bitselect(v, m, gt);
              best = v128.bitselect(i32x4.add(i32x4.splat(i), lanes), best, gt);
            }
          }
          v128.store(y + x4(o + c), m);
          v128.store(arg + x4(o + c), best);
        }
        for (let c = C4; c < C; c++) {
          let best = ((b * H + oy * S) * W + ox * S) * C + c;
          let m = load<f32>(x + <usize>best * 4);
          for (let ky = 0; ky < K; ky++) {
            for (let kx = 0; kx < K; kx++) {
              const i = ((b * H + oy * S + ky) * W + ox * S + kx) * C + c;
              const v = load<f32>(x + <usize>i * 4);
              if (v > m) { m = v; best = i; }
            }
          }
          store<f32>(y + <usize>(o + c) * 4, m);
          store<i32>(arg + <usize>(o + c) * 4, best);
        }
      }
    }
  }
}

function maxPoolDx(dy: usize, arg: usize, dx: usize, inCount: i32, outCount: i32): void {
  memory.fill(dx, 0, <usize>inCount * 4);
  for (let i = 0; i < outCount; i++) {
    const at = dx + <usize>load<i32>(arg + <usize>i * 4) * 4;
    store<f32>(at, load<f32>(at) + load<f32>(dy + <usize>i * 4));
  }
}

function avgPool(x: usize, y: usize, B: i32, H: i32, W: i32, C: i32, Ho: i32, Wo: i32, K: i32, S: i32): void {
  const inv: f32 = 1.0 / <f32>(K * K);
  if ((C & 3) == 0) {
    const inv4 = f32x4.splat(inv);
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const o = x4(((b * Ho + oy) * Wo + ox) * C);
          for (let c = 0; c < C; c += 4) {
            let s4 = f32x4.splat(0);
            for (let ky = 0; ky < K; ky++) {
              for (let kx = 0; kx < K; kx++) s4 = f32x4.add(s4, v128.load(x + x4(((b * H + oy * S + ky) * W + ox * S + kx) * C + c)));
            }
            v128.store(y + o + x4(c), f32x4.mul(s4, inv4));
          }
        }
      }
    }
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const o = ((b * Ho + oy) * Wo + ox) * C;
        for (let c = 0; c < C; c++) {
          let s: f32 = 0;
          for (let ky = 0; ky < K; ky++) {
            for (let kx = 0; kx < K; kx++) s += load<f32>(x + <usize>(((b * H + oy * S + ky) * W + ox * S + kx) * C + c) * 4);
          }
          store<f32>(y + <usize>(o + c) * 4, s * inv);
        }
      }
    }
  }
}

function avgPoolDx(dy: usize, dx: usize, B: i32, H: i32, W: i32, C: i32, Ho: i32, Wo: i32, K: i32, S: i32): void {
  memory.fill(dx, 0, <usize>(B * H * W * C) * 4);
  const inv: f32 = 1.0 / <f32>(K * K);
  if ((C & 3) == 0) {
    const inv4 = f32x4.splat(inv);
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const o = x4(((b * Ho + oy) * Wo + ox) * C);
          for (let c = 0; c < C; c += 4) {
            const g = f32x4.mul(v128.load(dy + o + x4(c)), inv4);
            for (let ky = 0; ky < K; ky++) {
              for (let kx = 0; kx < K; kx++) {
                const at = dx + x4(((b * H + oy * S + ky) * W + ox * S + kx) * C + c);
                v128.store(at, f32x4.add(v128.load(at), g));
              }
            }
          }
        }
      }
    }
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const o = ((b * Ho + oy) * Wo + ox) * C;
        for (let c = 0; c < C; c++) {
          const g = load<f32>(dy + <usize>(o + c) * 4) * inv;
          for (let ky = 0; ky < K; ky++) {
            for (let kx = 0; kx < K; kx++) {
              const at = x4(((b * H + oy * S + ky) * W + ox * S + kx) * C + c) + dx;
              store<f32>(at, load<f32>(at) + g);
            }
          }
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function x4(i: i32): usize {
  return <usize>i * 4;
}

// ---------------------------------------------------------------- dense

/**
 * y[b][o] = bias[o] + Σ_i x[b][i]·w[i][o]; w [nin][nout]. Four batch rows × 8 outputs per pass (8 accumulators):
 * each weight vector loaded serves four rows, the inputs are broadcast straight from memory. Rows past a multiple
 * of four go one at a time.
 */
function dense(x: usize, nin: i32, w: usize, bias: usize, nout: i32, y: usize, B: i32, relu: i32, pack: usize): void {
  const z = f32x4.splat(0);
  const nv = (nout + 3) >> 2;
  const rowBytes = <usize>nout * 4;
  const xBytes = <usize>nin * 4;
  const B4 = B & ~3;
  // Output columns outer: one 8-column strip of w (nin × 32 bytes) stays in cache while every row group passes over
  // it; with `pack` ≠ 0 and several row groups the strip is first copied there contiguously (L1-sized for nin ≤ 1000).
  const packed = pack != 0 && B4 >= 8;
  const stride: usize = packed ? 32 : rowBytes;
  for (let v0 = 0; v0 < nv; v0 += 2) {
    const off = <usize>v0 * 16;
    const strip: usize = packed ? pack : w + off;
    if (packed) {
      let src = w + off;
      for (let i: usize = 0; i < <usize>nin * 32; i += 32) {
        v128.store(pack + i, v128.load(src));
        v128.store(pack + i, v128.load(src, 16), 16);
        src += rowBytes;
      }
    }
    for (let b = 0; b < B4; b += 4) {
      const x0 = x + <usize>b * xBytes, x1 = x0 + xBytes, x2 = x1 + xBytes, x3 = x2 + xBytes;
      const y0 = y + <usize>b * rowBytes;
      let a0 = v128.load(bias + off), a1 = v128.load(bias + off, 16);
      let b0 = a0, b1 = a1, c0 = a0, c1 = a1, d0 = a0, d1 = a1;
      let q = strip;
      for (let i: usize = 0; i < xBytes; i += 4) {
        const w0 = v128.load(q), w1 = v128.load(q, 16);
        q += stride;
        let s = v128.load32_splat(x0 + i);
        a0 = madd(s, w0, a0); a1 = madd(s, w1, a1);
        s = v128.load32_splat(x1 + i);
        b0 = madd(s, w0, b0); b1 = madd(s, w1, b1);
        s = v128.load32_splat(x2 + i);
        c0 = madd(s, w0, c0); c1 = madd(s, w1, c1);
        s = v128.load32_splat(x3 + i);
        d0 = madd(s, w0, d0); d1 = madd(s, w1, d1);
      }
      if (relu) {
        a0 = f32x4.max(a0, z); a1 = f32x4.max(a1, z); b0 = f32x4.max(b0, z); b1 = f32x4.max(b1, z);
        c0 = f32x4.max(c0, z); c1 = f32x4.max(c1, z); d0 = f32x4.max(d0, z); d1 = f32x4.max(d1, z);
      }
      const left = nout - v0 * 4;
      storeBlock(y0 + off, a0, a1, z, z, left);
      storeBlock(y0 + rowBytes + off, b0, b1, z, z, left);
      storeBlock(y0 + rowBytes * 2 + off, c0, c1, z, z, left);
      storeBlock(y0 + rowBytes * 3 + off, d0, d1, z, z, left);
    }
  }
  for (let b = B4; b < B; b++) {
    const xb = x + <usize>b * xBytes;
    const yb = y + <usize>b * rowBytes;
    for (let v0 = 0; v0 < nv; v0 += 4) {
      const off = <usize>v0 * 16;
      let a0 = v128.load(bias + off), a1 = v128.load(bias + off, 16), a2 = v128.load(bias + off, 32), a3 = v128.load(bias + off, 48);
      let q = w + off;
      for (let i: usize = 0; i < xBytes; i += 4) {
        const s = v128.load32_splat(xb + i);
        a0 = madd(s, v128.load(q), a0); a1 = madd(s, v128.load(q, 16), a1);
        a2 = madd(s, v128.load(q, 32), a2); a3 = madd(s, v128.load(q, 48), a3);
        q += rowBytes;
      }
      if (relu) {
        a0 = f32x4.max(a0, z); a1 = f32x4.max(a1, z); a2 = f32x4.max(a2, z); a3 = f32x4.max(a3, z);
      }
      storeBlock(yb + off, a0, a1, a2, a3, nout - v0 * 4);
    }
  }
}

/** gw[i][o] = Σ_b x[b][i]·dy[b][o]; gb[o] = Σ_b dy[b][o]. Two weight rows × 16 outputs in registers. */
function denseDw(x: usize, nin: i32, dy: usize, nout: i32, gw: usize, gb: usize, B: i32): void {
  denseDwSgd(x, nin, dy, nout, gw, gb, B, 0, 0, 0, 0, 0, 0, 0, 0);
}

/**
 * denseDw, and when `w` ≠ 0 the SGD update of each block of weights the moment its gradient is stored (still in
 * L1), instead of a separate pass over all weights: same arithmetic, less memory traffic. The layer's input
 * gradient must have been computed already (it needs the old weights).
 */
function denseDwSgd(x: usize, nin: i32, dy: usize, nout: i32, gw: usize, gb: usize, B: i32, w: usize, bias: usize, vw: usize, vb: usize, lr: f32, mu: f32, wd: f32, nesterov: i32): void {
  const z = f32x4.splat(0);
  const nv = (nout + 3) >> 2;
  const rowBytes = <usize>nout * 4;
  const xStride = <usize>nin * 4;
  const nin4 = nin & ~3;
  // Four weight rows × 8 outputs in registers over the batch: each dy vector loaded serves four rows.
  for (let i = 0; i < nin4; i += 4) {
    const xi = x + <usize>i * 4;
    for (let v0 = 0; v0 < nv; v0 += 2) {
      const off = <usize>v0 * 16;
      let g0 = z, g1 = z, h0 = z, h1 = z, k0 = z, k1 = z, m0 = z, m1 = z;
      let xp = xi, d = dy + off;
      for (let b = 0; b < B; b++) {
        const d0 = v128.load(d), d1 = v128.load(d, 16);
        let s = v128.load32_splat(xp);
        g0 = madd(s, d0, g0); g1 = madd(s, d1, g1);
        s = v128.load32_splat(xp, 4);
        h0 = madd(s, d0, h0); h1 = madd(s, d1, h1);
        s = v128.load32_splat(xp, 8);
        k0 = madd(s, d0, k0); k1 = madd(s, d1, k1);
        s = v128.load32_splat(xp, 12);
        m0 = madd(s, d0, m0); m1 = madd(s, d1, m1);
        xp += xStride;
        d += rowBytes;
      }
      const o = <usize>i * rowBytes + off;
      const left = nout - v0 * 4;
      if (w != 0 && left >= 8) {
        // The update straight from the registers (the gradient is still stored: getGradients).
        const r2 = rowBytes * 2, r3 = rowBytes * 3;
        sgdVec(w + o, vw + o, gw + o, g0, lr, mu, wd, nesterov); sgdVec(w + o + 16, vw + o + 16, gw + o + 16, g1, lr, mu, wd, nesterov);
        sgdVec(w + o + rowBytes, vw + o + rowBytes, gw + o + rowBytes, h0, lr, mu, wd, nesterov);
        sgdVec(w + o + rowBytes + 16, vw + o + rowBytes + 16, gw + o + rowBytes + 16, h1, lr, mu, wd, nesterov);
        sgdVec(w + o + r2, vw + o + r2, gw + o + r2, k0, lr, mu, wd, nesterov); sgdVec(w + o + r2 + 16, vw + o + r2 + 16, gw + o + r2 + 16, k1, lr, mu, wd, nesterov);
        sgdVec(w + o + r3, vw + o + r3, gw + o + r3, m0, lr, mu, wd, nesterov); sgdVec(w + o + r3 + 16, vw + o + r3 + 16, gw + o + r3 + 16, m1, lr, mu, wd, nesterov);
        continue;
      }
      storeBlock(gw + o, g0, g1, z, z, left);
      storeBlock(gw + o + rowBytes, h0, h1, z, z, left);
      storeBlock(gw + o + rowBytes * 2, k0, k1, z, z, left);
      storeBlock(gw + o + rowBytes * 3, m0, m1, z, z, left);
      if (w != 0) {
        const cnt = min(8, left);
        for (let r: usize = 0; r < 4; r++) {
          const at = o + r * rowBytes;
          sgd(w + at, gw + at, vw + at, cnt, lr, mu, wd, nesterov);
        }
      }
    }
  }
  // The last nin % 4 rows one at a time, 16 outputs per pass.
  for (let i = nin4; i < nin; i++) {
    const xi = x + <usize>i * 4;
    for (let v0 = 0; v0 < nv; v0 += 4) {
      const off = <usize>v0 * 16;
      let g0 = z, g1 = z, g2 = z, g3 = z;
      for (let b = 0; b < B; b++) {
        const s = v128.load32_splat(xi + <usize>b * xStride);
        const d = dy + <usize>(b * nout) * 4 + off;
        g0 = madd(s, v128.load(d), g0); g1 = madd(s, v128.load(d, 16), g1);
        g2 = madd(s, v128.load(d, 32), g2); g3 = madd(s, v128.load(d, 48), g3);
      }
      const o = <usize>i * rowBytes + off;
      storeBlock(gw + o, g0, g1, g2, g3, nout - v0 * 4);
      if (w != 0) sgd(w + o, gw + o, vw + o, min(16, nout - v0 * 4), lr, mu, wd, nesterov);
    }
  }
  memory.fill(gb, 0, rowBytes);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < nout; o++) store<f32>(gb + <usize>o * 4, load<f32>(gb + <usize>o * 4) + load<f32>(dy + <usize>(b * nout + o) * 4));
  }
  if (w != 0) sgd(bias, gb, vb, nout, lr, mu, wd, nesterov);
}

/** dx[b][i] = Σ_o dy[b][o]·w[i][o] (before the optimizer touches w). */
function denseDx(dy: usize, nout: i32, w: usize, nin: i32, dx: usize, B: i32): void {
  const nv = nout >> 2;
  const rowBytes = <usize>nout * 4;
  const B4 = B & ~3;
  // Two weight rows × four batch rows in registers: each weight vector serves four rows and each dy vector two,
  // and the weights are read once for all the batch (weight rows outer).
  for (let i = 0; i < nin; i += 2) {
    const pair = i + 1 < nin;
    const w0 = w + <usize>i * rowBytes, w1 = pair ? w0 + rowBytes : w0;
    for (let b = 0; b < B4; b += 4) {
      const y0 = dy + <usize>(b * nout) * 4, y1 = y0 + rowBytes, y2 = y1 + rowBytes, y3 = y2 + rowBytes;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
      for (let off: usize = 0; off < <usize>nv * 16; off += 16) {
        const u = v128.load(w0 + off), t = v128.load(w1 + off);
        let d = v128.load(y0 + off);
        a0 = madd(d, u, a0); c0 = madd(d, t, c0);
        d = v128.load(y1 + off);
        a1 = madd(d, u, a1); c1 = madd(d, t, c1);
        d = v128.load(y2 + off);
        a2 = madd(d, u, a2); c2 = madd(d, t, c2);
        d = v128.load(y3 + off);
        a3 = madd(d, u, a3); c3 = madd(d, t, c3);
      }
      denseDxStore(dx + <usize>(b * nin + i) * 4, a0, c0, y0, w0, w1, nv, nout, pair);
      denseDxStore(dx + <usize>((b + 1) * nin + i) * 4, a1, c1, y1, w0, w1, nv, nout, pair);
      denseDxStore(dx + <usize>((b + 2) * nin + i) * 4, a2, c2, y2, w0, w1, nv, nout, pair);
      denseDxStore(dx + <usize>((b + 3) * nin + i) * 4, a3, c3, y3, w0, w1, nv, nout, pair);
    }
    for (let b = B4; b < B; b++) {
      const yb = dy + <usize>(b * nout) * 4;
      let a0 = f32x4.splat(0), c0 = a0;
      for (let off: usize = 0; off < <usize>nv * 16; off += 16) {
        const d = v128.load(yb + off);
        a0 = madd(d, v128.load(w0 + off), a0);
        c0 = madd(d, v128.load(w1 + off), c0);
      }
      denseDxStore(dx + <usize>(b * nin + i) * 4, a0, c0, yb, w0, w1, nv, nout, pair);
    }
  }
}

/** Sum the lanes, add the last nout % 4 products, store dx[b][i] (and dx[b][i + 1] for a pair). */
// @ts-ignore: decorator
@inline function denseDxStore(at: usize, a: v128, c: v128, dyb: usize, w0: usize, w1: usize, nv: i32, nout: i32, pair: bool): void {
  let s0 = f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
  let s1 = f32x4.extract_lane(c, 0) + f32x4.extract_lane(c, 1) + f32x4.extract_lane(c, 2) + f32x4.extract_lane(c, 3);
  for (let o = nv << 2; o < nout; o++) {
    const d = load<f32>(dyb + <usize>o * 4);
    s0 += d * load<f32>(w0 + <usize>o * 4);
    s1 += d * load<f32>(w1 + <usize>o * 4);
  }
  store<f32>(at, s0);
  if (pair) store<f32>(at, s1, 4);
}

// ---------------------------------------------------------------- activations

function relu(x: usize, y: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + x4(i), f32x4.max(v128.load(x + x4(i)), z));
  for (; i < n; i++) {
    const v = load<f32>(x + x4(i));
    store<f32>(y + x4(i), v > 0 ? v : 0);
  }
}

/** dx = y > 0 ? dy : 0 (y: the ReLU's output). */
function reluDx(y: usize, dy: usize, dx: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dx + x4(i), v128.and(v128.load(dy + x4(i)), f32x4.gt(v128.load(y + x4(i)), z)));
  for (; i < n; i++) store<f32>(dx + x4(i), load<f32>(y + x4(i)) > 0 ? load<f32>(dy + x4(i)) : 0);
}

/** e^x for f32 (Cephes expf: x = n·ln2 + r, degree-5 polynomial; ≤ 2 ulp), with no lookup table. */
function expf(x: f32): f32 {
  if (x > 88.72283) return Infinity;
  if (x < -103.97208) return 0;
  const n = Mathf.floor(x * 1.44269504 + 0.5);
  let r = x - n * 0.693359375;
  r = r + n * 2.12194440e-4;
  const r2 = r * r;
  let p: f32 = 1.9875691500e-4;
  p = p * r + 1.3981999507e-3;
  p = p * r + 8.3334519073e-3;
  p = p * r + 4.1665795894e-2;
  p = p * r + 1.6666665459e-1;
  p = p * r + 5.0000001201e-1;
  const e = p * r2 + r + 1.0;
  // scale by 2^n in two steps so n down to -150 stays finite
  const ni = <i32>n;
  const h = ni >> 1;
  return e * reinterpret<f32>((h + 127) << 23) * reinterpret<f32>((ni - h + 127) << 23);
}

/** expf on four lanes: the same operations in the same order as the scalar expf, so bit-identical lane by lane. */
// @ts-ignore: decorator
@inline function expf4(x: v128): v128 {
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.add(r, f32x4.mul(n, f32x4.splat(2.12194440e-4)));
  const r2 = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const e = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1.0));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const h = i32x4.shr_s(ni, 1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(h, bias), 23), s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, h), bias), 23);
  let out = f32x4.mul(f32x4.mul(e, s1), s2);
  out = v128.bitselect(f32x4.splat(Infinity), out, f32x4.gt(x, f32x4.splat(88.72283)));
  return v128.bitselect(f32x4.splat(0), out, f32x4.lt(x, f32x4.splat(-103.97208)));
}

/** tanh of one value (the tail of the SIMD loop). */
// @ts-ignore: decorator
@inline function tanh1(v: f32): f32 {
  const a = Mathf.abs(v);
  if (a < 0.0004) return v; // 1 − 2/(e^{2x}+1) cancels for tiny x; tanh x ≈ x there to f32 precision
  const t: f32 = 1 - 2 / (expf(2 * a) + 1);
  return v < 0 ? -t : t;
}

/** tanh, SIMD four at a time (lane for lane what tanh1 computes). */
function tanh(x: usize, y: usize, n: i32): void {
  const one = f32x4.splat(1), two = f32x4.splat(2), tiny = f32x4.splat(0.0004);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + x4(i));
    const a = f32x4.abs(v);
    let t = f32x4.sub(one, f32x4.div(two, f32x4.add(expf4(f32x4.mul(two, a)), one)));
    t = v128.bitselect(f32x4.neg(t), t, f32x4.lt(v, f32x4.splat(0)));
    v128.store(y + x4(i), v128.bitselect(v, t, f32x4.lt(a, tiny)));
  }
  for (; i < n; i++) store<f32>(y + x4(i), tanh1(load<f32>(x + x4(i))));
}

function tanhDx(y: usize, dy: usize, dx: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const t = v128.load(y + x4(i));
    v128.store(dx + x4(i), f32x4.mul(v128.load(dy + x4(i)), f32x4.sub(one, f32x4.mul(t, t))));
  }
  for (; i < n; i++) {
    const t = load<f32>(y + x4(i));
    store<f32>(dx + x4(i), load<f32>(dy + x4(i)) * (1 - t * t));
  }
}

function sigmoid(x: usize, y: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + x4(i), f32x4.div(one, f32x4.add(one, expf4(f32x4.neg(v128.load(x + x4(i)))))));
  for (; i < n; i++) store<f32>(y + x4(i), 1 / (1 + expf(-load<f32>(x + x4(i)))));
}

function sigmoidDx(y: usize, dy: usize, dx: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const s = load<f32>(y + x4(i));
    store<f32>(dx + x4(i), load<f32>(dy + x4(i)) * s * (1 - s));
  }
}

// ---------------------------------------------------------------- batch norm (channel-last: C innermost)

/**
 * Training mode: per channel over the P = batch·H·W positions, mean and biased variance (f64 sums); xhat and
 * 1/√(var + eps) kept for the backward pass; running mean/var ← (1 − m)·running + m·batch (variance unbiased,
 * ·P/(P − 1)), as torch.nn.BatchNorm does.
 */
function bnTrain(x: usize, y: usize, xhat: usize, istd: usize, gamma: usize, beta: usize, rmean: usize, rvar: usize, sums: usize, P: i32, C: i32, eps: f32, mom: f32): void {
  if ((C & 3) == 0) {
    bnTrain4(x, y, xhat, istd, gamma, beta, rmean, rvar, sums, P, C, eps, mom);
    return;
  }
  memory.fill(sums, 0, <usize>C * 16);
  for (let p = 0; p < P; p++) {
    const r = x + <usize>(p * C) * 4;
    for (let c = 0; c < C; c++) {
      const s = sums + <usize>c * 8;
      store<f64>(s, load<f64>(s) + <f64>load<f32>(r + <usize>c * 4));
    }
  }
  const inv = 1.0 / <f64>P;
  for (let c = 0; c < C; c++) store<f64>(sums + <usize>c * 8, load<f64>(sums + <usize>c * 8) * inv);
  const sq = sums + <usize>C * 8;
  for (let p = 0; p < P; p++) {
    const r = x + <usize>(p * C) * 4;
    for (let c = 0; c < C; c++) {
      const d = <f64>load<f32>(r + <usize>c * 4) - load<f64>(sums + <usize>c * 8);
      const s = sq + <usize>c * 8;
      store<f64>(s, load<f64>(s) + d * d);
    }
  }
  for (let c = 0; c < C; c++) {
    const mean = load<f64>(sums + <usize>c * 8);
    const v = load<f64>(sq + <usize>c * 8) * inv;
    const is = <f32>(1.0 / Math.sqrt(v + <f64>eps));
    store<f32>(istd + <usize>c * 4, is);
    store<f32>(rmean + <usize>c * 4, (1 - mom) * load<f32>(rmean + <usize>c * 4) + mom * <f32>mean);
    const unbiased = P > 1 ? v * <f64>P / <f64>(P - 1) : v;
    store<f32>(rvar + <usize>c * 4, (1 - mom) * load<f32>(rvar + <usize>c * 4) + mom * <f32>unbiased);
    store<f32>(sums + <usize>c * 4, <f32>mean); // f32 means in the first C words (the f64s are no longer needed)
  }
  for (let p = 0; p < P; p++) {
    const o = <usize>(p * C) * 4;
    for (let c = 0; c < C; c++) {
      const cc = <usize>c * 4;
      const h = (load<f32>(x + o + cc) - load<f32>(sums + cc)) * load<f32>(istd + cc);
      store<f32>(xhat + o + cc, h);
      store<f32>(y + o + cc, h * load<f32>(gamma + cc) + load<f32>(beta + cc));
    }
  }
}

function bnEval(x: usize, y: usize, gamma: usize, beta: usize, rmean: usize, rvar: usize, P: i32, C: i32, eps: f32): void {
  for (let p = 0; p < P; p++) {
    const o = <usize>(p * C) * 4;
    for (let c = 0; c < C; c++) {
      const cc = <usize>c * 4;
      const is: f32 = <f32>1 / Mathf.sqrt(load<f32>(rvar + cc) + eps);
      store<f32>(y + o + cc, (load<f32>(x + o + cc) - load<f32>(rmean + cc)) * is * load<f32>(gamma + cc) + load<f32>(beta + cc));
    }
  }
}

/**
 * bnTrain for C % 4 = 0: SIMD over channels with float32 sums (PyTorch's CPU kernel also accumulates float inputs
 * in float), two passes (mean, then squared deviations).
 */
function bnTrain4(x: usize, y: usize, xhat: usize, istd: usize, gamma: usize, beta: usize, rmean: usize, rvar: usize, sums: usize, P: i32, C: i32, eps: f32, mom: f32): void {
  const cb = <usize>C * 4;
  const mean = sums, sq = sums + cb;
  memory.fill(sums, 0, cb * 2);
  for (let p = 0; p < P; p++) {
    const r = x + <usize>p * cb;
    for (let c: usize = 0; c < cb; c += 16) v128.store(mean + c, f32x4.add(v128.load(mean + c), v128.load(r + c)));
  }
  const inv = f32x4.splat(<f32>1 / <f32>P);
  for (let c: usize = 0; c < cb; c += 16) v128.store(mean + c, f32x4.mul(v128.load(mean + c), inv));
  for (let p = 0; p < P; p++) {
    const r = x + <usize>p * cb;
    for (let c: usize = 0; c < cb; c += 16) {
      const d = f32x4.sub(v128.load(r + c), v128.load(mean + c));
      v128.store(sq + c, f32x4.add(v128.load(sq + c), f32x4.mul(d, d)));
    }
  }
  for (let c = 0; c < C; c++) {
    const cc = <usize>c * 4;
    const m = load<f32>(mean + cc);
    const v = load<f32>(sq + cc) / <f32>P;
    store<f32>(istd + cc, <f32>(1.0 / Math.sqrt(<f64>v + <f64>eps)));
    store<f32>(rmean + cc, (1 - mom) * load<f32>(rmean + cc) + mom * m);
    const unbiased: f32 = P > 1 ? <f32>(<f64>v * <f64>P / <f64>(P - 1)) : v;
    store<f32>(rvar + cc, (1 - mom) * load<f32>(rvar + cc) + mom * unbiased);
  }
  for (let p = 0; p < P; p++) {
    const o = <usize>p * cb;
    for (let c: usize = 0; c < cb; c += 16) {
      const h = f32x4.mul(f32x4.sub(v128.load(x + o + c), v128.load(mean + c)), v128.load(istd + c));
      v128.store(xhat + o + c, h);
      v128.store(y + o + c, f32x4.add(f32x4.mul(h, v128.load(gamma + c)), v128.load(beta + c)));
    }
  }
}

/** bnDx for C % 4 = 0: SIMD over channels, float32 sums. */
function bnDx4(dy: usize, xhat: usize, istd: usize, gamma: usize, dx: usize, gg: usize, gbeta: usize, sums: usize, P: i32, C: i32): void {
  const cb = <usize>C * 4;
  memory.fill(gg, 0, cb);
  memory.fill(gbeta, 0, cb);
  for (let p = 0; p < P; p++) {
    const o = <usize>p * cb;
    for (let c: usize = 0; c < cb; c += 16) {
      const d = v128.load(dy + o + c);
      v128.store(gg + c, f32x4.add(v128.load(gg + c), f32x4.mul(d, v128.load(xhat + o + c))));
      v128.store(gbeta + c, f32x4.add(v128.load(gbeta + c), d));
    }
  }
  if (dx == 0) return;
  // k = γ·istd/P per channel, kept in the scratch
  const k = sums;
  const invP: f32 = <f32>1 / <f32>P;
  for (let c = 0; c < C; c++) store<f32>(k + <usize>c * 4, load<f32>(gamma + <usize>c * 4) * load<f32>(istd + <usize>c * 4) * invP);
  const P4 = f32x4.splat(<f32>P);
  for (let p = 0; p < P; p++) {
    const o = <usize>p * cb;
    for (let c: usize = 0; c < cb; c += 16) {
      const v = f32x4.sub(f32x4.sub(f32x4.mul(P4, v128.load(dy + o + c)), v128.load(gbeta + c)), f32x4.mul(v128.load(xhat + o + c), v128.load(gg + c)));
      v128.store(dx + o + c, f32x4.mul(v128.load(k + c), v));
    }
  }
}

/** dγ = Σ dy·xhat, dβ = Σ dy, dx = γ·istd/P · (P·dy − dβ − xhat·dγ). */
function bnDx(dy: usize, xhat: usize, istd: usize, gamma: usize, dx: usize, gg: usize, gbeta: usize, sums: usize, P: i32, C: i32): void {
  if ((C & 3) == 0) {
    bnDx4(dy, xhat, istd, gamma, dx, gg, gbeta, sums, P, C);
    return;
  }
  memory.fill(sums, 0, <usize>C * 16);
  const sb = sums + <usize>C * 8;
  for (let p = 0; p < P; p++) {
    const o = <usize>(p * C) * 4;
    for (let c = 0; c < C; c++) {
      const cc = <usize>c * 4;
      const d = <f64>load<f32>(dy + o + cc);
      store<f64>(sums + <usize>c * 8, load<f64>(sums + <usize>c * 8) + d * <f64>load<f32>(xhat + o + cc));
      store<f64>(sb + <usize>c * 8, load<f64>(sb + <usize>c * 8) + d);
    }
  }
  for (let c = 0; c < C; c++) {
    store<f32>(gg + <usize>c * 4, <f32>load<f64>(sums + <usize>c * 8));
    store<f32>(gbeta + <usize>c * 4, <f32>load<f64>(sb + <usize>c * 8));
  }
  if (dx == 0) return;
  const invP: f32 = 1.0 / <f32>P;
  for (let p = 0; p < P; p++) {
    const o = <usize>(p * C) * 4;
    for (let c = 0; c < C; c++) {
      const cc = <usize>c * 4;
      const k = load<f32>(gamma + cc) * load<f32>(istd + cc) * invP;
      const v = <f32>P * load<f32>(dy + o + cc) - load<f32>(gbeta + cc) - load<f32>(xhat + o + cc) * load<f32>(gg + cc);
      store<f32>(dx + o + cc, k * v);
    }
  }
}

// ---------------------------------------------------------------- dropout

/**
 * A fresh mask per step from (seed, step): splitmix64 per element; keep with probability 1 − rate and scale by
 * 1/(1 − rate) (inverted dropout, as torch). The mask stays in `mask` for the backward pass (and for tests).
 */
function dropout(x: usize, y: usize, mask: usize, n: i32, rate: f32, seed: u64): void {
  const scale: f32 = 1 / (1 - rate);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s += 0x9E3779B97F4A7C15;
    let z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
    z = z ^ (z >> 31);
    const u = <f32>(<u32>(z >> 40)) * (1.0 / 16777216.0); // 24 bits → [0, 1)
    const m: f32 = u < rate ? 0 : scale;
    store<f32>(mask + x4(i), m);
    store<f32>(y + x4(i), load<f32>(x + x4(i)) * m);
  }
}

function mul(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + x4(i), f32x4.mul(v128.load(a + x4(i)), v128.load(b + x4(i))));
  for (; i < n; i++) store<f32>(out + x4(i), load<f32>(a + x4(i)) * load<f32>(b + x4(i)));
}

// ---------------------------------------------------------------- loss

/** Mean softmax cross-entropy (f64 log-sum-exp); leaves d(loss)/d(logits) in dz. Returns the loss. */
function xent(z: usize, dz: usize, labels: usize, B: i32, K: i32): f64 {
  let total: f64 = 0;
  const inv: f64 = 1.0 / <f64>B;
  for (let b = 0; b < B; b++) {
    const r = z + <usize>(b * K) * 4, d = dz + <usize>(b * K) * 4;
    let m: f64 = load<f32>(r);
    for (let j = 1; j < K; j++) m = Math.max(m, <f64>load<f32>(r + x4(j)));
    let s: f64 = 0;
    for (let j = 0; j < K; j++) s += expd(<f64>load<f32>(r + x4(j)) - m);
    const label = load<i32>(labels + x4(b));
    total += m + logd(s) - <f64>load<f32>(r + x4(label));
    for (let j = 0; j < K; j++) {
      const p = expd(<f64>load<f32>(r + x4(j)) - m) / s;
      store<f32>(d + x4(j), <f32>((p - (j == label ? 1.0 : 0.0)) * inv));
    }
  }
  return total * inv;
}

// ---------------------------------------------------------------- optimizers (over all parameters at once)

/**
 * torch.optim.SGD: g += wd·w; buf = μ·buf + g; g = nesterov ? g + μ·buf : buf (μ > 0); w −= lr·g. SIMD; with μ = 0
 * no buffer is touched (torch keeps none). Adding wd·w with wd = 0 leaves g exactly as it was.
 */
function sgd(w: usize, g: usize, buf: usize, n: i32, lr: f32, mu: f32, wd: f32, nesterov: i32): void {
  const lr4 = f32x4.splat(lr), mu4 = f32x4.splat(mu), wd4 = f32x4.splat(wd);
  const n4 = n & ~3;
  if (mu == 0) {
    for (let i = 0; i < n4; i += 4) {
      const at = x4(i);
      const wv = v128.load(w + at);
      const gi = f32x4.add(v128.load(g + at), f32x4.mul(wd4, wv));
      v128.store(w + at, f32x4.sub(wv, f32x4.mul(gi, lr4)));
    }
  } else if (nesterov) {
    for (let i = 0; i < n4; i += 4) {
      const at = x4(i);
      const wv = v128.load(w + at);
      const gi = f32x4.add(v128.load(g + at), f32x4.mul(wd4, wv));
      const m = f32x4.add(f32x4.mul(v128.load(buf + at), mu4), gi);
      v128.store(buf + at, m);
      v128.store(w + at, f32x4.sub(wv, f32x4.mul(f32x4.add(gi, f32x4.mul(mu4, m)), lr4)));
    }
  } else {
    for (let i = 0; i < n4; i += 4) {
      const at = x4(i);
      const wv = v128.load(w + at);
      const gi = f32x4.add(v128.load(g + at), f32x4.mul(wd4, wv));
      const m = f32x4.add(f32x4.mul(v128.load(buf + at), mu4), gi);
      v128.store(buf + at, m);
      v128.store(w + at, f32x4.sub(wv, f32x4.mul(m, lr4)));
    }
  }
  for (let i = n4; i < n; i++) {
    const at = x4(i);
    let gi = load<f32>(g + at) + wd * load<f32>(w + at);
    if (mu != 0) {
      const m = load<f32>(buf + at) * mu + gi;
      store<f32>(buf + at, m);
      gi = nesterov ? gi + mu * m : m;
    }
    store<f32>(w + at, load<f32>(w + at) - gi * lr);
  }
}

/** sgd() for the 4 weights at `w` whose gradient `gi` is in a register (stored to `g` too); same arithmetic. */
// @ts-ignore: decorator
@inline function sgdVec(w: usize, buf: usize, g: usize, gi: v128, lr: f32, mu: f32, wd: f32, nesterov: i32): void {
  v128.store(g, gi);
  const wv = v128.load(w);
  const gd = f32x4.add(gi, f32x4.mul(f32x4.splat(wd), wv));
  if (mu == 0) {
    v128.store(w, f32x4.sub(wv, f32x4.mul(gd, f32x4.splat(lr))));
    return;
  }
  const m = f32x4.add(f32x4.mul(v128.load(buf), f32x4.splat(mu)), gd);
  v128.store(buf, m);
  const u = nesterov ? f32x4.add(gd, f32x4.mul(f32x4.splat(mu), m)) : m;
  v128.store(w, f32x4.sub(wv, f32x4.mul(u, f32x4.splat(lr))));
}

/** torch.optim.Adam (no amsgrad): m, v moments; bias corrections for step t. SIMD. */
function adam(w: usize, g: usize, m1: usize, m2: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32, wd: f32, t: i32): void {
  // β^t through the imported exp/log: AssemblyScript's Math.pow would bring lookup tables (a data segment).
  const bc1 = <f32>(1 - expd(<f64>t * logd(<f64>b1)));
  const bc2s = <f32>Math.sqrt(1 - expd(<f64>t * logd(<f64>b2)));
  const step = lr / bc1;
  const b14 = f32x4.splat(b1), b24 = f32x4.splat(b2), c1 = f32x4.splat(1 - b1), c2 = f32x4.splat(1 - b2);
  const wd4 = f32x4.splat(wd), st4 = f32x4.splat(step), bc4 = f32x4.splat(bc2s), eps4 = f32x4.splat(eps);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const at = x4(i);
    const wv = v128.load(w + at);
    const gi = f32x4.add(v128.load(g + at), f32x4.mul(wd4, wv));
    const m = f32x4.add(f32x4.mul(v128.load(m1 + at), b14), f32x4.mul(gi, c1));
    const v = f32x4.add(f32x4.mul(v128.load(m2 + at), b24), f32x4.mul(f32x4.mul(gi, gi), c2));
    v128.store(m1 + at, m);
    v128.store(m2 + at, v);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), bc4), eps4);
    v128.store(w + at, f32x4.sub(wv, f32x4.mul(st4, f32x4.div(m, denom))));
  }
  for (let i = n4; i < n; i++) {
    const at = x4(i);
    const gi = load<f32>(g + at) + wd * load<f32>(w + at);
    const m = load<f32>(m1 + at) * b1 + gi * (1 - b1);
    const v = load<f32>(m2 + at) * b2 + gi * gi * (1 - b2);
    store<f32>(m1 + at, m);
    store<f32>(m2 + at, v);
    store<f32>(w + at, load<f32>(w + at) - step * (m / (Mathf.sqrt(v) / bc2s + eps)));
  }
}

// ---------------------------------------------------------------- the interpreter

/**
 * Run the program at `prog` (i32 words: an op code then its arguments, OP_END last). Returns the loss of the
 * OP_XENT op (0 when there is none, e.g. a forward-only program). `step` numbers the step for the dropout masks
 * and Adam's bias correction; `seed` is the plan's seed.
 */
export function run(prog: usize, labels: usize, seed: u64, step: i32): f64 {
  let pc = prog;
  let loss: f64 = 0;
  while (true) {
    const op = ld(pc, 0);
    if (op == OP_END) break;
    const a = pc + 4;
    let n = 0;
    switch (op) {
      case OP_PAD: { pad(F(ld(a, 0)), F(ld(a, 1)), ld(a, 2), ld(a, 3), ld(a, 4), ld(a, 5), ld(a, 6), ld(a, 7), ld(a, 8), ld(a, 9)); n = 10; break; }
      case OP_UNPAD: { unpad(F(ld(a, 0)), F(ld(a, 1)), ld(a, 2), ld(a, 3), ld(a, 4), ld(a, 5), ld(a, 6), ld(a, 7), ld(a, 8), ld(a, 9)); n = 10; break; }
      case OP_CONV: {
        conv(F(ld(a, 0)), ld(a, 1), ld(a, 2), ld(a, 3), F(ld(a, 4)), F(ld(a, 5)), F(ld(a, 6)), ld(a, 7), ld(a, 8), ld(a, 9), ld(a, 10), ld(a, 11), ld(a, 12), ld(a, 13), ld(a, 14));
        n = 15; break;
      }
      case OP_CONV_WINO: {
        convWino(F(ld(a, 0)), ld(a, 1), ld(a, 2), ld(a, 3), F(ld(a, 4)), F(ld(a, 5)), F(ld(a, 6)), ld(a, 7), ld(a, 8), ld(a, 9), ld(a, 10), ld(a, 11), F(ld(a, 12)), F(ld(a, 13)), F(ld(a, 14)), F(ld(a, 15)));
        n = 16; break;
      }
      case OP_CONV_DW: {
        // Sparse when at least half of dy is zero: its cost follows the non-zeros (ReLU / max pool after the conv).
        // Not for kernel rows shorter than 8 floats (KW·Ci, e.g. a 3×3 conv on 1 channel): one SIMD vector per list
        // entry does not pay for the per-channel pass over dy (wide's conv1: 0.59 → 0.14 ms at batch 4).
        const dy = F(ld(a, 4)), P = ld(a, 7) * ld(a, 8) * ld(a, 9), Co = ld(a, 10);
        if (ld(a, 12) * ld(a, 3) >= 8 && zeroFraction(dy, P * Co) >= 0.5) {
          convDwSparse(F(ld(a, 0)), ld(a, 1), ld(a, 2), ld(a, 3), dy, F(ld(a, 5)), F(ld(a, 6)), ld(a, 7), ld(a, 8), ld(a, 9), Co, ld(a, 11), ld(a, 12), ld(a, 13), F(ld(a, 14)), F(ld(a, 15)));
        } else {
          convDw(F(ld(a, 0)), ld(a, 1), ld(a, 2), ld(a, 3), dy, F(ld(a, 5)), F(ld(a, 6)), ld(a, 7), ld(a, 8), ld(a, 9), Co, ld(a, 11), ld(a, 12), ld(a, 13));
        }
        n = 16; break;
      }
      case OP_CONV_DX: {
        convDx(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), F(ld(a, 3)), ld(a, 4), ld(a, 5), ld(a, 6), ld(a, 7), ld(a, 8), ld(a, 9), ld(a, 10), ld(a, 11), ld(a, 12), ld(a, 13), F(ld(a, 14)));
        n = 15; break;
      }
      case OP_MAXPOOL: { maxPool(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), ld(a, 3), ld(a, 4), ld(a, 5), ld(a, 6), ld(a, 7), ld(a, 8), ld(a, 9), ld(a, 10)); n = 11; break; }
      case OP_MAXPOOL_DX: { maxPoolDx(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), ld(a, 3), ld(a, 4)); n = 5; break; }
      case OP_AVGPOOL: { avgPool(F(ld(a, 0)), F(ld(a, 1)), ld(a, 2), ld(a, 3), ld(a, 4), ld(a, 5), ld(a, 6), ld(a, 7), ld(a, 8), ld(a, 9)); n = 10; break; }
      case OP_AVGPOOL_DX: { avgPoolDx(F(ld(a, 0)), F(ld(a, 1)), ld(a, 2), ld(a, 3), ld(a, 4), ld(a, 5), ld(a, 6), ld(a, 7), ld(a, 8), ld(a, 9)); n = 10; break; }
      case OP_DENSE: { dense(F(ld(a, 0)), ld(a, 1), F(ld(a, 2)), F(ld(a, 3)), ld(a, 4), F(ld(a, 5)), ld(a, 6), ld(a, 7), F(ld(a, 8))); n = 9; break; }
      case OP_DENSE_DW_SGD: {
        denseDwSgd(F(ld(a, 0)), ld(a, 1), F(ld(a, 2)), ld(a, 3), F(ld(a, 4)), F(ld(a, 5)), ld(a, 6), F(ld(a, 7)), F(ld(a, 8)), F(ld(a, 9)), F(ld(a, 10)),
          ldf(a, 11), ldf(a, 12), ldf(a, 13), ld(a, 14));
        n = 15; break;
      }
      case OP_DENSE_DW: { denseDw(F(ld(a, 0)), ld(a, 1), F(ld(a, 2)), ld(a, 3), F(ld(a, 4)), F(ld(a, 5)), ld(a, 6)); n = 7; break; }
      case OP_DENSE_DX: { denseDx(F(ld(a, 0)), ld(a, 1), F(ld(a, 2)), ld(a, 3), F(ld(a, 4)), ld(a, 5)); n = 6; break; }
      case OP_RELU: { relu(F(ld(a, 0)), F(ld(a, 1)), ld(a, 2)); n = 3; break; }
      case OP_RELU_DX: { reluDx(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), ld(a, 3)); n = 4; break; }
      case OP_TANH: { tanh(F(ld(a, 0)), F(ld(a, 1)), ld(a, 2)); n = 3; break; }
      case OP_TANH_DX: { tanhDx(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), ld(a, 3)); n = 4; break; }
      case OP_SIGMOID: { sigmoid(F(ld(a, 0)), F(ld(a, 1)), ld(a, 2)); n = 3; break; }
      case OP_SIGMOID_DX: { sigmoidDx(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), ld(a, 3)); n = 4; break; }
      case OP_BN_TRAIN: {
        bnTrain(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), F(ld(a, 3)), F(ld(a, 4)), F(ld(a, 5)), F(ld(a, 6)), F(ld(a, 7)), F(ld(a, 8)), ld(a, 9), ld(a, 10), ldf(a, 11), ldf(a, 12));
        n = 13; break;
      }
      case OP_BN_EVAL: { bnEval(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), F(ld(a, 3)), F(ld(a, 4)), F(ld(a, 5)), ld(a, 6), ld(a, 7), ldf(a, 8)); n = 9; break; }
      case OP_BN_DX: { bnDx(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), F(ld(a, 3)), F(ld(a, 4)), F(ld(a, 5)), F(ld(a, 6)), F(ld(a, 7)), ld(a, 8), ld(a, 9)); n = 10; break; }
      case OP_DROPOUT: {
        // Each dropout layer gets its own stream: (seed, step, layer salt) mixed into the splitmix start.
        const salt = <u64>ld(a, 4);
        dropout(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), ld(a, 3), ldf(a, 5), seed * 0x100000001B3 ^ (<u64>step << 20) ^ (salt << 52) ^ <u64>step);
        n = 6; break;
      }
      case OP_DROPOUT_DX: { mul(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), ld(a, 3)); n = 4; break; }
      case OP_XENT: { loss = xent(F(ld(a, 0)), F(ld(a, 1)), labels, ld(a, 2), ld(a, 3)); n = 4; break; }
      case OP_SGD: { sgd(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), ld(a, 3), ldf(a, 4), ldf(a, 5), ldf(a, 6), ld(a, 7)); n = 8; break; }
      case OP_ADAM: {
        adam(F(ld(a, 0)), F(ld(a, 1)), F(ld(a, 2)), F(ld(a, 3)), ld(a, 4), ldf(a, 5), ldf(a, 6), ldf(a, 7), ldf(a, 8), ldf(a, 9), step);
        n = 10; break;
      }
      case OP_ZERO: { memory.fill(F(ld(a, 0)), 0, <usize>ld(a, 1) * 4); n = 2; break; }
      case OP_COPY: { memory.copy(F(ld(a, 1)), F(ld(a, 0)), <usize>ld(a, 2) * 4); n = 3; break; }
      default: unreachable();
    }
    pc = a + <usize>n * 4;
  }
  return loss;
}
