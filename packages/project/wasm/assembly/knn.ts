// Exact k-nearest neighbours of uint8 vectors (raw pixels), in integers: ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b with every
// term an exact i32 (784 × 255² < 2^31), so the ranking has no rounding at all. SIMD: 16 bytes at a time, widened to
// i16 and multiplied-and-pair-added to i32 (i32x4.dot_i16x8_s), two rows of the second operand per pass.
//
// Memory (byte offsets from the caller): x u8[n × stride] (rows zero-padded to a multiple of 16), norms i32[n],
// bestD i32[n × k] and bestI i32[n × k] (filled here: per row the k nearest others, ascending by (distance, index)).

import { packQuads } from './pack';

@inline function dot16(a: usize, b: usize, bytes: i32): v128 {
  let acc = i32x4.splat(0);
  for (let o = 0; o < bytes; o += 16) {
    const va = v128.load(a + <usize>o);
    const vb = v128.load(b + <usize>o);
    acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(va), i16x8.extend_low_i8x16_u(vb)));
    acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(va), i16x8.extend_high_i8x16_u(vb)));
  }
  return acc;
}

@inline function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/** Insert (dist, idx) into row r's sorted list if it beats the k-th; ties go to the lower index (knn.ts's rule). Distances are i32 (uint8 rows), f64 or f32 (float rows: exact and fast searches). */
@inline function offer<T>(bestD: usize, bestI: usize, r: i32, k: i32, dist: T, idx: i32): void {
  const base = <usize>r * <usize>k;
  let p = base + <usize>k - 1;
  const last = load<T>(bestD + p * sizeof<T>());
  if (dist > last || (dist == last && idx > load<i32>(bestI + (p << 2)))) return;
  while (p > base) {
    const d = load<T>(bestD + (p - 1) * sizeof<T>());
    if (!(d > dist || (d == dist && load<i32>(bestI + ((p - 1) << 2)) > idx))) break;
    store<T>(bestD + p * sizeof<T>(), d);
    store<i32>(bestI + (p << 2), load<i32>(bestI + ((p - 1) << 2)));
    p--;
  }
  store<T>(bestD + p * sizeof<T>(), dist);
  store<i32>(bestI + (p << 2), idx);
}

/** Norms and empty lists for `knnU8` (exact squared distances, i32); see the header for the memory layout. */
export function knnU8Init(x: usize, n: i32, stride: i32, k: i32, norms: usize, bestD: usize, bestI: usize): void {
  for (let i = 0; i < n; i++) {
    const xi = x + <usize>i * <usize>stride;
    store<i32>(norms + (<usize>i << 2), hsum(dot16(xi, xi, stride)));
  }
  for (let e = 0; e < n * k; e++) {
    store<i32>(bestD + (<usize>e << 2), i32.MAX_VALUE);
    store<i32>(bestI + (<usize>e << 2), i32.MAX_VALUE);
  }
}

/**
 * The pairs (i, j > i) for rows iFrom ≤ i < iTo, after `knnU8Init`. Called in row ranges on purpose: V8 runs a
 * wasm function's first calls in its baseline compiler and switches to optimised code between calls, never inside
 * one, so a single call over all rows would run baseline code throughout (~3× slower).
 */
export function knnU8(x: usize, n: i32, stride: i32, k: i32, norms: usize, bestD: usize, bestI: usize, iFrom: i32, iTo: i32): void {
  for (let i = iFrom; i < iTo; i++) {
    const xi = x + <usize>i * <usize>stride;
    const ni = load<i32>(norms + (<usize>i << 2));
    let j = i + 1;
    for (; j + 1 < n; j += 2) {
      const xj = x + <usize>j * <usize>stride;
      const xj1 = xj + <usize>stride;
      let acc0 = i32x4.splat(0);
      let acc1 = i32x4.splat(0);
      for (let o = 0; o < stride; o += 16) {
        const va = v128.load(xi + <usize>o);
        const lo = i16x8.extend_low_i8x16_u(va);
        const hi = i16x8.extend_high_i8x16_u(va);
        const v0 = v128.load(xj + <usize>o);
        const v1 = v128.load(xj1 + <usize>o);
        acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(lo, i16x8.extend_low_i8x16_u(v0)));
        acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(hi, i16x8.extend_high_i8x16_u(v0)));
        acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(lo, i16x8.extend_low_i8x16_u(v1)));
        acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(hi, i16x8.extend_high_i8x16_u(v1)));
      }
      const d0 = ni + load<i32>(norms + (<usize>j << 2)) - 2 * hsum(acc0);
      const d1 = ni + load<i32>(norms + (<usize>(j + 1) << 2)) - 2 * hsum(acc1);
      offer<i32>(bestD, bestI, i, k, d0, j);
      offer<i32>(bestD, bestI, j, k, d0, i);
      offer<i32>(bestD, bestI, i, k, d1, j + 1);
      offer<i32>(bestD, bestI, j + 1, k, d1, i);
    }
    if (j < n) {
      const d = ni + load<i32>(norms + (<usize>j << 2)) - 2 * hsum(dot16(xi, x + <usize>j * <usize>stride, stride));
      offer<i32>(bestD, bestI, i, k, d, j);
      offer<i32>(bestD, bestI, j, k, d, i);
    }
  }
}


@inline function offerPair(bestD: usize, bestI: usize, k: i32, i: i32, j: i32, dist: f64): void {
  const d = dist < 0 ? 0 : dist;
  offer<f64>(bestD, bestI, i, k, d, j);
  offer<f64>(bestD, bestI, j, k, d, i);
}

/**
 * knn.ts's candidate search for Float32 rows, with the same numbers: every dot product a·b summed in Float64 over the
 * width in order (one pair per SIMD lane, so each lane's sum is the scalar sum), squared distance ‖a‖² + ‖b‖² − 2a·b
 * clamped at 0, offered to both rows' sorted lists (k smallest by (distance, index), initialised by the caller to
 * +∞ / i32 max). Blocks of 2 rows × 4 rows; the 4 are packed as Float64 pairs in `packed` (tile/4 × width × 32
 * bytes, tile a multiple of 4). One call per tile of rows j0 ≤ j < j0 + tile (all pairs i < j): see `knnU8` on why.
 */
export function knnF32(x: usize, n: i32, d: i32, k: i32, norms: usize, bestD: usize, bestI: usize, packed: usize, j0: i32, tile: i32): void {
  const rowBytes = <usize>d << 2;
  {
    const rj = min(tile, n - j0);
    const quads = (rj + 3) >> 2;
    packQuads<f32, f64>(x, n, d, packed, j0, quads);
    const jEnd = j0 + rj;
    for (let i = 0; i < jEnd - 1; i += 2) {
      const two = i + 1 < n;
      const a0 = x + <usize>i * rowBytes;
      const a1 = two ? a0 + rowBytes : a0;
      const n0 = load<f64>(norms + (<usize>i << 3));
      const n1 = two ? load<f64>(norms + (<usize>(i + 1) << 3)) : 0.0;
      // First quad holding a row > i.
      let q = i + 1 - j0;
      q = q < 0 ? 0 : q >> 2;
      for (; q < quads; q++) {
        const pq = packed + ((<usize>q * <usize>d) << 5);
        let s00 = f64x2.splat(0);
        let s01 = f64x2.splat(0);
        let s10 = f64x2.splat(0);
        let s11 = f64x2.splat(0);
        for (let kk = 0; kk < d; kk++) {
          const b01 = v128.load(pq + (<usize>kk << 5));
          const b23 = v128.load(pq + (<usize>kk << 5), 16);
          const x0 = f64x2.splat(<f64>load<f32>(a0 + (<usize>kk << 2)));
          const x1 = f64x2.splat(<f64>load<f32>(a1 + (<usize>kk << 2)));
          s00 = f64x2.add(s00, f64x2.mul(x0, b01));
          s01 = f64x2.add(s01, f64x2.mul(x0, b23));
          s10 = f64x2.add(s10, f64x2.mul(x1, b01));
          s11 = f64x2.add(s11, f64x2.mul(x1, b23));
        }
        const jq = j0 + q * 4;
        for (let lane = 0; lane < 4; lane++) {
          const j = jq + lane;
          if (j >= n) break;
          const nj = load<f64>(norms + (<usize>j << 3));
          const dot0 = lane == 0 ? f64x2.extract_lane(s00, 0) : lane == 1 ? f64x2.extract_lane(s00, 1) : lane == 2 ? f64x2.extract_lane(s01, 0) : f64x2.extract_lane(s01, 1);
          if (j > i) offerPair(bestD, bestI, k, i, j, n0 + nj - 2 * dot0);
          if (two && j > i + 1) {
            const dot1 = lane == 0 ? f64x2.extract_lane(s10, 0) : lane == 1 ? f64x2.extract_lane(s10, 1) : lane == 2 ? f64x2.extract_lane(s11, 0) : f64x2.extract_lane(s11, 1);
            offerPair(bestD, bestI, k, i + 1, j, n1 + nj - 2 * dot1);
          }
        }
      }
    }
  }
}


/** Offer the four pairs (i, jq + lane) of one quad's squared distances to both sides (pairs with j > i only). */
@inline function offerQuad(bestD: usize, bestI: usize, k: i32, n: i32, i: i32, jq: i32, dist: v128): void {
  for (let lane = 0; lane < 4; lane++) {
    const j = jq + lane;
    if (j >= n) break;
    if (j <= i) continue;
    const v = lane == 0 ? f32x4.extract_lane(dist, 0) : lane == 1 ? f32x4.extract_lane(dist, 1) : lane == 2 ? f32x4.extract_lane(dist, 2) : f32x4.extract_lane(dist, 3);
    offer<f32>(bestD, bestI, i, k, v, j);
    offer<f32>(bestD, bestI, j, k, v, i);
  }
}

/**
 * A fast candidate search for knn.ts: `knnF32`'s tile scheme in float32 (four pairs per instruction, no conversion),
 * squared distances ‖a‖² + ‖b‖² − 2a·b with float32 norms, per row the k smallest by (distance, index) in float32
 * lists (initialised by the caller to +∞ / i32 max). Its rounding differs from the Float64 search's, so knn.ts asks
 * for more candidates than it needs, ranks them with the Float64 numbers and checks against an error bound that no
 * other row could have made the cut. Rows j0 ≤ j < j0 + tile packed as float32 quads in `packed` (tile/4 × width × 16
 * bytes); one call per tile (see `knnU8` on why).
 */
export function knnF32Fast(x: usize, n: i32, d: i32, k: i32, norms: usize, bestD: usize, bestI: usize, packed: usize, j0: i32, tile: i32): void {
  const rowBytes = <usize>d << 2;
  const rj = min(tile, n - j0);
  const quads = (rj + 3) >> 2;
  packQuads<f32, f32>(x, n, d, packed, j0, quads);
  const two = f32x4.splat(2);
  const jEnd = j0 + rj;
  for (let i = 0; i < jEnd - 1; i += 2) {
    const pair = i + 1 < n;
    const a0 = x + <usize>i * rowBytes;
    const a1 = pair ? a0 + rowBytes : a0;
    const n0 = f32x4.splat(load<f32>(norms + (<usize>i << 2)));
    const n1 = f32x4.splat(pair ? load<f32>(norms + (<usize>(i + 1) << 2)) : 0);
    let q = i + 1 - j0;
    q = q < 0 ? 0 : q >> 2;
    for (; q + 1 < quads; q += 2) {
      const p0 = packed + ((<usize>q * <usize>d) << 4);
      const p1 = p0 + (<usize>d << 4);
      let s00 = f32x4.splat(0), s01 = s00, s10 = s00, s11 = s00;
      for (let kk = 0; kk < d; kk++) {
        const b0 = v128.load(p0 + (<usize>kk << 4));
        const b1 = v128.load(p1 + (<usize>kk << 4));
        const x0 = f32x4.splat(load<f32>(a0 + (<usize>kk << 2)));
        const x1 = f32x4.splat(load<f32>(a1 + (<usize>kk << 2)));
        s00 = f32x4.add(s00, f32x4.mul(x0, b0));
        s01 = f32x4.add(s01, f32x4.mul(x0, b1));
        s10 = f32x4.add(s10, f32x4.mul(x1, b0));
        s11 = f32x4.add(s11, f32x4.mul(x1, b1));
      }
      const jq = j0 + q * 4;
      const nj0 = v128.load(norms + (<usize>jq << 2));
      const nj1 = v128.load(norms + (<usize>(jq + 4) << 2));
      offerQuad(bestD, bestI, k, n, i, jq, f32x4.sub(f32x4.add(n0, nj0), f32x4.mul(two, s00)));
      offerQuad(bestD, bestI, k, n, i, jq + 4, f32x4.sub(f32x4.add(n0, nj1), f32x4.mul(two, s01)));
      if (pair) {
        offerQuad(bestD, bestI, k, n, i + 1, jq, f32x4.sub(f32x4.add(n1, nj0), f32x4.mul(two, s10)));
        offerQuad(bestD, bestI, k, n, i + 1, jq + 4, f32x4.sub(f32x4.add(n1, nj1), f32x4.mul(two, s11)));
      }
    }
    for (; q < quads; q++) {
      const p0 = packed + ((<usize>q * <usize>d) << 4);
      let s0 = f32x4.splat(0), s1 = s0;
      for (let kk = 0; kk < d; kk++) {
        const b0 = v128.load(p0 + (<usize>kk << 4));
        s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a0 + (<usize>kk << 2))), b0));
        s1 = f32x4.add(s1, f32x4.mul(f32x4.splat(load<f32>(a1 + (<usize>kk << 2))), b0));
      }
      const jq = j0 + q * 4;
      const nj = v128.load(norms + (<usize>jq << 2));
      offerQuad(bestD, bestI, k, n, i, jq, f32x4.sub(f32x4.add(n0, nj), f32x4.mul(two, s0)));
      if (pair) offerQuad(bestD, bestI, k, n, i + 1, jq, f32x4.sub(f32x4.add(n1, nj), f32x4.mul(two, s1)));
    }
  }
}
