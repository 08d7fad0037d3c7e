/**
 * The PCA worker's body (see pca.ts): stringified into a Blob worker, so it must not reference anything outside its
 * own body. DOM-free, so unit tests run it in Node.
 */
/** The worker's body: answers `{ vectors, rows, dim, k }` with `{ positions, explained }` (see pca.ts's PcaResult). */
export function pcaWorkerMain(): void {
  // In a worker globalThis is `self`; typed loosely so this file needs no DOM or worker lib (unit tests run it).
  const scope = globalThis as unknown as { onmessage: (e: { data: unknown }) => void; postMessage(m: unknown, t: unknown[]): void };
  scope.onmessage = (e: { data: unknown }) => {
    const { vectors, rows, dim, k } = e.data as { vectors: Float32Array; rows: number; dim: number; k: number };
    const result = pcaCore(vectors, rows, dim, k);
    scope.postMessage(result, [result.positions.buffer]);
  };

  function pcaCore(x: Float32Array, n: number, d: number, k: number): { positions: Float32Array; explained: number[] } {
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
    for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, n);
    const m = Math.min(n, 2000);
    const sample = new Float64Array(m * d);
    for (let s = 0; s < m; s++) {
      const i = Math.floor((s * n) / m);
      for (let j = 0; j < d; j++) sample[s * d + j] = x[i * d + j]! - mean[j]!;
    }
    const gram = m <= d;
    const size = gram ? m : d;
    const a = new Float64Array(size * size);
    if (gram) {
      for (let p = 0; p < m; p++) for (let q = p; q < m; q++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += sample[p * d + j]! * sample[q * d + j]!;
        a[p * m + q] = s;
        a[q * m + p] = s;
      }
    } else {
      for (let s = 0; s < m; s++) {
        const o = s * d;
        for (let p = 0; p < d; p++) {
          const v = sample[o + p]!;
          if (v === 0) continue;
          const row = p * d;
          for (let q = p; q < d; q++) a[row + q]! += v * sample[o + q]!;
        }
      }
      for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) a[p * d + q] = a[q * d + p]!;
    }
    let trace = 0;
    for (let p = 0; p < size; p++) trace += a[p * size + p]!;
    const kk = Math.min(k, size);
    // Orthogonal iteration from a fixed start (deterministic results).
    let qm = new Float64Array(size * kk);
    for (let p = 0; p < size; p++) for (let c = 0; c < kk; c++) qm[p * kk + c] = Math.sin(1 + p * 12.9898 + c * 78.233);
    orthonormalize(qm, size, kk);
    const eig = new Float64Array(kk);
    for (let iter = 0; iter < 300; iter++) {
      const z = new Float64Array(size * kk);
      for (let p = 0; p < size; p++) {
        const row = p * size;
        for (let r = 0; r < size; r++) {
          const v = a[row + r]!;
          if (v === 0) continue;
          for (let c = 0; c < kk; c++) z[p * kk + c]! += v * qm[r * kk + c]!;
        }
      }
      let change = 0;
      for (let c = 0; c < kk; c++) {
        let s = 0;
        for (let p = 0; p < size; p++) s += qm[p * kk + c]! * z[p * kk + c]!;
        change = Math.max(change, Math.abs(s - eig[c]!) / Math.max(1e-12, Math.abs(s)));
        eig[c] = s;
      }
      orthonormalize(z, size, kk);
      qm = z;
      if (iter > 5 && change < 1e-9) break;
    }
    // Components in the original space.
    const comps = new Float64Array(d * kk);
    for (let c = 0; c < kk; c++) {
      if (gram) {
        let norm = 0;
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let p = 0; p < m; p++) s += sample[p * d + j]! * qm[p * kk + c]!;
          comps[j * kk + c] = s;
          norm += s * s;
        }
        norm = Math.sqrt(norm) || 1;
        for (let j = 0; j < d; j++) comps[j * kk + c]! /= norm;
      } else for (let j = 0; j < d; j++) comps[j * kk + c] = qm[j * kk + c]!;
      // Sign: the largest-magnitude loading positive.
      let big = 0;
      for (let j = 0; j < d; j++) if (Math.abs(comps[j * kk + c]!) > Math.abs(big)) big = comps[j * kk + c]!;
      if (big < 0) for (let j = 0; j < d; j++) comps[j * kk + c] = -comps[j * kk + c]!;
    }
    const positions = new Float32Array(n * kk);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < kk; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (x[i * d + j]! - mean[j]!) * comps[j * kk + c]!;
        positions[i * kk + c] = s;
      }
    }
    return { positions, explained: Array.from(eig, (v) => (trace > 0 ? v / trace : 0)) };
  }

  /** Gram-Schmidt, twice per column (one pass loses orthogonality when a column is tiny: a rank-deficient
   *  matrix's null directions); a column with nothing left is restarted from a fixed vector. */
  function orthonormalize(q: Float64Array, rows: number, cols: number): void {
    const norm = (c: number) => {
      let s = 0;
      for (let p = 0; p < rows; p++) s += q[p * cols + c]! ** 2;
      return Math.sqrt(s);
    };
    for (let c = 0; c < cols; c++) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = norm(c);
        for (let pass = 0; pass < 2; pass++) {
          for (let b = 0; b < c; b++) {
            let dot = 0;
            for (let p = 0; p < rows; p++) dot += q[p * cols + c]! * q[p * cols + b]!;
            for (let p = 0; p < rows; p++) q[p * cols + c]! -= dot * q[p * cols + b]!;
          }
        }
        const after = norm(c);
        if (after > 1e-9 * before && after > 0) {
          for (let p = 0; p < rows; p++) q[p * cols + c]! /= after;
          break;
        }
        for (let p = 0; p < rows; p++) q[p * cols + c] = Math.cos(p * 7.31 + c * 3.7 + attempt);
      }
    }
  }
}
