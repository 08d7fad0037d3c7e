// UMAP's layout optimisation, the fast default: umap-js's per-edge updates and its random sequence, with the edges of
// an epoch walked by four interleaved streams instead of one.
//
// Why: `optimize` (umap.ts) is one long chain of dependent floating-point operations — every negative sample reads
// the point the previous update just moved — so the core waits on latency (~60 cycles per sample) with most of its
// units idle. Here each epoch first lists its due edges (those whose next sample is due, in edge order, with their
// negative-sample counts: the schedule does not depend on the coordinates, so it is umap-js's), splits that list
// into four consecutive quarters and advances one edge of each quarter in lockstep: four independent chains for the
// out-of-order core to overlap. Each quarter draws its negative samples from mulberry32 at the position umap-js's
// sequential loop would have reached at its first edge (the state advances by a constant per draw, so the jump is
// one multiply), so every edge gets the very vertices umap-js would give it; only the order in which edges of
// different quarters touch a shared point changes — a deterministic interleaving, like a fixed Hogwild schedule.
//
// Points are f32x4 (x, y, z, 0): one SIMD register per point for 2-D and 3-D alike, float32 arithmetic as
// umap-learn's. d^b and d^(b−1) come from float32 tables (`pow32`). Each update is stored at once, so a stream that
// draws a point another stream just moved reads the moved point.
//
// Memory (byte offsets, 16-aligned where v128): head/tail i32[edges]; f64 epochsPerSample, epochOfNextSample,
// epochOfNextNegativeSample, epochsPerNegativeSample [edges] (umap-js's schedule arithmetic, in f64 as umap-js);
// list/counts i32[edges] (scratch); dueAt i32[edges rounded up to 4]; embedding f32x4[vertices].

const INC: u32 = 0x6d2b79f5;

/**
 * umap-js's negative sample `floor(random() * nVertices)` for core's mulberry32 at state `s` (after its increment):
 * random() is t / 2^32 for the 32-bit output t, and t · nVertices / 2^32 is exact in f64 (at most 53 bits for
 * nVertices < 2^21), so its floor is the integer (t · nVertices) >> 32 — the same vertex, in integer arithmetic.
 */
@inline function drawVertex(s: u32, nVertices: u64): i32 {
  let t = s;
  t = (t ^ (t >>> 15)) * (t | 1);
  t ^= t + (t ^ (t >>> 7)) * (t | 61);
  return <i32>((<u64>(t ^ (t >>> 14)) * nVertices) >> 32);
}

// x^y for x = 2^e · m (float32 bits): 2^(e·y) from a table per biased exponent (256), m^y interpolated linearly
// between 257 points (relative error below 2.5e-7, plus float32 rounding). Table (f32): [256] 2^((e − 127)·y), then
// [256 × 2] (m_i^y, m_{i+1}^y − m_i^y), m_i = 1 + i/256; filled by the loader with Math.pow.
const TABLE_BYTES: usize = (256 + 512) << 2;

/** Bytes of one exponent's float32 pow tables; the loader lays out two (b, then b − 1). */
export function powTable32Bytes(): usize {
  return TABLE_BYTES;
}

@inline function pow32(x: f32, table: usize): f32 {
  const bits = reinterpret<u32>(x);
  const e = <usize>(bits >> 23);
  const i = <usize>((bits >> 15) & 0xff);
  const frac = <f32>(bits & 0x7fff) * (1.0 / 32768.0);
  const m = table + (256 << 2) + (i << 3);
  return load<f32>(table + (e << 2)) * (load<f32>(m) + frac * load<f32>(m, 4));
}

/** Squared length of a point difference (lane 3 is 0; for 2-D so is lane 2, and adding +0 changes nothing). */
@inline function squaredLength(d: v128): f32 {
  const sq = f32x4.mul(d, d);
  return f32x4.extract_lane(sq, 0) + f32x4.extract_lane(sq, 1) + f32x4.extract_lane(sq, 2);
}

/** umap-js's clip to ±4, per lane. */
@inline function clip4(g: v128): v128 {
  return f32x4.pmax(f32x4.pmin(g, f32x4.splat(4.0)), f32x4.splat(-4.0));
}

/** The attraction along one edge: head (at cj) and tail (at ck) pulled together; returns the head's new position. */
@inline function attract(cj: usize, ck: usize, av: v128, a: f32, twoAB: f32, powBm1: usize): v128 {
  const x = v128.load(cj);
  const d = f32x4.sub(x, v128.load(ck));
  const dist = squaredLength(d);
  let gc: f32 = 0;
  if (dist > 0) {
    const pb1 = pow32(dist, powBm1);
    gc = (twoAB * pb1) / (a * pb1 * dist + 1.0);
  }
  const g = f32x4.mul(clip4(f32x4.mul(f32x4.splat(gc), d)), av);
  const moved = f32x4.add(x, g);
  v128.store(cj, moved);
  v128.store(ck, f32x4.sub(v128.load(ck), g));
  return moved;
}

/** One negative sample: the head x (vertex j, at cj) pushed away from vertex k1; returns its new position. */
@inline function repel(x: v128, j: i32, cj: usize, k1: i32, embedding: usize, av: v128, fixed: v128, a: f32, twoGammaB: f32, powB: usize): v128 {
  const e = f32x4.sub(x, v128.load(embedding + (<usize>k1 << 4)));
  const dist = squaredLength(e);
  let gc: f32 = 0;
  if (dist > 0) gc = twoGammaB / ((<f32>0.001 + dist) * (a * pow32(dist, powB) + 1));
  else if (j == k1) return x;
  // umap-js: a coincident other point (or a coefficient that underflowed) pushes by 4 in every dimension.
  const g = gc > 0 ? clip4(f32x4.mul(f32x4.splat(gc), e)) : fixed;
  const moved = f32x4.add(x, f32x4.mul(g, av));
  v128.store(cj, moved);
  return moved;
}

/** Stream start: `length` edges from `start` of the due list (0 when the quarter is empty). */
@inline function quarter(m: i32, q: i32, t: i32): i32 {
  const s = q * t;
  return s < m ? s : m;
}

/**
 * Epochs `from` ≤ n < `to` of umap-js's SGD, four streams per epoch (see the top of this file). `state` is the
 * mulberry32 state before the first draw; returns the state after the last (the same as the sequential kernel's).
 */
export function optimizeStreams(
  head: usize,
  tail: usize,
  epochsPerSample: usize,
  epochOfNextSample: usize,
  epochOfNextNegativeSample: usize,
  epochsPerNegativeSample: usize,
  embedding: usize,
  list: usize,
  counts: usize,
  dueAt: usize,
  edges: i32,
  vertices: i32,
  dim: i32,
  a64: f64,
  b64: f64,
  gamma: f64,
  initialAlpha: f64,
  nEpochs: i32,
  from: i32,
  to: i32,
  state: u32,
  powTables: usize,
): u32 {
  const a = <f32>a64;
  const twoAB = <f32>(-2.0 * a64 * b64);
  const twoGammaB = <f32>(2.0 * gamma * b64);
  const powB = powTables;
  const powBm1 = powTables + TABLE_BYTES;
  const nV = <u64>vertices;
  const fixed = dim == 2 ? f32x4(4, 4, 0, 0) : f32x4(4, 4, 4, 0);
  let s0 = state;
  for (let epoch = from; epoch < to; epoch++) {
    const n = <f64>epoch;
    const alpha = epoch == 0 ? initialAlpha : initialAlpha * (1.0 - <f64>(epoch - 1) / <f64>nEpochs);
    const av = f32x4.splat(<f32>alpha);
    // The due edges in edge order, their schedules advanced exactly as umap-js advances them. `dueAt` holds
    // ceil(epochOfNextSample) per edge (next ≤ n ⟺ ceil(next) ≤ n for integer n), padded to a multiple of 4 with
    // i32.MAX, so four edges are tested per comparison and only the due ones are visited.
    let m = 0;
    const nv = i32x4.splat(epoch);
    for (let g = 0; g < edges; g += 4) {
      let mask = i32x4.bitmask(i32x4.le_s(v128.load(dueAt + (<usize>g << 2)), nv));
      while (mask != 0) {
        const i = g + ctz(mask);
        mask &= mask - 1;
        const ie = <usize>i << 3;
        const next = load<f64>(epochOfNextSample + ie) + load<f64>(epochsPerSample + ie);
        store<f64>(epochOfNextSample + ie, next);
        store<i32>(dueAt + (<usize>i << 2), <i32>Math.ceil(next));
        const nextNeg = load<f64>(epochOfNextNegativeSample + ie);
        const perNeg = load<f64>(epochsPerNegativeSample + ie);
        const nNeg = Math.floor((n - nextNeg) / perNeg);
        store<f64>(epochOfNextNegativeSample + ie, nextNeg + nNeg * perNeg);
        store<i32>(list + (<usize>m << 2), i);
        store<i32>(counts + (<usize>m << 2), nNeg > 0 ? <i32>nNeg : 0);
        m++;
      }
    }
    // Quarters [e0, e1), [e1, e2), [e2, e3), [e3, m) and the random state at each one's first draw.
    const q = (m + 3) >> 2;
    const e1 = quarter(m, q, 1), e2 = quarter(m, q, 2), e3 = quarter(m, q, 3);
    let drawn: u32 = 0;
    let p = 0;
    for (; p < e1; p++) drawn += <u32>load<i32>(counts + (<usize>p << 2));
    let s1 = s0 + drawn * INC;
    for (; p < e2; p++) drawn += <u32>load<i32>(counts + (<usize>p << 2));
    let s2 = s0 + drawn * INC;
    for (; p < e3; p++) drawn += <u32>load<i32>(counts + (<usize>p << 2));
    let s3 = s0 + drawn * INC;
    for (; p < m; p++) drawn += <u32>load<i32>(counts + (<usize>p << 2));
    const after = s0 + drawn * INC;
    for (let step = 0; step < q; step++) {
      // Stream t's edge of this step: its attraction, then its negative samples interleaved with the others'.
      const i0 = step, i1 = e1 + step, i2 = e2 + step, i3 = e3 + step;
      let x0 = f32x4.splat(0), x1 = x0, x2 = x0, x3 = x0;
      let j0 = 0, j1 = 0, j2 = 0, j3 = 0;
      let c0: usize = 0, c1: usize = 0, c2: usize = 0, c3: usize = 0;
      let n0 = 0, n1 = 0, n2 = 0, n3 = 0;
      if (i0 < e1) {
        const e = load<i32>(list + (<usize>i0 << 2));
        j0 = load<i32>(head + (<usize>e << 2));
        c0 = embedding + (<usize>j0 << 4);
        x0 = attract(c0, embedding + (<usize>load<i32>(tail + (<usize>e << 2)) << 4), av, a, twoAB, powBm1);
        n0 = load<i32>(counts + (<usize>i0 << 2));
      }
      if (i1 < e2) {
        const e = load<i32>(list + (<usize>i1 << 2));
        j1 = load<i32>(head + (<usize>e << 2));
        c1 = embedding + (<usize>j1 << 4);
        x1 = attract(c1, embedding + (<usize>load<i32>(tail + (<usize>e << 2)) << 4), av, a, twoAB, powBm1);
        n1 = load<i32>(counts + (<usize>i1 << 2));
      }
      if (i2 < e3) {
        const e = load<i32>(list + (<usize>i2 << 2));
        j2 = load<i32>(head + (<usize>e << 2));
        c2 = embedding + (<usize>j2 << 4);
        x2 = attract(c2, embedding + (<usize>load<i32>(tail + (<usize>e << 2)) << 4), av, a, twoAB, powBm1);
        n2 = load<i32>(counts + (<usize>i2 << 2));
      }
      if (i3 < m) {
        const e = load<i32>(list + (<usize>i3 << 2));
        j3 = load<i32>(head + (<usize>e << 2));
        c3 = embedding + (<usize>j3 << 4);
        x3 = attract(c3, embedding + (<usize>load<i32>(tail + (<usize>e << 2)) << 4), av, a, twoAB, powBm1);
        n3 = load<i32>(counts + (<usize>i3 << 2));
      }
      let most = n0 > n1 ? n0 : n1;
      most = most > n2 ? most : n2;
      most = most > n3 ? most : n3;
      for (let r = 0; r < most; r++) {
        if (r < n0) {
          s0 += INC;
          x0 = repel(x0, j0, c0, drawVertex(s0, nV), embedding, av, fixed, a, twoGammaB, powB);
        }
        if (r < n1) {
          s1 += INC;
          x1 = repel(x1, j1, c1, drawVertex(s1, nV), embedding, av, fixed, a, twoGammaB, powB);
        }
        if (r < n2) {
          s2 += INC;
          x2 = repel(x2, j2, c2, drawVertex(s2, nV), embedding, av, fixed, a, twoGammaB, powB);
        }
        if (r < n3) {
          s3 += INC;
          x3 = repel(x3, j3, c3, drawVertex(s3, nV), embedding, av, fixed, a, twoGammaB, powB);
        }
      }
    }
    s0 = after;
  }
  return s0;
}

/** `count` negative-sample vertices (drawVertex) from state `state`, as i32 at `out`: lets a test compare them with
 * umap-js's floor(random() * nVertices) on createRandom's sequence. */
export function vertexDraws(state: u32, count: i32, nVertices: i32, out: usize): void {
  let s = state;
  for (let i = 0; i < count; i++) {
    s += INC;
    store<i32>(out + (<usize>i << 2), drawVertex(s, <u64>nVertices));
  }
}
