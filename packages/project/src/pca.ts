import { PCA } from 'ml-pca';
import type { Random } from '@tbpipe/core/random';
import { transpose } from './kernels.ts';
import { multiplyABtWasm, multiplyF64, orthonormalizeRowsWasm } from './wasm-kernels.mjs';

/** Options of {@link fitPca}. */
export interface PcaOptions {
  /** Components to keep, 1 ≤ k ≤ min(rows, width). */
  nComponents: number;
  /** Seeded source for the randomized range finder's start vectors (used only when the width exceeds `exactMaxWidth`). */
  random: Random;
  /** Extra start vectors beyond `nComponents` for the randomized path; default 10 (Halko et al.'s usual p). */
  oversample?: number;
  /** Subspace (power) iterations of the randomized path; default 3, enough for the top components of images. */
  powerIterations?: number;
  /** Widths up to this use the exact covariance eigendecomposition; default 256. */
  exactMaxWidth?: number;
}

/** A fitted PCA: enough to project the data it was fitted on (or other rows of the same width). */
export interface PcaModel {
  /** Row width d. */
  width: number;
  /** Column means (length d). */
  mean: Float64Array;
  /** k principal axes, row-major k × d, unit length, sign fixed so each axis's largest-|loading| entry is positive. */
  components: Float64Array;
  /** Variance along each axis (eigenvalues of the sample covariance, divisor n − 1), descending. */
  explainedVariance: Float64Array;
  /** `explainedVariance / totalVariance`: the fraction of all variance each axis carries (scikit-learn's ratio). */
  explainedVarianceRatio: Float64Array;
  /** Trace of the sample covariance: the sum of the column variances. */
  totalVariance: number;
  /** `exact` (full covariance eigendecomposition) or `randomized` (subspace iteration + Rayleigh–Ritz). */
  method: 'exact' | 'randomized';
  /** The fitted rows' coordinates on the k axes, n × k Float32 (scikit-learn's `fit_transform`). */
  scores: Float32Array;
}

const DEFAULTS = { oversample: 10, powerIterations: 2, exactMaxWidth: 256 } as const;

function columnMeans(x: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mean[j] += x[row + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  return mean;
}

function totalVarianceOf(x: Float32Array, n: number, d: number, mean: Float64Array): number {
  const ss = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const c = x[row + j] - mean[j];
      ss[j] += c * c;
    }
  }
  let total = 0;
  for (let j = 0; j < d; j++) total += ss[j];
  return total / (n - 1);
}

/** Sample covariance (d × d, divisor n − 1) of centred rows; upper triangle accumulated, then mirrored. */
export function covariance(x: Float32Array, n: number, d: number, mean: Float64Array): Float64Array {
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) c[j] = x[row + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ca = c[a];
      if (ca === 0) continue;
      const base = a * d;
      for (let b = a; b < d; b++) cov[base + b] += ca * c[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return cov;
}

function toRows(flat: Float64Array, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(Array.from(flat.subarray(r * cols, (r + 1) * cols)));
  return out;
}

/** Eigen-decompose a symmetric covariance with ml-pca; returns eigenvalues (desc) and eigenvectors as columns. */
function eigenOfCovariance(cov: Float64Array, size: number): { values: number[]; vectors: number[][] } {
  const pca = new PCA(toRows(cov, size, size), { isCovarianceMatrix: true });
  return { values: pca.getEigenvalues(), vectors: pca.getEigenvectors().to2DArray() };
}

/** Y (n × l) = (X − 1μᵀ) Vᵀ for l unit rows V (l × d). */
function multiplyCentred(x: Float32Array, n: number, d: number, mean: Float64Array, v: Float64Array, l: number): Float64Array {
  const shift = new Float64Array(l);
  for (let c = 0; c < l; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += mean[j] * v[c * d + j];
    shift[c] = s;
  }
  // X·Vᵀ in one wasm call (the same numbers as kernels.ts's multiplyABt), then the centring shift.
  const y = new Float64Array(n * l);
  multiplyABtWasm(x, 0, n, v, l, d, y);
  for (let i = 0; i < n; i++) for (let c = 0; c < l; c++) y[i * l + c] -= shift[c];
  return y;
}

/** Wᵀ (l × d) = Yᵀ (X − 1μᵀ), from Xᵀ (d × n) so that every dot product runs over contiguous memory. */
function multiplyCentredTransposed(xt: Float32Array, n: number, d: number, mean: Float64Array, y: Float64Array, l: number): Float64Array {
  const yt = transpose(y, n, l);
  const colSum = new Float64Array(l);
  for (let c = 0; c < l; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += yt[c * n + i];
    colSum[c] = s;
  }
  const w = new Float64Array(l * d);
  const tmp = new Float64Array(d * l);
  multiplyABtWasm(xt, 0, d, yt, l, n, tmp);
  for (let r = 0; r < d; r++) for (let c = 0; c < l; c++) w[c * d + r] = tmp[r * l + c] - mean[r] * colSum[c];
  return w;
}

/**
 * Orthonormalise the l rows of an l × d matrix in place (modified Gram–Schmidt, twice for stability; a row that
 * vanished, rank-deficient data, stays zero and its Ritz value is 0). In wasm (`orthonormalizeRow`), with the numbers
 * of the JavaScript loop it replaced (test/pca.test.ts keeps that loop and compares).
 */
function orthonormalizeRows(m: Float64Array, l: number, d: number): void {
  orthonormalizeRowsWasm(m, l, d);
}

/** Make the largest-|loading| entry positive (a deterministic sign, like scikit-learn's svd_flip); true if flipped. */
function fixSign(axis: Float64Array): boolean {
  let best = 0;
  for (let j = 1; j < axis.length; j++) if (Math.abs(axis[j]) > Math.abs(axis[best])) best = j;
  if (axis[best] >= 0) return false;
  for (let j = 0; j < axis.length; j++) axis[j] = -axis[j];
  return true;
}

/**
 * Principal component analysis of n rows of width d (row-major Float32).
 *
 * Narrow data (d ≤ `exactMaxWidth`, e.g. 84 learned features) gets the exact answer: the covariance is accumulated in
 * Float64 here and handed to ml-pca (`isCovarianceMatrix`) for its eigendecomposition. Wide data (784 pixels) uses a
 * randomized subspace iteration (Halko, Martinsson & Tropp 2011, alg. 4.4) with `nComponents + oversample` seeded
 * start vectors, then Rayleigh–Ritz: ml-pca eigen-decomposes the small covariance of the data projected on that
 * subspace. N.B. ml-pca on the raw 10 000 × 784 matrix takes about a minute, because it always computes all 784
 * components; this takes a fraction of a second and agrees with scikit-learn's ratios to 4 digits.
 *
 * @example
 * const model = fitPca(pixels, 10_000, 784, { nComponents: 3, random: createRandom(0) });
 * const xyz = projectPca(model, pixels, 10_000); // Float32Array n × 3
 */
export function fitPca(x: Float32Array, n: number, d: number, options: PcaOptions): PcaModel {
  const k = options.nComponents;
  if (!(n >= 2) || !(d >= 1) || x.length !== n * d) throw new RangeError(`fitPca: ${x.length} values for ${n} × ${d}`);
  if (!Number.isInteger(k) || k < 1 || k > Math.min(n, d)) throw new RangeError(`fitPca: nComponents ${k} for ${n} × ${d}`);
  const { oversample, powerIterations, exactMaxWidth } = { ...DEFAULTS, ...options };
  const mean = columnMeans(x, n, d);
  const totalVariance = totalVarianceOf(x, n, d, mean);
  const l = Math.min(d, k + oversample);
  const components = new Float64Array(k * d);
  const explainedVariance = new Float64Array(k);
  let method: PcaModel['method'];
  let scores: Float32Array | undefined;

  if (d <= exactMaxWidth || l >= d) {
    method = 'exact';
    const { values, vectors } = eigenOfCovariance(covariance(x, n, d, mean), d);
    for (let c = 0; c < k; c++) {
      explainedVariance[c] = Math.max(0, values[c]);
      for (let j = 0; j < d; j++) components[c * d + j] = vectors[j][c];
    }
  } else {
    method = 'randomized';
    const v = new Float64Array(l * d);
    // Box–Muller normals from the injected random: the subspace (and so every output byte) follows the seed.
    for (let i = 0; i < v.length; i++) {
      const u1 = 1 - options.random();
      const u2 = options.random();
      v[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
    orthonormalizeRows(v, l, d);
    const xt = powerIterations > 0 ? transpose(x, n, d) : x;
    for (let it = 0; it < powerIterations; it++) {
      const y = multiplyCentred(x, n, d, mean, v, l);
      v.set(multiplyCentredTransposed(xt, n, d, mean, y, l));
      orthonormalizeRows(v, l, d);
    }
    // Rayleigh–Ritz: covariance of the data in the subspace's coordinates (l × l), eigen-decomposed by ml-pca.
    const z = multiplyCentred(x, n, d, mean, v, l);
    // Zᵀ·Z and the products below in wasm (multiplyF64: each sum in index order, the plain loops' numbers).
    const small = multiplyF64(transpose(z, n, l), l, n, z, l);
    for (let a = 0; a < l; a++) {
      for (let b = a; b < l; b++) {
        small[a * l + b] /= n - 1;
        small[b * l + a] = small[a * l + b];
      }
    }
    const { values, vectors } = eigenOfCovariance(small, l);
    // The first k Ritz vectors as an l × k matrix (and its transpose, k × l).
    const ritz = new Float64Array(l * k);
    const ritzT = new Float64Array(k * l);
    for (let a = 0; a < l; a++) {
      for (let c = 0; c < k; c++) {
        ritz[a * k + c] = vectors[a][c];
        ritzT[c * l + a] = vectors[a][c];
      }
    }
    scores = Float32Array.from(multiplyF64(z, n, l, ritz, k));
    components.set(multiplyF64(ritzT, k, l, v, d));
    for (let c = 0; c < k; c++) explainedVariance[c] = Math.max(0, values[c]);
  }
  const flipped = new Uint8Array(k);
  for (let c = 0; c < k; c++) flipped[c] = fixSign(components.subarray(c * d, (c + 1) * d)) ? 1 : 0;
  if (!scores) scores = projectPca({ width: d, mean, components } as PcaModel, x, n, k);
  else for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) if (flipped[c]) scores[i * k + c] = -scores[i * k + c];
  const explainedVarianceRatio = new Float64Array(k);
  for (let c = 0; c < k; c++) explainedVarianceRatio[c] = totalVariance > 0 ? explainedVariance[c] / totalVariance : 0;
  return { width: d, mean, components, explainedVariance, explainedVarianceRatio, totalVariance, method, scores };
}

/**
 * Coordinates of n rows on the first `nComponents` axes of `model` (default all), as Float32 n × k: `(x − μ) · axisᵀ`.
 */
export function projectPca(model: Pick<PcaModel, 'width' | 'mean' | 'components'>, x: Float32Array, n: number, nComponents = model.components.length / model.width): Float32Array {
  const d = model.width;
  const k = nComponents;
  if (x.length !== n * d) throw new RangeError(`projectPca: ${x.length} values for ${n} × ${d}`);
  const shift = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += model.mean[j] * model.components[c * d + j];
    shift[c] = s;
  }
  // Axes transposed to d × k so the inner loop runs over contiguous memory.
  const axesT = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) axesT[j * k + c] = model.components[c * d + j];
  const out = new Float32Array(n * k);
  const acc = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const xij = x[row + j];
      if (xij === 0) continue;
      for (let c = 0; c < k; c++) acc[c] += xij * axesT[j * k + c];
    }
    for (let c = 0; c < k; c++) out[i * k + c] = acc[c] - shift[c];
  }
  return out;
}
