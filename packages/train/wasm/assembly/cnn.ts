// One fused SGD-momentum training step for the tutorial's CNN, in AssemblyScript with WebAssembly SIMD.
//
// The module IMPORTS tfjs-backend-wasm's memory and works on pointers into it: the tfjs variables' own buffers
// (parameters and momentum, tfjs layout) are read and updated in place, and scratch space comes from the backend's
// malloc. Hazard: because the memory is shared, this module must never own static data or allocate — build with
// `--runtime stub --noAssert --use abort=` and check the binary has no data segment (wasm/build.mjs does).
//
// Layouts. Parameters (tfjs): conv1 [5,5,1,6], conv2 [5,5,6,16], fc1 [256,120] with rows (h,w,c), fc2 [120,84],
// fc3 [84,10]. Activations are ours: conv1 is computed two output rows at a time, SIMD over 4 output columns, and
// pooled at once; pool1 NHWC [b][12][12][6]; conv2 NHWC [b][8][8][16] (SIMD over 16 output channels); pool2
// [b][256], which is exactly fc1's (h,w,c) input order.
//
// Max-pool then ReLU equals ReLU then max-pool, and the gradient of that pair reaches exactly one conv output per
// pooling window (the first strict maximum in row-major order, tfjs's rule) and only when the maximum is > 0. So the
// forward pass records one arg-max byte per pooled value (255 = no gradient), and the conv backward passes scatter
// from the ≤ 1/4 of positions that carry gradient instead of convolving dense, mostly-zero gradients.

@external("env", "exp") declare function exp(x: f64): f64;
@external("env", "log") declare function log(x: f64): f64;

const NO_GRAD: u8 = 255;

// Scratch layout (byte offsets from the scratch base), set by layout().
let B: i32 = 0;
let BASE: usize = 0;
let A1: usize = 0; // f32 [b][12][12][6] (+ slack)
let I1: usize = 0; // u8  [b][12][12][6]
let C2: usize = 0; // f32 [b][8][8][16]
let A2: usize = 0; // f32 [b][256]
let I2: usize = 0; // u8  [b][256]
let H1: usize = 0; // f32 [b][120]
let H2: usize = 0; // f32 [b][84]
let LG: usize = 0; // f32 [b][10]  logits, then d(loss)/d(logits)
let D2: usize = 0; // f32 [b][84]
let D1: usize = 0; // f32 [b][120]
let DA2: usize = 0; // f32 [b][256]
let DA1: usize = 0; // f32 [b][12][12][6] (+ slack)
let G1T: usize = 0; // f32 [6][5][8]    conv1 filter gradient, channel-major, rows padded to 8
let G2T: usize = 0; // f32 [16][5][32]  conv2 filter gradient, channel-major, (kx,ci) rows padded to 32
let W2T: usize = 0; // f32 [16][5][32]  conv2 weights, same layout (zero padding)
let W1S: usize = 0; // v128 [25][6]     conv1 weights, each splatted
let GB1: usize = 0; // f32 [8]
let GB2: usize = 0; // f32 [16]
let T1: usize = 0; // f32 [6][2][24]   two conv1 output rows, pooled right away
let PG: usize = 0; // f32 [16][b·16]   per conv2 channel: gradients of the pooled positions that carry one
let PA: usize = 0; // u32 [16][b·16]   … and the address of their input patch's top-left pixel in A1
let WL: usize = 0; // i32 [4][16] + [16] per pooling window: channels routed to each of the 4 positions; then
                   //                    per-channel lengths of the PG/PA lists
let END: usize = 0;

function align(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

function layout(batch: i32, base: usize): void {
  if (batch == B && base == BASE) return;
  B = batch;
  const b = <usize>batch;
  let p = base;
  BASE = p;
  A1 = p; p = align(p + b * 864 * 4 + 64);
  I1 = p; p = align(p + b * 864);
  C2 = p; p = align(p + b * 1024 * 4);
  A2 = p; p = align(p + b * 256 * 4);
  I2 = p; p = align(p + b * 256);
  H1 = p; p = align(p + b * 120 * 4);
  H2 = p; p = align(p + b * 84 * 4);
  LG = p; p = align(p + b * 10 * 4);
  D2 = p; p = align(p + b * 84 * 4);
  D1 = p; p = align(p + b * 120 * 4);
  DA2 = p; p = align(p + b * 256 * 4);
  DA1 = p; p = align(p + b * 864 * 4 + 64);
  G1T = p; p = align(p + 240 * 4);
  G2T = p; p = align(p + 2560 * 4);
  W2T = p; p = align(p + 2560 * 4);
  W1S = p; p = align(p + 150 * 16);
  GB1 = p; p = align(p + 8 * 4);
  GB2 = p; p = align(p + 16 * 4);
  T1 = p; p = align(p + 288 * 4);
  PG = p; p = align(p + b * 256 * 4);
  PA = p; p = align(p + b * 256 * 4);
  WL = p; p = align(p + 80 * 4);
  END = p;
}

/** Bytes of scratch memory trainStep needs for `batch` images. */
export function scratchBytes(batch: i32): usize {
  layout(batch, 0);
  const n = END;
  B = 0; // force trainStep/predict to lay out again at their real base
  return n + 16;
}

function zero(p: usize, bytes: usize): void {
  memory.fill(p, 0, bytes);
}

// ---------------------------------------------------------------- forward

function conv1Pool(x: usize, w: usize, bias: usize): void {
  for (let t = 0; t < 150; t++) v128.store(W1S + <usize>t * 16, f32x4.splat(load<f32>(w + <usize>t * 4)));
  for (let b = 0; b < B; b++) {
    for (let py = 0; py < 12; py++) {
      // Output rows 2·py and 2·py + 1 together: each weight load serves both, and the pair is exactly one row of
      // pooling windows, so the pre-activations never leave a 1 KB buffer.
      for (let ox = 0; ox < 24; ox += 4) {
        for (let half = 0; half < 2; half++) {
          const c0 = half * 3;
          let p0 = f32x4.splat(load<f32>(bias + <usize>c0 * 4)), p1 = f32x4.splat(load<f32>(bias + <usize>(c0 + 1) * 4));
          let p2 = f32x4.splat(load<f32>(bias + <usize>(c0 + 2) * 4));
          let q0 = p0, q1 = p1, q2 = p2;
          for (let ky = 0; ky < 5; ky++) {
            const row = x + ((<usize>(b * 28 + py * 2 + ky)) * 28 + <usize>ox) * 4;
            const ws = W1S + <usize>(ky * 5) * 96 + <usize>c0 * 16;
            for (let kx = 0; kx < 5; kx++) {
              const xa = v128.load(row + <usize>kx * 4);
              const xb = v128.load(row + <usize>kx * 4, 112);
              const wp = ws + <usize>kx * 96;
              const w0 = v128.load(wp), w1 = v128.load(wp, 16), w2 = v128.load(wp, 32);
              p0 = f32x4.add(p0, f32x4.mul(xa, w0));
              q0 = f32x4.add(q0, f32x4.mul(xb, w0));
              p1 = f32x4.add(p1, f32x4.mul(xa, w1));
              q1 = f32x4.add(q1, f32x4.mul(xb, w1));
              p2 = f32x4.add(p2, f32x4.mul(xa, w2));
              q2 = f32x4.add(q2, f32x4.mul(xb, w2));
            }
          }
          const o = T1 + (<usize>(c0 * 48) + <usize>ox) * 4;
          v128.store(o, p0);
          v128.store(o, q0, 96);
          v128.store(o, p1, 192);
          v128.store(o, q1, 288);
          v128.store(o, p2, 384);
          v128.store(o, q2, 480);
        }
      }
      // 2×2 max-pool + ReLU into NHWC, remembering the arg-max.
      for (let c = 0; c < 6; c++) {
        const plane = T1 + <usize>(c * 48) * 4;
        for (let px = 0; px < 12; px++) {
          const p = plane + <usize>(px * 2) * 4;
          let m = load<f32>(p);
          let k: u8 = 0;
          const v1 = load<f32>(p, 4), v2 = load<f32>(p, 96), v3 = load<f32>(p, 100);
          if (v1 > m) { m = v1; k = 1; }
          if (v2 > m) { m = v2; k = 2; }
          if (v3 > m) { m = v3; k = 3; }
          const at = <usize>(((b * 12 + py) * 12 + px) * 6 + c);
          if (m > 0) {
            store<f32>(A1 + at * 4, m);
            store<u8>(I1 + at, k);
          } else {
            store<f32>(A1 + at * 4, 0);
            store<u8>(I1 + at, NO_GRAD);
          }
        }
      }
    }
  }
}

function conv2Pool(w: usize, bias: usize): void {
  const b0 = v128.load(bias), b1 = v128.load(bias, 16), b2 = v128.load(bias, 32), b3 = v128.load(bias, 48);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < 8; oy++) {
      for (let ox = 0; ox < 8; ox += 2) {
        // Two neighbouring output pixels share every weight load.
        let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
        let c0 = b0, c1 = b1, c2 = b2, c3 = b3;
        for (let ky = 0; ky < 5; ky++) {
          // For one kernel row, the 5 taps × 6 channels of input and weights are both contiguous (30 entries).
          const ap = A1 + ((<usize>(b * 12 + oy + ky)) * 12 + <usize>ox) * 24;
          const wp = w + <usize>(ky * 30) * 64;
          for (let j = 0; j < 30; j++) {
            const s0 = v128.load32_splat(ap + <usize>j * 4);
            const s1 = v128.load32_splat(ap + <usize>j * 4, 24);
            const q = wp + <usize>j * 64;
            const w0 = v128.load(q), w1 = v128.load(q, 16), w2 = v128.load(q, 32), w3 = v128.load(q, 48);
            a0 = f32x4.add(a0, f32x4.mul(s0, w0));
            c0 = f32x4.add(c0, f32x4.mul(s1, w0));
            a1 = f32x4.add(a1, f32x4.mul(s0, w1));
            c1 = f32x4.add(c1, f32x4.mul(s1, w1));
            a2 = f32x4.add(a2, f32x4.mul(s0, w2));
            c2 = f32x4.add(c2, f32x4.mul(s1, w2));
            a3 = f32x4.add(a3, f32x4.mul(s0, w3));
            c3 = f32x4.add(c3, f32x4.mul(s1, w3));
          }
        }
        const o = C2 + <usize>((b * 8 + oy) * 8 + ox) * 64;
        v128.store(o, a0);
        v128.store(o, a1, 16);
        v128.store(o, a2, 32);
        v128.store(o, a3, 48);
        v128.store(o, c0, 64);
        v128.store(o, c1, 80);
        v128.store(o, c2, 96);
        v128.store(o, c3, 112);
      }
    }
  }
  for (let b = 0; b < B; b++) {
    for (let py = 0; py < 4; py++) {
      for (let px = 0; px < 4; px++) {
        const p = C2 + <usize>((b * 8 + py * 2) * 8 + px * 2) * 64;
        const at = <usize>(b * 256 + (py * 4 + px) * 16);
        for (let c = 0; c < 16; c++) {
          const q = p + <usize>c * 4;
          let m = load<f32>(q);
          let k: u8 = 0;
          const v1 = load<f32>(q, 64), v2 = load<f32>(q, 512), v3 = load<f32>(q, 576);
          if (v1 > m) { m = v1; k = 1; }
          if (v2 > m) { m = v2; k = 2; }
          if (v3 > m) { m = v3; k = 3; }
          if (m > 0) {
            store<f32>(A2 + (at + <usize>c) * 4, m);
            store<u8>(I2 + at + <usize>c, k);
          } else {
            store<f32>(A2 + (at + <usize>c) * 4, 0);
            store<u8>(I2 + at + <usize>c, NO_GRAD);
          }
        }
      }
    }
  }
}

/** y[b][o] = (relu?)(bias[o] + Σ_i x[b][i]·w[i][o]); w is [nin][nout] row-major. Zero inputs are skipped. */
function denseForward(x: usize, nin: i32, w: usize, bias: usize, nout: i32, y: usize, relu: bool): void {
  const nv = nout >> 2;
  const rowBytes = <usize>nout * 4;
  const zero4 = f32x4.splat(0);
  let b = 0;
  // Two batch rows × four output vectors per pass: each weight load feeds two rows.
  for (; b + 2 <= B; b += 2) {
    const xb = x + <usize>(b * nin) * 4, xc = xb + <usize>nin * 4;
    const yb = y + <usize>(b * nout) * 4, yc = yb + rowBytes;
    let v = 0;
    for (; v + 4 <= nv; v += 4) {
      const off = <usize>v * 16;
      let a0 = v128.load(bias + off), a1 = v128.load(bias + off, 16);
      let a2 = v128.load(bias + off, 32), a3 = v128.load(bias + off, 48);
      let c0 = a0, c1 = a1, c2 = a2, c3 = a3;
      for (let i = 0; i < nin; i++) {
        const xi = load<f32>(xb + <usize>i * 4), xj = load<f32>(xc + <usize>i * 4);
        if (xi == 0 && xj == 0) continue;
        const s = f32x4.splat(xi), t = f32x4.splat(xj);
        const q = w + <usize>i * rowBytes + off;
        const w0 = v128.load(q), w1 = v128.load(q, 16), w2 = v128.load(q, 32), w3 = v128.load(q, 48);
        a0 = f32x4.add(a0, f32x4.mul(s, w0));
        c0 = f32x4.add(c0, f32x4.mul(t, w0));
        a1 = f32x4.add(a1, f32x4.mul(s, w1));
        c1 = f32x4.add(c1, f32x4.mul(t, w1));
        a2 = f32x4.add(a2, f32x4.mul(s, w2));
        c2 = f32x4.add(c2, f32x4.mul(t, w2));
        a3 = f32x4.add(a3, f32x4.mul(s, w3));
        c3 = f32x4.add(c3, f32x4.mul(t, w3));
      }
      if (relu) {
        a0 = f32x4.max(a0, zero4); a1 = f32x4.max(a1, zero4); a2 = f32x4.max(a2, zero4); a3 = f32x4.max(a3, zero4);
        c0 = f32x4.max(c0, zero4); c1 = f32x4.max(c1, zero4); c2 = f32x4.max(c2, zero4); c3 = f32x4.max(c3, zero4);
      }
      v128.store(yb + off, a0);
      v128.store(yb + off, a1, 16);
      v128.store(yb + off, a2, 32);
      v128.store(yb + off, a3, 48);
      v128.store(yc + off, c0);
      v128.store(yc + off, c1, 16);
      v128.store(yc + off, c2, 32);
      v128.store(yc + off, c3, 48);
    }
    denseForwardRest(xb, nin, w, bias, nout, yb, relu, v);
    denseForwardRest(xc, nin, w, bias, nout, yc, relu, v);
  }
  for (; b < B; b++) {
    const xb = x + <usize>(b * nin) * 4;
    const yb = y + <usize>(b * nout) * 4;
    let v = 0;
    for (; v + 4 <= nv; v += 4) {
      const off = <usize>v * 16;
      let a0 = v128.load(bias + off), a1 = v128.load(bias + off, 16);
      let a2 = v128.load(bias + off, 32), a3 = v128.load(bias + off, 48);
      for (let i = 0; i < nin; i++) {
        const xi = load<f32>(xb + <usize>i * 4);
        if (xi == 0) continue;
        const s = f32x4.splat(xi);
        const q = w + <usize>i * rowBytes + off;
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(q)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(q, 16)));
        a2 = f32x4.add(a2, f32x4.mul(s, v128.load(q, 32)));
        a3 = f32x4.add(a3, f32x4.mul(s, v128.load(q, 48)));
      }
      if (relu) {
        a0 = f32x4.max(a0, zero4); a1 = f32x4.max(a1, zero4);
        a2 = f32x4.max(a2, zero4); a3 = f32x4.max(a3, zero4);
      }
      v128.store(yb + off, a0);
      v128.store(yb + off, a1, 16);
      v128.store(yb + off, a2, 32);
      v128.store(yb + off, a3, 48);
    }
    denseForwardRest(xb, nin, w, bias, nout, yb, relu, v);
  }
}

/** One row's output vectors from `v` on, then the scalar tail (nout % 4). */
function denseForwardRest(xb: usize, nin: i32, w: usize, bias: usize, nout: i32, yb: usize, relu: bool, v: i32): void {
  const nv = nout >> 2;
  const rowBytes = <usize>nout * 4;
  const zero4 = f32x4.splat(0);
  for (; v < nv; v++) {
    const off = <usize>v * 16;
    let a0 = v128.load(bias + off);
    for (let i = 0; i < nin; i++) {
      const xi = load<f32>(xb + <usize>i * 4);
      if (xi == 0) continue;
      a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(xi), v128.load(w + <usize>i * rowBytes + off)));
    }
    if (relu) a0 = f32x4.max(a0, zero4);
    v128.store(yb + off, a0);
  }
  for (let o = nv << 2; o < nout; o++) {
    let a = load<f32>(bias + <usize>o * 4);
    for (let i = 0; i < nin; i++) a += load<f32>(xb + <usize>i * 4) * load<f32>(w + <usize>i * rowBytes + <usize>o * 4);
    store<f32>(yb + <usize>o * 4, relu && a < 0 ? 0 : a);
  }
}

/** Mean softmax cross-entropy over the batch; leaves d(loss)/d(logits) in LG. */
function softmaxCrossEntropy(labels: usize): f32 {
  let total: f64 = 0;
  const inv: f64 = 1.0 / <f64>B;
  for (let b = 0; b < B; b++) {
    const z = LG + <usize>(b * 10) * 4;
    let m: f64 = load<f32>(z);
    for (let j = 1; j < 10; j++) m = Math.max(m, <f64>load<f32>(z + <usize>j * 4));
    let s: f64 = 0;
    for (let j = 0; j < 10; j++) s += exp(<f64>load<f32>(z + <usize>j * 4) - m);
    const label = load<i32>(labels + <usize>b * 4);
    total += m + log(s) - <f64>load<f32>(z + <usize>label * 4);
    for (let j = 0; j < 10; j++) {
      const p = exp(<f64>load<f32>(z + <usize>j * 4) - m) / s;
      store<f32>(z + <usize>j * 4, <f32>((p - (j == label ? 1.0 : 0.0)) * inv));
    }
  }
  return <f32>(total * inv);
}

// ---------------------------------------------------------------- backward

/** dx[b][i] = x[b][i] > 0 ? Σ_o dy[b][o]·w[i][o] : 0 (the ReLU/pool gate of the layer below), with the old w. */
function denseInputGrad(dy: usize, nout: i32, w: usize, nin: i32, x: usize, dx: usize): void {
  const nv = nout >> 2;
  const rowBytes = <usize>nout * 4;
  for (let b = 0; b < B; b++) {
    const dyb = dy + <usize>(b * nout) * 4;
    let i = 0;
    // Two rows at once with two partial sums each: four independent add chains instead of one latency-bound chain.
    for (; i + 2 <= nin; i += 2) {
      const at = <usize>(b * nin + i) * 4;
      const open0 = load<f32>(x + at) > 0, open1 = load<f32>(x + at, 4) > 0;
      if (!open0 && !open1) {
        store<u64>(dx + at, 0);
        continue;
      }
      const w0 = w + <usize>i * rowBytes, w1 = w0 + rowBytes;
      let a0 = f32x4.splat(0), a1 = a0, c0 = a0, c1 = a0;
      let v = 0;
      for (; v + 2 <= nv; v += 2) {
        const off = <usize>v * 16;
        const d0 = v128.load(dyb + off), d1 = v128.load(dyb + off, 16);
        a0 = f32x4.add(a0, f32x4.mul(d0, v128.load(w0 + off)));
        a1 = f32x4.add(a1, f32x4.mul(d1, v128.load(w0 + off, 16)));
        c0 = f32x4.add(c0, f32x4.mul(d0, v128.load(w1 + off)));
        c1 = f32x4.add(c1, f32x4.mul(d1, v128.load(w1 + off, 16)));
      }
      if (v < nv) {
        const off = <usize>v * 16;
        const d0 = v128.load(dyb + off);
        a0 = f32x4.add(a0, f32x4.mul(d0, v128.load(w0 + off)));
        c0 = f32x4.add(c0, f32x4.mul(d0, v128.load(w1 + off)));
      }
      a0 = f32x4.add(a0, a1);
      c0 = f32x4.add(c0, c1);
      let s0 = f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1) + f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3);
      let s1 = f32x4.extract_lane(c0, 0) + f32x4.extract_lane(c0, 1) + f32x4.extract_lane(c0, 2) + f32x4.extract_lane(c0, 3);
      for (let o = nv << 2; o < nout; o++) {
        const d = load<f32>(dyb + <usize>o * 4);
        s0 += d * load<f32>(w0 + <usize>o * 4);
        s1 += d * load<f32>(w1 + <usize>o * 4);
      }
      store<f32>(dx + at, open0 ? s0 : 0);
      store<f32>(dx + at, open1 ? s1 : 0, 4);
    }
    for (; i < nin; i++) {
      const at = <usize>(b * nin + i) * 4;
      let s: f32 = 0;
      if (load<f32>(x + at) > 0) {
        for (let o = 0; o < nout; o++) s += load<f32>(dyb + <usize>o * 4) * load<f32>(w + <usize>i * rowBytes + <usize>o * 4);
      }
      store<f32>(dx + at, s);
    }
  }
}

/**
 * Gradient of a dense layer's weights and bias, applied at once as PyTorch's SGD momentum:
 * v ← μ·v + g; w ← w − lr·v. The gradient itself is never stored.
 */
function denseUpdate(x: usize, nin: i32, dy: usize, nout: i32, w: usize, vw: usize, bias: usize, vb: usize, lr: f32, mu: f32): void {
  const nv = nout >> 2;
  const rowBytes = <usize>nout * 4;
  const xStride = <usize>nin * 4;
  const lr4 = f32x4.splat(lr), mu4 = f32x4.splat(mu);
  let i = 0;
  // Two weight rows × four output vectors per pass: 8 accumulators fed by 2 splats + 4 loads per batch row; batch
  // rows whose two inputs are both zero (ReLU) contribute nothing and are skipped.
  for (; i + 2 <= nin; i += 2) {
    const wr = w + <usize>i * rowBytes, vr = vw + <usize>i * rowBytes;
    const xi = x + <usize>i * 4;
    let v = 0;
    for (; v + 4 <= nv; v += 4) {
      const off = <usize>v * 16;
      let g0 = f32x4.splat(0), g1 = g0, g2 = g0, g3 = g0, h0 = g0, h1 = g0, h2 = g0, h3 = g0;
      for (let b = 0; b < B; b++) {
        const xa = load<f32>(xi + <usize>b * xStride), xb = load<f32>(xi + <usize>b * xStride, 4);
        if (xa == 0 && xb == 0) continue;
        const sa = f32x4.splat(xa), sb = f32x4.splat(xb);
        const d = dy + <usize>(b * nout) * 4 + off;
        const d0 = v128.load(d), d1 = v128.load(d, 16), d2 = v128.load(d, 32), d3 = v128.load(d, 48);
        g0 = f32x4.add(g0, f32x4.mul(sa, d0));
        h0 = f32x4.add(h0, f32x4.mul(sb, d0));
        g1 = f32x4.add(g1, f32x4.mul(sa, d1));
        h1 = f32x4.add(h1, f32x4.mul(sb, d1));
        g2 = f32x4.add(g2, f32x4.mul(sa, d2));
        h2 = f32x4.add(h2, f32x4.mul(sb, d2));
        g3 = f32x4.add(g3, f32x4.mul(sa, d3));
        h3 = f32x4.add(h3, f32x4.mul(sb, d3));
      }
      sgd4(wr + off, vr + off, g0, lr4, mu4);
      sgd4(wr + off + 16, vr + off + 16, g1, lr4, mu4);
      sgd4(wr + off + 32, vr + off + 32, g2, lr4, mu4);
      sgd4(wr + off + 48, vr + off + 48, g3, lr4, mu4);
      sgd4(wr + rowBytes + off, vr + rowBytes + off, h0, lr4, mu4);
      sgd4(wr + rowBytes + off + 16, vr + rowBytes + off + 16, h1, lr4, mu4);
      sgd4(wr + rowBytes + off + 32, vr + rowBytes + off + 32, h2, lr4, mu4);
      sgd4(wr + rowBytes + off + 48, vr + rowBytes + off + 48, h3, lr4, mu4);
    }
    for (; v < nv; v++) {
      const off = <usize>v * 16;
      let g0 = f32x4.splat(0), h0 = g0;
      for (let b = 0; b < B; b++) {
        const d0 = v128.load(dy + <usize>(b * nout) * 4 + off);
        g0 = f32x4.add(g0, f32x4.mul(f32x4.splat(load<f32>(xi + <usize>b * xStride)), d0));
        h0 = f32x4.add(h0, f32x4.mul(f32x4.splat(load<f32>(xi + <usize>b * xStride, 4)), d0));
      }
      sgd4(wr + off, vr + off, g0, lr4, mu4);
      sgd4(wr + rowBytes + off, vr + rowBytes + off, h0, lr4, mu4);
    }
    for (let r = 0; r < 2; r++) {
      for (let o = nv << 2; o < nout; o++) {
        let g: f32 = 0;
        for (let b = 0; b < B; b++) g += load<f32>(x + <usize>(b * nin + i + r) * 4) * load<f32>(dy + <usize>(b * nout + o) * 4);
        sgd(wr + <usize>r * rowBytes + <usize>o * 4, vr + <usize>r * rowBytes + <usize>o * 4, g, lr, mu);
      }
    }
  }
  for (; i < nin; i++) {
    const wr = w + <usize>i * rowBytes, vr = vw + <usize>i * rowBytes;
    for (let o = 0; o < nout; o++) {
      let g: f32 = 0;
      for (let b = 0; b < B; b++) g += load<f32>(x + <usize>(b * nin + i) * 4) * load<f32>(dy + <usize>(b * nout + o) * 4);
      sgd(wr + <usize>o * 4, vr + <usize>o * 4, g, lr, mu);
    }
  }
  for (let o = 0; o < nout; o++) {
    let g: f32 = 0;
    for (let b = 0; b < B; b++) g += load<f32>(dy + <usize>(b * nout + o) * 4);
    sgd(bias + <usize>o * 4, vb + <usize>o * 4, g, lr, mu);
  }
}

// @ts-ignore: decorator
@inline function sgd4(w: usize, v: usize, g: v128, lr4: v128, mu4: v128): void {
  const m = f32x4.add(f32x4.mul(v128.load(v), mu4), g);
  v128.store(v, m);
  v128.store(w, f32x4.sub(v128.load(w), f32x4.mul(m, lr4)));
}

// @ts-ignore: decorator
@inline function sgd(w: usize, v: usize, g: f32, lr: f32, mu: f32): void {
  const m = load<f32>(v) * mu + g;
  store<f32>(v, m);
  store<f32>(w, load<f32>(w) - m * lr);
}

/** Backward through pool2 + conv2 from DA2: conv2's filter/bias gradients into G2T/GB2, pool1's gradient into DA1. */
function conv2Backward(w: usize): void {
  zero(GB2, 16 * 4);
  zero(DA1, <usize>B * 864 * 4 + 64);
  // W2T[co][ky][kx·6 + ci] = w[ky][kx][ci][co]; padding columns 30, 31 stay 0 so the 8-vector rows add nothing.
  zero(W2T, 2560 * 4);
  for (let t = 0; t < 150; t++) {
    const ky = t / 30, j = t % 30;
    for (let co = 0; co < 16; co++) store<f32>(W2T + <usize>((co * 5 + ky) * 32 + j) * 4, load<f32>(w + <usize>(t * 16 + co) * 4));
  }
  const cap = <usize>B * 16;
  for (let co = 0; co < 16; co++) store<i32>(WL + <usize>(64 + co) * 4, 0);
  for (let b = 0; b < B; b++) {
    for (let py = 0; py < 4; py++) {
      for (let px = 0; px < 4; px++) {
        const at = <usize>(b * 256 + (py * 4 + px) * 16);
        // Route this window's channels to the position (k) their gradient flows to.
        let n0 = 0, n1 = 0, n2 = 0, n3 = 0;
        for (let co = 0; co < 16; co++) {
          const k = load<u8>(I2 + at + <usize>co);
          if (k == NO_GRAD) continue;
          const g = load<f32>(DA2 + (at + <usize>co) * 4);
          if (g == 0) continue;
          store<f32>(GB2 + <usize>co * 4, load<f32>(GB2 + <usize>co * 4) + g);
          const oy = py * 2 + (k >> 1), ox = px * 2 + (k & 1);
          const cnt = WL + <usize>(64 + co) * 4;
          const n = <usize>load<i32>(cnt);
          store<f32>(PG + (<usize>co * cap + n) * 4, g);
          store<u32>(PA + (<usize>co * cap + n) * 4, <u32>(A1 + ((<usize>(b * 12 + oy)) * 12 + <usize>ox) * 24));
          store<i32>(cnt, <i32>n + 1);
          // WL[k][slot] = co: 4 lists of up to 16
          if (k == 0) { store<i32>(WL + <usize>n0 * 4, co); n0++; }
          else if (k == 1) { store<i32>(WL + <usize>(16 + n1) * 4, co); n1++; }
          else if (k == 2) { store<i32>(WL + <usize>(32 + n2) * 4, co); n2++; }
          else { store<i32>(WL + <usize>(48 + n3) * 4, co); n3++; }
        }
        // pool1's gradient: for each of the 4 positions, Σ over its channels of g·W2T[co], summed in registers.
        for (let k = 0; k < 4; k++) {
          const n = k == 0 ? n0 : k == 1 ? n1 : k == 2 ? n2 : n3;
          if (n == 0) continue;
          const oy = py * 2 + (k >> 1), ox = px * 2 + (k & 1);
          const list = WL + <usize>(k * 16) * 4;
          for (let ky = 0; ky < 5; ky++) {
            let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (let e = 0; e < n; e++) {
              const co = load<i32>(list + <usize>e * 4);
              const gs = f32x4.splat(load<f32>(DA2 + (at + <usize>co) * 4));
              const wp = W2T + <usize>((co * 5 + ky) * 32) * 4;
              a0 = f32x4.add(a0, f32x4.mul(gs, v128.load(wp)));
              a1 = f32x4.add(a1, f32x4.mul(gs, v128.load(wp, 16)));
              a2 = f32x4.add(a2, f32x4.mul(gs, v128.load(wp, 32)));
              a3 = f32x4.add(a3, f32x4.mul(gs, v128.load(wp, 48)));
              a4 = f32x4.add(a4, f32x4.mul(gs, v128.load(wp, 64)));
              a5 = f32x4.add(a5, f32x4.mul(gs, v128.load(wp, 80)));
              a6 = f32x4.add(a6, f32x4.mul(gs, v128.load(wp, 96)));
              a7 = f32x4.add(a7, f32x4.mul(gs, v128.load(wp, 112)));
            }
            // 30 contiguous (kx, ci) entries; the 8th vector's last 2 lanes touch the next pixel and add W2T's zero
            // padding there (a no-op; DA1 has slack at its end).
            const dp = DA1 + ((<usize>(b * 12 + oy + ky)) * 12 + <usize>ox) * 24;
            v128.store(dp, f32x4.add(v128.load(dp), a0));
            v128.store(dp, f32x4.add(v128.load(dp, 16), a1), 16);
            v128.store(dp, f32x4.add(v128.load(dp, 32), a2), 32);
            v128.store(dp, f32x4.add(v128.load(dp, 48), a3), 48);
            v128.store(dp, f32x4.add(v128.load(dp, 64), a4), 64);
            v128.store(dp, f32x4.add(v128.load(dp, 80), a5), 80);
            v128.store(dp, f32x4.add(v128.load(dp, 96), a6), 96);
            v128.store(dp, f32x4.add(v128.load(dp, 112), a7), 112);
          }
        }
      }
    }
  }
  // conv2's filter gradient, channel by channel over that channel's list, one kernel row (8 vectors) at a time in
  // registers. The last 2 lanes of each row read the next pixel of A1 and land in G2T's ignored padding.
  for (let co = 0; co < 16; co++) {
    const n = load<i32>(WL + <usize>(64 + co) * 4);
    const gl = PG + <usize>co * cap * 4, al = PA + <usize>co * cap * 4;
    for (let ky = 0; ky < 5; ky++) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (let e = 0; e < n; e++) {
        const gs = v128.load32_splat(gl + <usize>e * 4);
        const ap = <usize>load<u32>(al + <usize>e * 4) + <usize>ky * 288;
        a0 = f32x4.add(a0, f32x4.mul(gs, v128.load(ap)));
        a1 = f32x4.add(a1, f32x4.mul(gs, v128.load(ap, 16)));
        a2 = f32x4.add(a2, f32x4.mul(gs, v128.load(ap, 32)));
        a3 = f32x4.add(a3, f32x4.mul(gs, v128.load(ap, 48)));
        a4 = f32x4.add(a4, f32x4.mul(gs, v128.load(ap, 64)));
        a5 = f32x4.add(a5, f32x4.mul(gs, v128.load(ap, 80)));
        a6 = f32x4.add(a6, f32x4.mul(gs, v128.load(ap, 96)));
        a7 = f32x4.add(a7, f32x4.mul(gs, v128.load(ap, 112)));
      }
      const gp = G2T + <usize>((co * 5 + ky) * 32) * 4;
      v128.store(gp, a0);
      v128.store(gp, a1, 16);
      v128.store(gp, a2, 32);
      v128.store(gp, a3, 48);
      v128.store(gp, a4, 64);
      v128.store(gp, a5, 80);
      v128.store(gp, a6, 96);
      v128.store(gp, a7, 112);
    }
  }
}

/** Backward through pool1 + conv1 from DA1: conv1's filter/bias gradients into G1T/GB1 (no input gradient). */
function conv1Backward(x: usize): void {
  // Channel by channel, the whole 5×5 gradient stays in registers (5 rows of 4 lanes + 5 scalars).
  for (let c = 0; c < 6; c++) {
    let r0 = f32x4.splat(0), r1 = r0, r2 = r0, r3 = r0, r4 = r0;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, gb: f32 = 0;
    for (let b = 0; b < B; b++) {
      for (let py = 0; py < 12; py++) {
        for (let px = 0; px < 12; px++) {
          const at = <usize>(((b * 12 + py) * 12 + px) * 6 + c);
          const k = load<u8>(I1 + at);
          if (k == NO_GRAD) continue;
          const g = load<f32>(DA1 + at * 4);
          if (g == 0) continue;
          gb += g;
          const gs = f32x4.splat(g);
          const xp = x + ((<usize>(b * 28 + py * 2 + (k >> 1))) * 28 + <usize>(px * 2 + (k & 1))) * 4;
          r0 = f32x4.add(r0, f32x4.mul(gs, v128.load(xp)));
          s0 += g * load<f32>(xp, 16);
          r1 = f32x4.add(r1, f32x4.mul(gs, v128.load(xp, 112)));
          s1 += g * load<f32>(xp, 128);
          r2 = f32x4.add(r2, f32x4.mul(gs, v128.load(xp, 224)));
          s2 += g * load<f32>(xp, 240);
          r3 = f32x4.add(r3, f32x4.mul(gs, v128.load(xp, 336)));
          s3 += g * load<f32>(xp, 352);
          r4 = f32x4.add(r4, f32x4.mul(gs, v128.load(xp, 448)));
          s4 += g * load<f32>(xp, 464);
        }
      }
    }
    const gp = G1T + <usize>(c * 40) * 4;
    v128.store(gp, r0); store<f32>(gp, s0, 16);
    v128.store(gp, r1, 32); store<f32>(gp, s1, 48);
    v128.store(gp, r2, 64); store<f32>(gp, s2, 80);
    v128.store(gp, r3, 96); store<f32>(gp, s3, 112);
    v128.store(gp, r4, 128); store<f32>(gp, s4, 144);
    store<f32>(GB1 + <usize>c * 4, gb);
  }
}

function convUpdate(w: usize, vw: usize, bias: usize, vb: usize, lr: f32, mu: f32): void {
  // conv1: w[ky][kx][0][co] ← G1T[co][ky][kx]
  for (let t = 0; t < 25; t++) {
    const ky = t / 5, kx = t % 5;
    for (let co = 0; co < 6; co++) {
      const at = <usize>(t * 6 + co) * 4;
      sgd(w + at, vw + at, load<f32>(G1T + <usize>((co * 5 + ky) * 8 + kx) * 4), lr, mu);
    }
  }
  for (let co = 0; co < 6; co++) sgd(bias + <usize>co * 4, vb + <usize>co * 4, load<f32>(GB1 + <usize>co * 4), lr, mu);
}

function conv2Update(w: usize, vw: usize, bias: usize, vb: usize, lr: f32, mu: f32): void {
  for (let t = 0; t < 150; t++) {
    const ky = t / 30, j = t % 30;
    for (let co = 0; co < 16; co++) {
      const at = <usize>(t * 16 + co) * 4;
      sgd(w + at, vw + at, load<f32>(G2T + <usize>((co * 5 + ky) * 32 + j) * 4), lr, mu);
    }
  }
  for (let co = 0; co < 16; co++) sgd(bias + <usize>co * 4, vb + <usize>co * 4, load<f32>(GB2 + <usize>co * 4), lr, mu);
}

// ---------------------------------------------------------------- entry points

/**
 * One training step. `x`: batch × 784 f32 (28×28, one channel); `labels`: batch i32; `table`: 20 u32 pointers —
 * the 10 parameters then their 10 momentum buffers, in PyTorch's parameter order, tfjs layout; `scratch`:
 * scratchBytes(batch) bytes, 16-aligned. Updates parameters and momenta in place; returns the mean loss before the
 * update.
 */
export function trainStep(batch: i32, x: usize, labels: usize, table: usize, scratch: usize, lr: f32, mu: f32): f32 {
  layout(batch, scratch);
  const w1 = <usize>load<u32>(table), b1 = <usize>load<u32>(table, 4);
  const w2 = <usize>load<u32>(table, 8), b2 = <usize>load<u32>(table, 12);
  const f1 = <usize>load<u32>(table, 16), fb1 = <usize>load<u32>(table, 20);
  const f2 = <usize>load<u32>(table, 24), fb2 = <usize>load<u32>(table, 28);
  const f3 = <usize>load<u32>(table, 32), fb3 = <usize>load<u32>(table, 36);
  const m = table + 40;

  conv1Pool(x, w1, b1);
  conv2Pool(w2, b2);
  denseForward(A2, 256, f1, fb1, 120, H1, true);
  denseForward(H1, 120, f2, fb2, 84, H2, true);
  denseForward(H2, 84, f3, fb3, 10, LG, false);
  const loss = softmaxCrossEntropy(labels);

  // Input gradients first: each uses its layer's weights before they are updated.
  denseInputGrad(LG, 10, f3, 84, H2, D2);
  denseUpdate(H2, 84, LG, 10, f3, <usize>load<u32>(m, 32), fb3, <usize>load<u32>(m, 36), lr, mu);
  denseInputGrad(D2, 84, f2, 120, H1, D1);
  denseUpdate(H1, 120, D2, 84, f2, <usize>load<u32>(m, 24), fb2, <usize>load<u32>(m, 28), lr, mu);
  denseInputGrad(D1, 120, f1, 256, A2, DA2);
  denseUpdate(A2, 256, D1, 120, f1, <usize>load<u32>(m, 16), fb1, <usize>load<u32>(m, 20), lr, mu);
  conv2Backward(w2);
  conv2Update(w2, <usize>load<u32>(m, 8), b2, <usize>load<u32>(m, 12), lr, mu);
  conv1Backward(x);
  convUpdate(w1, <usize>load<u32>(m), b1, <usize>load<u32>(m, 4), lr, mu);
  return loss;
}

/**
 * Forward pass only: logits (batch × 10) and fc2 features (batch × 84) for `batch` images, written to `logits` and
 * `features`. Uses the same scratch layout as trainStep.
 */
export function predict(batch: i32, x: usize, table: usize, scratch: usize, logits: usize, features: usize): void {
  layout(batch, scratch);
  conv1Pool(x, <usize>load<u32>(table), <usize>load<u32>(table, 4));
  conv2Pool(<usize>load<u32>(table, 8), <usize>load<u32>(table, 12));
  denseForward(A2, 256, <usize>load<u32>(table, 16), <usize>load<u32>(table, 20), 120, H1, true);
  denseForward(H1, 120, <usize>load<u32>(table, 24), <usize>load<u32>(table, 28), 84, features, true);
  denseForward(features, 84, <usize>load<u32>(table, 32), <usize>load<u32>(table, 36), 10, logits, false);
}
