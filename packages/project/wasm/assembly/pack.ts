// Row quads for the tiled kernels (knn.ts's candidate searches, gemm.ts's A·Bᵀ): each loads the four rows of one
// quad at a column with one or two v128 loads.

/**
 * Rows j0 … j0 + 4·quads − 1 of the row-major matrix `x` of S (n × width) packed as quads of T: element k of row
 * j0 + 4q + lane at `packed` + ((q·width + k)·4 + lane)·sizeof<T>, rows past n as 0.
 */
@inline export function packQuads<S, T>(x: usize, n: i32, width: i32, packed: usize, j0: i32, quads: i32): void {
  // Shifts, as the kernels' own packing loops had: multiplying by sizeof<T> measured ~3 % slower on a 2 000 × 3 kNN
  // search (alternated runs).
  const sShift: usize = sizeof<S>() == 8 ? 3 : 2;
  const tShift: usize = sizeof<T>() == 8 ? 3 : 2;
  for (let q = 0; q < quads; q++) {
    for (let lane = 0; lane < 4; lane++) {
      const j = j0 + q * 4 + lane;
      const out = packed + ((<usize>q * <usize>width) << (tShift + 2)) + (<usize>lane << tShift);
      const src = x + ((<usize>j * <usize>width) << sShift);
      for (let k = 0; k < width; k++) store<T>(out + (<usize>k << (tShift + 2)), j < n ? <T>load<S>(src + (<usize>k << sShift)) : <T>0);
    }
  }
}
