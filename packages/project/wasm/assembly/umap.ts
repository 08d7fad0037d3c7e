// UMAP's layout optimisation (umap-js 1.4.0's `optimizeLayoutStep`, epochs `from`..`to`) in AssemblyScript.
//
// The same algorithm in the same arithmetic order as umap-js: per epoch, every edge whose next sample is due pulls
// its head towards its tail (and the tail towards the head), then pushes the head away from a number of uniformly
// drawn vertices, gradients clipped to ±4, learning rate decaying linearly. The random draws are core's mulberry32
// (`createRandom`) continued from the state the caller passes, so the sequence is the one umap-js would consume.
//
// `Math.pow` is the only function whose bits differ between engines: V8's (fdlibm) and this module's (musl's, from
// AssemblyScript's standard library) are both within an ulp of the true value but not identical, and SGD amplifies
// any difference. `exactPow = 1` calls the host's `Math.pow` through an import instead and then reproduces umap-js
// bit for bit (tested); the default fast path computes d^b once per pair (d^(b−1) · d for the attraction) with the
// module's own pow: the same layout up to rounding, several times faster.
//
// Memory (byte offsets into this module's own memory, 8-aligned, from the caller): head/tail i32[edges], then f64
// arrays epochsPerSample, epochOfNextSample, epochOfNextNegativeSample, epochsPerNegativeSample [edges], and the
// embedding f64[vertices × dim] updated in place.

@external("env", "pow") declare function hostPow(x: f64, y: f64): f64;

/** First byte the caller may use: above this module's static data (the pow tables). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

let rngState: u32 = 0;

/** The next uniform [0, 1) of core's mulberry32, exactly as `createRandom`'s closure computes it. */
@inline function nextRandom(): f64 {
  rngState += 0x6d2b79f5;
  let t = rngState;
  t = (t ^ (t >>> 15)) * (t | 1);
  t ^= t + (t ^ (t >>> 7)) * (t | 61);
  return <f64>(t ^ (t >>> 14)) / 4294967296.0;
}

/** The mulberry32 state after the last epoch run (pass it to the next call). */
export function randomState(): u32 {
  return rngState;
}

/** `count` draws from state `state`, written as f64 at `out`: lets a test compare the sequence with createRandom. */
export function randoms(state: u32, count: i32, out: usize): void {
  rngState = state;
  for (let i = 0; i < count; i++) store<f64>(out + (<usize>i << 3), nextRandom());
}

// log2 and exp2 for positive, finite arguments, accurate to about 2e-7 relative — umap-learn takes these SGD steps
// in float32 — and several times cheaper than a correctly rounded pow (short polynomials, evaluated in pairs).
const LN2: f64 = 0.6931471805599453;

/** log2(x) for x > 0 normal: exponent + 2·atanh((m − 1)/(m + 1))/ln 2 with m in [√½, √2). */
@inline function fastLog2(x: f64): f64 {
  let bits = reinterpret<u64>(x);
  let e = <f64>(<i64>(bits >> 52) - 1023);
  bits = (bits & 0x000fffffffffffff) | 0x3ff0000000000000;
  let m = reinterpret<f64>(bits);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1.0;
  }
  const t = (m - 1.0) / (m + 1.0);
  const t2 = t * t;
  const t4 = t2 * t2;
  // 2/ln2 · (t + t³/3 + t⁵/5 + t⁷/7); |t| ≤ 0.1716, so the first omitted term is below 1e-7 of the sum.
  const lo = 2.0 / LN2 + t2 * (2.0 / 3.0 / LN2);
  const hi = 2.0 / 5.0 / LN2 + t2 * (2.0 / 7.0 / LN2);
  return e + t * (lo + t4 * hi);
}

/** 2^y: 2^round(y) by the exponent bits times a degree-6 Taylor polynomial of e^(f·ln 2), |f| ≤ ½. */
@inline function fastExp2(y: f64): f64 {
  if (y < -1020.0) return 0.0;
  if (y > 1020.0) return Infinity;
  const k = nearest<f64>(y);
  const z = (y - k) * LN2;
  const z2 = z * z;
  const z4 = z2 * z2;
  const p01 = 1.0 + z;
  const p23 = 0.5 + z * (1.0 / 6.0);
  const p45 = 1.0 / 24.0 + z * (1.0 / 120.0);
  const p6 = 1.0 / 720.0;
  const s = p01 + z2 * p23 + z4 * (p45 + z2 * p6);
  return s * reinterpret<f64>(<u64>(<i64>k + 1023) << 52);
}

/** x^y for x > 0 (every call here: squared distances that passed a > 0 test). */
@inline function fastPow(x: f64, y: f64): f64 {
  return fastExp2(y * fastLog2(x));
}

@inline function clip(g: f64): f64 {
  return g > 4.0 ? 4.0 : g < -4.0 ? -4.0 : g;
}

/**
 * Epochs `from` ≤ n < `to` of umap-js's SGD. `alpha` of epoch n is umap-js's: the initial rate at n = 0, then
 * initialAlpha · (1 − (n − 1) / nEpochs) (umap-js updates it after each epoch).
 */
export function optimize(
  head: usize,
  tail: usize,
  epochsPerSample: usize,
  epochOfNextSample: usize,
  epochOfNextNegativeSample: usize,
  epochsPerNegativeSample: usize,
  embedding: usize,
  edges: i32,
  vertices: i32,
  dim: i32,
  a: f64,
  b: f64,
  gamma: f64,
  initialAlpha: f64,
  nEpochs: i32,
  from: i32,
  to: i32,
  state: u32,
  exactPow: i32,
): void {
  rngState = state;
  const nVertices = <f64>vertices;
  const bm1 = b - 1.0;
  const twoAB = -2.0 * a * b;
  const twoGammaB = 2.0 * gamma * b;
  for (let epoch = from; epoch < to; epoch++) {
    const n = <f64>epoch;
    const alpha = epoch == 0 ? initialAlpha : initialAlpha * (1.0 - <f64>(epoch - 1) / <f64>nEpochs);
    for (let i = 0; i < edges; i++) {
      const ie = <usize>i << 3;
      const next = load<f64>(epochOfNextSample + ie);
      if (next > n) continue;
      const j = load<i32>(head + (<usize>i << 2));
      const k = load<i32>(tail + (<usize>i << 2));
      const cj = embedding + ((<usize>j * <usize>dim) << 3);
      const ck = embedding + ((<usize>k * <usize>dim) << 3);
      let distSquared = 0.0;
      for (let d = 0; d < dim; d++) {
        const diff = load<f64>(cj + (<usize>d << 3)) - load<f64>(ck + (<usize>d << 3));
        distSquared += diff * diff;
      }
      let gradCoeff = 0.0;
      if (distSquared > 0) {
        if (exactPow) {
          gradCoeff = twoAB * hostPow(distSquared, bm1);
          gradCoeff /= a * hostPow(distSquared, b) + 1.0;
        } else {
          const pb1 = fastPow(distSquared, bm1);
          gradCoeff = (twoAB * pb1) / (a * pb1 * distSquared + 1.0);
        }
      }
      for (let d = 0; d < dim; d++) {
        const od = <usize>d << 3;
        const gradD = clip(gradCoeff * (load<f64>(cj + od) - load<f64>(ck + od)));
        store<f64>(cj + od, load<f64>(cj + od) + gradD * alpha);
        store<f64>(ck + od, load<f64>(ck + od) + -gradD * alpha);
      }
      store<f64>(epochOfNextSample + ie, next + load<f64>(epochsPerSample + ie));
      const nextNeg = load<f64>(epochOfNextNegativeSample + ie);
      const perNeg = load<f64>(epochsPerNegativeSample + ie);
      const nNegSamples = Math.floor((n - nextNeg) / perNeg);
      for (let p = 0.0; p < nNegSamples; p++) {
        const k1 = <i32>Math.floor(nextRandom() * nVertices);
        const c1 = embedding + ((<usize>k1 * <usize>dim) << 3);
        let distSquared1 = 0.0;
        for (let d = 0; d < dim; d++) {
          const diff = load<f64>(cj + (<usize>d << 3)) - load<f64>(c1 + (<usize>d << 3));
          distSquared1 += diff * diff;
        }
        let gradCoeff1 = 0.0;
        if (distSquared1 > 0.0) {
          gradCoeff1 = twoGammaB;
          gradCoeff1 /= (0.001 + distSquared1) * (a * (exactPow ? hostPow(distSquared1, b) : fastPow(distSquared1, b)) + 1);
        } else if (j == k1) {
          continue;
        }
        for (let d = 0; d < dim; d++) {
          const od = <usize>d << 3;
          let gradD = 4.0;
          if (gradCoeff1 > 0.0) gradD = clip(gradCoeff1 * (load<f64>(cj + od) - load<f64>(c1 + od)));
          store<f64>(cj + od, load<f64>(cj + od) + gradD * alpha);
        }
      }
      store<f64>(epochOfNextNegativeSample + ie, nextNeg + nNegSamples * perNeg);
    }
  }
}
