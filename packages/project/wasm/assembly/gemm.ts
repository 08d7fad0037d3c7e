// out = A·Bᵀ for Float32 A (aRows × width) and Float64 B (bRows × width), Float64 out (aRows × bRows): kernels.ts's
// multiplyABt with the same numbers — each output is one f64x2 lane summing a[k]·b[k] over k in order — 2 A rows ×
// 4 B rows per block, B packed as Float64 pairs (bRows/4 quads × width × 32 bytes at `packed`, the caller's space)
// by `packQuadsF64`.
import { packQuads } from './pack';

export function packQuadsF64(b: usize, bRows: i32, width: i32, packed: usize): void {
  packQuads<f64, f64>(b, bRows, width, packed, 0, (bRows + 3) >> 2);
}

/**
 * Rows iFrom ≤ i < iTo of out (aRows × bRows) from B packed by `packQuadsF64`. Called in row ranges: V8 switches
 * a wasm function to optimised code between calls, never inside one.
 */
export function mulABtF32F64(a: usize, aRows: i32, bRows: i32, width: i32, out: usize, packed: usize, iFrom: i32, iTo: i32): void {
  const quads = (bRows + 3) >> 2;
  const rowBytes = <usize>width << 2;
  for (let i = iFrom; i < iTo; i += 2) {
    const two = i + 1 < iTo;
    const a0 = a + <usize>i * rowBytes;
    const a1 = two ? a0 + rowBytes : a0;
    for (let q = 0; q < quads; q++) {
      const pq = packed + ((<usize>q * <usize>width) << 5);
      let s00 = f64x2.splat(0);
      let s01 = f64x2.splat(0);
      let s10 = f64x2.splat(0);
      let s11 = f64x2.splat(0);
      for (let k = 0; k < width; k++) {
        const b01 = v128.load(pq + (<usize>k << 5));
        const b23 = v128.load(pq + (<usize>k << 5), 16);
        const x0 = f64x2.splat(<f64>load<f32>(a0 + (<usize>k << 2)));
        const x1 = f64x2.splat(<f64>load<f32>(a1 + (<usize>k << 2)));
        s00 = f64x2.add(s00, f64x2.mul(x0, b01));
        s01 = f64x2.add(s01, f64x2.mul(x0, b23));
        s10 = f64x2.add(s10, f64x2.mul(x1, b01));
        s11 = f64x2.add(s11, f64x2.mul(x1, b23));
      }
      const j = q * 4;
      const o0 = out + ((<usize>i * <usize>bRows + <usize>j) << 3);
      const o1 = o0 + (<usize>bRows << 3);
      store<f64>(o0, f64x2.extract_lane(s00, 0));
      if (j + 1 < bRows) store<f64>(o0, f64x2.extract_lane(s00, 1), 8);
      if (j + 2 < bRows) store<f64>(o0, f64x2.extract_lane(s01, 0), 16);
      if (j + 3 < bRows) store<f64>(o0, f64x2.extract_lane(s01, 1), 24);
      if (two) {
        store<f64>(o1, f64x2.extract_lane(s10, 0));
        if (j + 1 < bRows) store<f64>(o1, f64x2.extract_lane(s10, 1), 8);
        if (j + 2 < bRows) store<f64>(o1, f64x2.extract_lane(s11, 0), 16);
        if (j + 3 < bRows) store<f64>(o1, f64x2.extract_lane(s11, 1), 24);
      }
    }
  }
}
