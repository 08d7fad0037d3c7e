// UMAP's layout optimisation, the fast default: umap-js's per-edge updates and its random sequence, the due edges of
// an epoch walked by eight streams held in the lanes of SIMD registers (two groups of four).
//
// Why: the four-stream kernel (umap-streams.ts) gave the out-of-order core four independent chains, but each negative
// sample still cost ~50 scalar-ish instructions (the draw, a horizontal sum, the table pow, the clip, a branch per
// stream and sample). Here one instruction does a step of four streams: the four sampled points gathered and
// transposed to x/y/z vectors, the distance, the table pow, the gradient coefficient (one f32x4 division), the clip
// and the update all four lanes wide, with masks instead of branches for the lanes whose edge has fewer samples, a
// zero distance or a sample of the head itself. Two groups interleave, so two dependency chains overlap. The
// epoch's mulberry32 draws are computed before its steps in one i32x4 pass (the sampled points' addresses, no
// dependency between them), so a sample's chain starts from a load.
//
// The schedule is the stream kernel's: each epoch lists its due edges in edge order with their negative-sample counts
// (umap-js's schedule, f64), splits the list into eight consecutive slices and advances one edge of each slice per
// step; each slice reads the epoch's draws from the position umap-js's sequential loop would have reached at its first
// edge, so every edge gets the very negative samples umap-js would give it, and the state after an epoch is umap-js's.
// What differs from the stream kernel, deterministically: eight slices instead of four, and a head is kept in its
// register during its edge's negative samples and stored after the last (the stream kernel stored it after every
// sample), so another stream that samples that vertex meanwhile reads where it stood after the attraction. A sample
// of the head itself is skipped (umap-js: zero distance and j == k), whatever the memory holds.
//
// Memory: as umap-streams.ts, except that an edge's schedule is one 32-byte record (f64 epochOfNextSample,
// epochsPerSample, epochOfNextNegativeSample, epochsPerNegativeSample: a third of the edges are due each epoch, and
// four separate arrays made the scan touch four cache lines per due edge), the embedding holds one extra f32x4 point
// after the last vertex (an exhausted slice's lane works on that scratch point with no samples, so it needs no branch
// and touches no real point), and `draws` holds an epoch's sampled points.

const INC: u32 = 0x6d2b79f5;
const TABLE_BYTES: i32 = (256 + 512) << 2;

/**
 * Per step: the slices' head ids, tail ids, counts and where their edges' draws start (i32 × 8 each); per epoch:
 * slice bounds (9) and each slice's next draw.
 */
const LANES: usize = memory.data(32 * 7, 16);
const HEADS: usize = LANES;
const TAILS: usize = LANES + 32;
const COUNTS: usize = LANES + 64;
const DRAWS: usize = LANES + 96;
const NEXT_DRAW: usize = LANES + 128;
const BOUNDS: usize = LANES + 160; // 9 used

/** Draws past an epoch's last one that a lane may read (a finished lane reads ahead, unused): at least the largest
 * count (< 11: see the loader) plus the 3 a SIMD fill writes past the end. */
const DRAW_PADDING: i32 = 16;

/** mulberry32's output for states `s` (after their increment), four lanes. */
@inline function mix(s: v128): v128 {
  let t = i32x4.mul(v128.xor(s, i32x4.shr_u(s, 15)), v128.or(s, i32x4.splat(1)));
  t = v128.xor(t, i32x4.add(t, i32x4.mul(v128.xor(t, i32x4.shr_u(t, 7)), v128.or(t, i32x4.splat(61)))));
  return v128.xor(t, i32x4.shr_u(t, 14));
}

/** umap-js's floor(random() · n) per lane: (t · n) >> 32 (see drawVertex in umap-streams.ts). */
@inline function vertexOf(t: v128, n: v128): v128 {
  return v128.shuffle<i32>(i64x2.extmul_low_i32x4_u(t, n), i64x2.extmul_high_i32x4_u(t, n), 1, 3, 5, 7);
}

/** umap-streams.ts's pow32 for four lanes: the same table, the same operations, so the same values. */
@inline function pow32x4(x: v128, table: i32): v128 {
  const eAddr = i32x4.add(i32x4.splat(table), i32x4.shl(i32x4.shr_u(x, 23), 2));
  const mAddr = i32x4.add(i32x4.splat(table + (256 << 2)), i32x4.shl(v128.and(i32x4.shr_u(x, 15), i32x4.splat(0xff)), 3));
  const frac = f32x4.mul(f32x4.convert_i32x4_u(v128.and(x, i32x4.splat(0x7fff))), f32x4.splat(<f32>(1.0 / 32768.0)));
  let p = v128.load32_zero(<usize>i32x4.extract_lane(eAddr, 0));
  p = v128.load32_lane(<usize>i32x4.extract_lane(eAddr, 1), p, 1);
  p = v128.load32_lane(<usize>i32x4.extract_lane(eAddr, 2), p, 2);
  p = v128.load32_lane(<usize>i32x4.extract_lane(eAddr, 3), p, 3);
  const m01 = v128.load64_lane(<usize>i32x4.extract_lane(mAddr, 1), v128.load64_zero(<usize>i32x4.extract_lane(mAddr, 0)), 1);
  const m23 = v128.load64_lane(<usize>i32x4.extract_lane(mAddr, 3), v128.load64_zero(<usize>i32x4.extract_lane(mAddr, 2)), 1);
  const lo = v128.shuffle<f32>(m01, m23, 0, 2, 4, 6);
  const df = v128.shuffle<f32>(m01, m23, 1, 3, 5, 7);
  return f32x4.mul(p, f32x4.add(lo, f32x4.mul(frac, df)));
}

/** umap-js's clip to ±4. */
@inline function clip4(g: v128): v128 {
  return f32x4.pmax(f32x4.pmin(g, f32x4.splat(4.0)), f32x4.splat(-4.0));
}

/** Byte address of each lane's point. */
@inline function addresses(ids: v128, embedding: usize): v128 {
  return i32x4.add(i32x4.splat(<i32>embedding), i32x4.shl(ids, 4));
}

// Gathers: lane l of the result is coordinate c of the point at address l (p0..p3 full f32x4 points).
@inline function pairs(p0: usize, p1: usize): v128 {
  return v128.load64_lane(p1, v128.load64_zero(p0), 1);
}
@inline function xs(a01: v128, a23: v128): v128 {
  return v128.shuffle<f32>(a01, a23, 0, 2, 4, 6);
}
@inline function ys(a01: v128, a23: v128): v128 {
  return v128.shuffle<f32>(a01, a23, 1, 3, 5, 7);
}
@inline function zs(p0: usize, p1: usize, p2: usize, p3: usize): v128 {
  let z = v128.load32_zero(p0, 8);
  z = v128.load32_lane(p1, z, 1, 8);
  z = v128.load32_lane(p2, z, 2, 8);
  return v128.load32_lane(p3, z, 3, 8);
}

/** Store lanes of (x, y[, z]) back to their points (lane order 0..3: the last of equal addresses wins). */
@inline function scatter(three: bool, x: v128, y: v128, z: v128, p0: usize, p1: usize, p2: usize, p3: usize): void {
  const u01 = v128.shuffle<f32>(x, y, 0, 4, 1, 5);
  const u23 = v128.shuffle<f32>(x, y, 2, 6, 3, 7);
  v128.store64_lane(p0, u01, 0);
  v128.store64_lane(p1, u01, 1);
  v128.store64_lane(p2, u23, 0);
  v128.store64_lane(p3, u23, 1);
  if (three) {
    store<f32>(p0, f32x4.extract_lane(z, 0), 8);
    store<f32>(p1, f32x4.extract_lane(z, 1), 8);
    store<f32>(p2, f32x4.extract_lane(z, 2), 8);
    store<f32>(p3, f32x4.extract_lane(z, 3), 8);
  }
}

/** List epoch `epoch`'s due edges and their negative-sample counts (umap-streams.ts's scan); returns how many. */
@inline function dueEdges(
  epoch: i32,
  edges: i32,
  schedule: usize,
  list: usize,
  counts: usize,
  dueAt: usize,
): i32 {
  const n = <f64>epoch;
  let m = 0;
  const nv = i32x4.splat(epoch);
  for (let g = 0; g < edges; g += 4) {
    let mask = i32x4.bitmask(i32x4.le_s(v128.load(dueAt + (<usize>g << 2)), nv));
    while (mask != 0) {
      const i = g + ctz(mask);
      mask &= mask - 1;
      const rec = schedule + (<usize>i << 5);
      const next = load<f64>(rec) + load<f64>(rec, 8);
      store<f64>(rec, next);
      store<i32>(dueAt + (<usize>i << 2), <i32>Math.ceil(next));
      const nextNeg = load<f64>(rec, 16);
      const perNeg = load<f64>(rec, 24);
      const nNeg = Math.floor((n - nextNeg) / perNeg);
      store<f64>(rec, nextNeg + nNeg * perNeg, 16);
      store<i32>(list + (<usize>m << 2), i);
      store<i32>(counts + (<usize>m << 2), nNeg > 0 ? <i32>nNeg : 0);
      m++;
    }
  }
  return m;
}

/**
 * Fill HEADS/TAILS/COUNTS/DRAWS for `step` of the eight slices and advance each slice's next draw (an exhausted
 * slice: the scratch point, no samples, draws from the padding).
 */
@inline function loadStep(step: i32, list: usize, counts: usize, head: usize, tail: usize, scratch: i32, padding: i32): void {
  for (let t = 0; t < 8; t++) {
    const i = load<i32>(BOUNDS + (<usize>t << 2)) + step;
    const lane = <usize>t << 2;
    if (i < load<i32>(BOUNDS + (<usize>(t + 1) << 2))) {
      const e = <usize>load<i32>(list + (<usize>i << 2)) << 2;
      const c = load<i32>(counts + (<usize>i << 2));
      const at = load<i32>(NEXT_DRAW + lane);
      store<i32>(HEADS + lane, load<i32>(head + e));
      store<i32>(TAILS + lane, load<i32>(tail + e));
      store<i32>(COUNTS + lane, c);
      store<i32>(DRAWS + lane, at);
      store<i32>(NEXT_DRAW + lane, at + (c << 2));
    } else {
      store<i32>(HEADS + lane, scratch);
      store<i32>(TAILS + lane, scratch);
      store<i32>(COUNTS + lane, 0);
      store<i32>(DRAWS + lane, padding);
    }
  }
}

/**
 * The addresses of the points umap-js's next `count` negative samples pick, from state `s` (before the first draw),
 * into `draws` (i32 each; up to 3 more written past the end): the whole epoch's sequence in one pass, four draws per
 * instruction and no dependency between them, instead of a draw inside every sample's chain.
 */
@inline function fillDraws(s: u32, count: i32, nV: v128, embedding: usize, draws: usize): void {
  let state = i32x4.add(i32x4.splat(<i32>s), i32x4(<i32>INC, <i32>(INC * 2), <i32>(INC * 3), <i32>(INC * 4)));
  const step = i32x4.splat(<i32>(INC * 4));
  for (let i = 0; i < count; i += 4) {
    v128.store(draws + (<usize>i << 2), addresses(vertexOf(mix(state), nV), embedding));
    state = i32x4.add(state, step);
  }
}

@inline function run(
  three: bool,
  head: usize,
  tail: usize,
  schedule: usize,
  embedding: usize,
  list: usize,
  counts: usize,
  dueAt: usize,
  edges: i32,
  vertices: i32,
  a64: f64,
  b64: f64,
  gamma: f64,
  initialAlpha: f64,
  nEpochs: i32,
  from: i32,
  to: i32,
  state: u32,
  powTables: usize,
  draws: usize,
): u32 {
  const a = f32x4.splat(<f32>a64);
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0.0);
  const four = f32x4.splat(4.0);
  const eps = f32x4.splat(<f32>0.001);
  const twoAB = f32x4.splat(<f32>(-2.0 * a64 * b64));
  const twoGammaB = f32x4.splat(<f32>(2.0 * gamma * b64));
  const powB = <i32>powTables;
  const powBm1 = <i32>powTables + TABLE_BYTES;
  const nV = i32x4.splat(vertices);
  let s0 = state;
  for (let epoch = from; epoch < to; epoch++) {
    const alpha = epoch == 0 ? initialAlpha : initialAlpha * (1.0 - <f64>(epoch - 1) / <f64>nEpochs);
    const av = f32x4.splat(<f32>alpha);
    const m = dueEdges(epoch, edges, schedule, list, counts, dueAt);
    // Eight slices [bound_t, bound_t+1), each starting at its first edge's place in the epoch's draws.
    const q = (m + 7) >> 3;
    let drawn = 0;
    let p = 0;
    for (let t = 0; t < 8; t++) {
      const start = min(t * q, m);
      for (; p < start; p++) drawn += load<i32>(counts + (<usize>p << 2));
      store<i32>(BOUNDS + (<usize>t << 2), start);
      store<i32>(NEXT_DRAW + (<usize>t << 2), <i32>draws + (drawn << 2));
    }
    store<i32>(BOUNDS + 32, m);
    for (; p < m; p++) drawn += load<i32>(counts + (<usize>p << 2));
    fillDraws(s0, drawn, nV, embedding, draws);
    const padding = <i32>draws + (drawn << 2);
    const scratchAt = <i32>embedding + (vertices << 4);
    for (let i = 0; i < DRAW_PADDING; i++) store<i32>(<usize>padding + (<usize>i << 2), scratchAt);
    for (let step = 0; step < q; step++) {
      loadStep(step, list, counts, head, tail, vertices, padding);
      const jA = v128.load(HEADS);
      const jB = v128.load(HEADS, 16);
      const cA = v128.load(COUNTS);
      const cB = v128.load(COUNTS, 16);
      const hA = addresses(jA, embedding);
      const hB = addresses(jB, embedding);
      const tA = addresses(v128.load(TAILS), embedding);
      const tB = addresses(v128.load(TAILS, 16), embedding);
      const ha0 = <usize>i32x4.extract_lane(hA, 0), ha1 = <usize>i32x4.extract_lane(hA, 1), ha2 = <usize>i32x4.extract_lane(hA, 2), ha3 = <usize>i32x4.extract_lane(hA, 3);
      const hb0 = <usize>i32x4.extract_lane(hB, 0), hb1 = <usize>i32x4.extract_lane(hB, 1), hb2 = <usize>i32x4.extract_lane(hB, 2), hb3 = <usize>i32x4.extract_lane(hB, 3);
      const da0 = <usize>load<i32>(DRAWS), da1 = <usize>load<i32>(DRAWS, 4), da2 = <usize>load<i32>(DRAWS, 8), da3 = <usize>load<i32>(DRAWS, 12);
      const db0 = <usize>load<i32>(DRAWS, 16), db1 = <usize>load<i32>(DRAWS, 20), db2 = <usize>load<i32>(DRAWS, 24), db3 = <usize>load<i32>(DRAWS, 28);
      // Attractions: head and tail pulled together; tails stored now, heads kept for the negative samples.
      let hxA: v128, hyA: v128, hzA = zero;
      let hxB: v128, hyB: v128, hzB = zero;
      {
        const ta0 = <usize>i32x4.extract_lane(tA, 0), ta1 = <usize>i32x4.extract_lane(tA, 1), ta2 = <usize>i32x4.extract_lane(tA, 2), ta3 = <usize>i32x4.extract_lane(tA, 3);
        const h01 = pairs(ha0, ha1), h23 = pairs(ha2, ha3);
        const t01 = pairs(ta0, ta1), t23 = pairs(ta2, ta3);
        hxA = xs(h01, h23);
        hyA = ys(h01, h23);
        let txA = xs(t01, t23), tyA = ys(t01, t23), tzA = zero;
        const dx = f32x4.sub(hxA, txA), dy = f32x4.sub(hyA, tyA);
        let dist = f32x4.add(f32x4.mul(dx, dx), f32x4.mul(dy, dy));
        let dz = zero;
        if (three) {
          hzA = zs(ha0, ha1, ha2, ha3);
          tzA = zs(ta0, ta1, ta2, ta3);
          dz = f32x4.sub(hzA, tzA);
          dist = f32x4.add(dist, f32x4.mul(dz, dz));
        }
        const pb1 = pow32x4(dist, powBm1);
        const gc = v128.and(f32x4.div(f32x4.mul(twoAB, pb1), f32x4.add(f32x4.mul(f32x4.mul(a, pb1), dist), one)), f32x4.gt(dist, zero));
        const gx = f32x4.mul(clip4(f32x4.mul(gc, dx)), av), gy = f32x4.mul(clip4(f32x4.mul(gc, dy)), av);
        hxA = f32x4.add(hxA, gx);
        hyA = f32x4.add(hyA, gy);
        txA = f32x4.sub(txA, gx);
        tyA = f32x4.sub(tyA, gy);
        if (three) {
          const gz = f32x4.mul(clip4(f32x4.mul(gc, dz)), av);
          hzA = f32x4.add(hzA, gz);
          tzA = f32x4.sub(tzA, gz);
        }
        scatter(three, txA, tyA, tzA, ta0, ta1, ta2, ta3);
      }
      {
        const tb0 = <usize>i32x4.extract_lane(tB, 0), tb1 = <usize>i32x4.extract_lane(tB, 1), tb2 = <usize>i32x4.extract_lane(tB, 2), tb3 = <usize>i32x4.extract_lane(tB, 3);
        const h01 = pairs(hb0, hb1), h23 = pairs(hb2, hb3);
        const t01 = pairs(tb0, tb1), t23 = pairs(tb2, tb3);
        hxB = xs(h01, h23);
        hyB = ys(h01, h23);
        let txB = xs(t01, t23), tyB = ys(t01, t23), tzB = zero;
        const dx = f32x4.sub(hxB, txB), dy = f32x4.sub(hyB, tyB);
        let dist = f32x4.add(f32x4.mul(dx, dx), f32x4.mul(dy, dy));
        let dz = zero;
        if (three) {
          hzB = zs(hb0, hb1, hb2, hb3);
          tzB = zs(tb0, tb1, tb2, tb3);
          dz = f32x4.sub(hzB, tzB);
          dist = f32x4.add(dist, f32x4.mul(dz, dz));
        }
        const pb1 = pow32x4(dist, powBm1);
        const gc = v128.and(f32x4.div(f32x4.mul(twoAB, pb1), f32x4.add(f32x4.mul(f32x4.mul(a, pb1), dist), one)), f32x4.gt(dist, zero));
        const gx = f32x4.mul(clip4(f32x4.mul(gc, dx)), av), gy = f32x4.mul(clip4(f32x4.mul(gc, dy)), av);
        hxB = f32x4.add(hxB, gx);
        hyB = f32x4.add(hyB, gy);
        txB = f32x4.sub(txB, gx);
        tyB = f32x4.sub(tyB, gy);
        if (three) {
          const gz = f32x4.mul(clip4(f32x4.mul(gc, dz)), av);
          hzB = f32x4.add(hzB, gz);
          tzB = f32x4.sub(tzB, gz);
        }
        scatter(three, txB, tyB, tzB, tb0, tb1, tb2, tb3);
      }
      // Negative samples: lane l of a group takes its r-th sample while r < its count.
      const most4 = i32x4.max_s(cA, cB);
      let most = max(max(i32x4.extract_lane(most4, 0), i32x4.extract_lane(most4, 1)), max(i32x4.extract_lane(most4, 2), i32x4.extract_lane(most4, 3)));
      for (let r = 0; r < most; r++) {
        const rv = i32x4.splat(r);
        {
          const act = i32x4.gt_s(cA, rv);
          const o = <usize>r << 2;
          const k0 = <usize>load<i32>(da0 + o), k1 = <usize>load<i32>(da1 + o), k2 = <usize>load<i32>(da2 + o), k3 = <usize>load<i32>(da3 + o);
          // A sample of the head itself is skipped (rare: one in n).
          let keep = act;
          if ((k0 == ha0) | (k1 == ha1) | (k2 == ha2) | (k3 == ha3)) {
            const kv = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(<i32>k0), 1, <i32>k1), 2, <i32>k2), 3, <i32>k3);
            keep = v128.andnot(act, i32x4.eq(kv, hA));
          }
          const p01 = pairs(k0, k1), p23 = pairs(k2, k3);
          const ex = f32x4.sub(hxA, xs(p01, p23)), ey = f32x4.sub(hyA, ys(p01, p23));
          let dist = f32x4.add(f32x4.mul(ex, ex), f32x4.mul(ey, ey));
          let ez = zero;
          if (three) {
            ez = f32x4.sub(hzA, zs(k0, k1, k2, k3));
            dist = f32x4.add(dist, f32x4.mul(ez, ez));
          }
          const gc = f32x4.div(twoGammaB, f32x4.mul(f32x4.add(eps, dist), f32x4.add(f32x4.mul(a, pow32x4(dist, powB)), one)));
          // A coincident other point (or a coefficient that underflowed) pushes by 4 in every dimension (umap-js).
          const ok = v128.and(f32x4.gt(dist, zero), f32x4.gt(gc, zero));
          hxA = f32x4.add(hxA, f32x4.mul(v128.and(v128.bitselect(clip4(f32x4.mul(gc, ex)), four, ok), keep), av));
          hyA = f32x4.add(hyA, f32x4.mul(v128.and(v128.bitselect(clip4(f32x4.mul(gc, ey)), four, ok), keep), av));
          if (three) hzA = f32x4.add(hzA, f32x4.mul(v128.and(v128.bitselect(clip4(f32x4.mul(gc, ez)), four, ok), keep), av));
        }
        {
          const act = i32x4.gt_s(cB, rv);
          const o = <usize>r << 2;
          const k0 = <usize>load<i32>(db0 + o), k1 = <usize>load<i32>(db1 + o), k2 = <usize>load<i32>(db2 + o), k3 = <usize>load<i32>(db3 + o);
          // A sample of the head itself is skipped (rare: one in n).
          let keep = act;
          if ((k0 == hb0) | (k1 == hb1) | (k2 == hb2) | (k3 == hb3)) {
            const kv = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(<i32>k0), 1, <i32>k1), 2, <i32>k2), 3, <i32>k3);
            keep = v128.andnot(act, i32x4.eq(kv, hB));
          }
          const p01 = pairs(k0, k1), p23 = pairs(k2, k3);
          const ex = f32x4.sub(hxB, xs(p01, p23)), ey = f32x4.sub(hyB, ys(p01, p23));
          let dist = f32x4.add(f32x4.mul(ex, ex), f32x4.mul(ey, ey));
          let ez = zero;
          if (three) {
            ez = f32x4.sub(hzB, zs(k0, k1, k2, k3));
            dist = f32x4.add(dist, f32x4.mul(ez, ez));
          }
          const gc = f32x4.div(twoGammaB, f32x4.mul(f32x4.add(eps, dist), f32x4.add(f32x4.mul(a, pow32x4(dist, powB)), one)));
          const ok = v128.and(f32x4.gt(dist, zero), f32x4.gt(gc, zero));
          hxB = f32x4.add(hxB, f32x4.mul(v128.and(v128.bitselect(clip4(f32x4.mul(gc, ex)), four, ok), keep), av));
          hyB = f32x4.add(hyB, f32x4.mul(v128.and(v128.bitselect(clip4(f32x4.mul(gc, ey)), four, ok), keep), av));
          if (three) hzB = f32x4.add(hzB, f32x4.mul(v128.and(v128.bitselect(clip4(f32x4.mul(gc, ez)), four, ok), keep), av));
        }
      }
      scatter(three, hxA, hyA, hzA, ha0, ha1, ha2, ha3);
      scatter(three, hxB, hyB, hzB, hb0, hb1, hb2, hb3);
    }
    s0 += <u32>drawn * INC;
  }
  return s0;
}

/**
 * Epochs `from` ≤ n < `to` of umap-js's SGD, eight streams in SIMD lanes (see the top of this file): head/tail i32
 * [edges], `schedule` 32-byte records [edges], the embedding f32x4 [vertices + 1], list/counts i32 [edges], dueAt
 * i32 [edges rounded up to 4, padded with i32 max], `draws` i32 [(2·rate + 1)·edges + 32], the pow tables as for
 * umap-streams.ts. `state` is the mulberry32 state before the first draw; returns the state after the last (the
 * sequential kernel's).
 */
export function optimizeLanes(
  head: usize,
  tail: usize,
  schedule: usize,
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
  draws: usize,
): u32 {
  // prettier-ignore
  if (dim == 3) return run(true, head, tail, schedule,
    embedding, list, counts, dueAt, edges, vertices, a64, b64, gamma, initialAlpha, nEpochs, from, to, state, powTables, draws);
  // prettier-ignore
  return run(false, head, tail, schedule,
    embedding, list, counts, dueAt, edges, vertices, a64, b64, gamma, initialAlpha, nEpochs, from, to, state, powTables, draws);
}
