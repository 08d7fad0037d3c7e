// The randomized PCA's small dense steps (src/pca.ts), with the JavaScript loops' numbers: every sum runs over its
// index in the same order from 0, in f64 (SIMD lanes only across independent outputs), so results are bit-identical
// and no longer pay for a cold JIT on their single call per stage.

/**
 * out[r, c] = Σ_t a[r, t] · w[t, c] (t ascending) for rows rFrom ≤ r < rTo: A (rows × inner) and W (inner × cols),
 * row-major f64. Called in row ranges: V8 switches a wasm function to optimised code between calls, never inside one.
 */
export function accumulateProducts(a: usize, inner: i32, w: usize, cols: i32, out: usize, rFrom: i32, rTo: i32): void {
  const wRow = <usize>cols << 3;
  for (let r = rFrom; r < rTo; r++) {
    const ar = a + ((<usize>r * <usize>inner) << 3);
    const or = out + ((<usize>r * <usize>cols) << 3);
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let wt = w + (<usize>c << 3);
      for (let t = 0; t < inner; t++) {
        const x = f64x2.splat(load<f64>(ar + (<usize>t << 3)));
        s0 = f64x2.add(s0, f64x2.mul(x, v128.load(wt)));
        s1 = f64x2.add(s1, f64x2.mul(x, v128.load(wt, 16)));
        s2 = f64x2.add(s2, f64x2.mul(x, v128.load(wt, 32)));
        s3 = f64x2.add(s3, f64x2.mul(x, v128.load(wt, 48)));
        wt += wRow;
      }
      v128.store(or + (<usize>c << 3), s0);
      v128.store(or + (<usize>c << 3), s1, 16);
      v128.store(or + (<usize>c << 3), s2, 32);
      v128.store(or + (<usize>c << 3), s3, 48);
    }
    for (; c + 2 <= cols; c += 2) {
      let s = f64x2.splat(0);
      for (let t = 0; t < inner; t++) s = f64x2.add(s, f64x2.mul(f64x2.splat(load<f64>(ar + (<usize>t << 3))), v128.load(w + ((<usize>t * <usize>cols + <usize>c) << 3))));
      v128.store(or + (<usize>c << 3), s);
    }
    for (; c < cols; c++) {
      let s: f64 = 0;
      for (let t = 0; t < inner; t++) s += load<f64>(ar + (<usize>t << 3)) * load<f64>(w + ((<usize>t * <usize>cols + <usize>c) << 3));
      store<f64>(or + (<usize>c << 3), s);
    }
  }
}

/**
 * One row `c` of pca.ts's modified Gram–Schmidt pass over the l × d rows at m: subtract its projections on rows
 * 0..c−1 (each dot summed in order), then scale it to unit length (a vanished row stays zero).
 */
export function orthonormalizeRow(m: usize, c: i32, d: i32): void {
  const rc = m + ((<usize>c * <usize>d) << 3);
  for (let p = 0; p < c; p++) {
    const rp = m + ((<usize>p * <usize>d) << 3);
    let dot: f64 = 0;
    for (let j = 0; j < d; j++) dot += load<f64>(rc + (<usize>j << 3)) * load<f64>(rp + (<usize>j << 3));
    const dv = f64x2.splat(dot);
    let j = 0;
    for (; j + 2 <= d; j += 2) {
      const at = <usize>j << 3;
      v128.store(rc + at, f64x2.sub(v128.load(rc + at), f64x2.mul(dv, v128.load(rp + at))));
    }
    for (; j < d; j++) store<f64>(rc + (<usize>j << 3), load<f64>(rc + (<usize>j << 3)) - dot * load<f64>(rp + (<usize>j << 3)));
  }
  let norm: f64 = 0;
  for (let j = 0; j < d; j++) {
    const x = load<f64>(rc + (<usize>j << 3));
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  const inv = norm > 1e-300 ? 1 / norm : 0;
  for (let j = 0; j < d; j++) store<f64>(rc + (<usize>j << 3), load<f64>(rc + (<usize>j << 3)) * inv);
}
