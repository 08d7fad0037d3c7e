// UMAP's layout optimisation (umap-js 1.4.0's `optimizeLayoutStep`, epochs `from`..`to`) in AssemblyScript.
//
// The same algorithm in the same arithmetic order as umap-js: per epoch, every edge whose next sample is due pulls
// its head towards its tail (and the tail towards the head), then pushes the head away from a number of uniformly
// drawn vertices, gradients clipped to ±4, learning rate decaying linearly. The random draws are core's mulberry32
// (`createRandom`) continued from the state the caller passes, so the sequence is the one umap-js would consume.
//
// `exactPow = 1` calls the host's `Math.pow` through an import and then reproduces umap-js bit for bit (tested), at
// about umap-js's speed: V8's pow is slow and the call crosses into JavaScript. The default computes d^b from
// tables (`tablePow`, ~2e-7 relative error) and d^b as d^(b−1) · d in the attraction: the same algorithm and random
// sequence, but any rounding difference sends chaotic SGD along another trajectory, so the layout is an equally
// good one rather than the same one.
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

// x^y for the two exponents a fit uses (b and b − 1), from tables the caller fills with the host's Math.pow: for
// x = 2^e · m (m in [1, 2)), x^y = 2^(e·y) · m^y, the first factor read from a table per exponent (2048 entries), the
// second interpolated linearly between 257 points of m^y (relative error below 2.5e-7 for |y(y − 1)| < 0.12: the
// float32 level at which umap-learn takes these steps). A few loads and one multiply-add instead of a
// correctly rounded pow: the pow sits on the serial chain of updates to one point, so its latency is what counts.
// Table layout (f64): [2048] 2^((e − 1023)·y), then [256 × 2] (m_i^y, m_{i+1}^y − m_i^y), m_i = 1 + i/256.
const TABLE_BYTES: usize = (2048 + 512) << 3;

/** Bytes of one exponent's tables; the caller lays out two (b, then b − 1) and fills them (wasm-kernels.mjs). */
export function powTableBytes(): usize {
  return TABLE_BYTES;
}

@inline function tablePow(x: f64, table: usize): f64 {
  const bits = reinterpret<u64>(x);
  const e = <usize>(bits >> 52);
  const i = <usize>((bits >> 44) & 0xff);
  const frac = <f64>(<u32>(bits >> 12)) * (1.0 / 4294967296.0);
  const m = table + (2048 << 3) + (i << 4);
  return load<f64>(table + (e << 3)) * (load<f64>(m) + frac * load<f64>(m, 8));
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
  powTables: usize,
): void {
  rngState = state;
  const powB = powTables;
  const powBm1 = powTables + TABLE_BYTES;
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
          const pb1 = tablePow(distSquared, powBm1);
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
          gradCoeff1 /= (0.001 + distSquared1) * (a * (exactPow ? hostPow(distSquared1, b) : tablePow(distSquared1, powB)) + 1);
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
