/**
 * Python's `random.Random(seed)` for integer seeds, bit for bit: the MT19937 state CPython builds from an int seed
 * (`init_by_array` over the seed's 32-bit words), `getrandbits`, `_randbelow` (rejection sampling on
 * `getrandbits(n.bit_length())`, CPython 3.11), `randint` and `random.sample`.
 *
 * TensorBoard 2.20 samples with `random.Random(0)` twice: each (run, tag) reservoir at load time
 * (`reservoir._ReservoirBucket.AddItem` → `randint`) and every read (`data_provider._downsample` → `sample`).
 * Reproducing the generator exactly makes our sampled points the points TensorBoard shows.
 */
const N = 624;
const M = 397;

export class PythonRandom {
  private readonly mt = new Int32Array(N);
  private index = N;

  /** `random.Random(seed)` for a non-negative integer seed below 2^53. */
  constructor(seed = 0) {
    const key: number[] = [];
    let n = Math.abs(Math.trunc(seed));
    do {
      key.push(n % 2 ** 32);
      n = Math.floor(n / 2 ** 32);
    } while (n > 0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s | 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) | 0;
    }
    this.index = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j] + j) | 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) | 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000 | 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let kk = 0; kk < N; kk++) {
      const y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % N] & 0x7fffffff);
      mt[kk] = mt[(kk + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** `genrand_uint32`: the next 32 random bits as an unsigned number. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `getrandbits(k)` for 0 ≤ k ≤ 53. */
  getrandbits(k: number): number {
    if (k === 0) return 0;
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    // CPython fills 32-bit words least significant first; the last word keeps its top bits.
    const lo = this.nextUint32();
    const hi = this.nextUint32() >>> (64 - k);
    return hi * 2 ** 32 + lo;
  }

  /** `_randbelow(n)` for 1 ≤ n ≤ 2^53: uniform in [0, n). */
  randbelow(n: number): number {
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `randint(a, b)`: uniform in [a, b], both ends included. */
  randint(a: number, b: number): number {
    return a + this.randbelow(b - a + 1);
  }

  /** `sample(range(n), k)`: k distinct indices of [0, n), in selection order (CPython 3.11's two strategies). */
  sampleRange(n: number, k: number): number[] {
    if (k < 0 || k > n) throw new RangeError(`sample of ${k} from ${n}`);
    const result = new Array<number>(k);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j];
        pool[j] = pool[n - i - 1];
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = j;
      }
    }
    return result;
  }
}

/** `int.bit_length()` for 0 ≤ n ≤ 2^53. */
export function bitLength(n: number): number {
  if (n < 2 ** 32) return 32 - Math.clz32(n);
  return 32 + bitLength(Math.floor(n / 2 ** 32));
}

/**
 * TensorBoard's `data_provider._downsample(xs, k)` as indices into a series of `length` points: all of them when
 * `k ≥ length`, none for `k = 0`, else `k - 1` indices drawn by `random.Random(0).sample` from all but the last,
 * sorted, plus the last.
 */
export function downsampleIndices(length: number, k: number): number[] | 'all' {
  if (k > length) return 'all';
  if (k <= 0) return [];
  const picked = new PythonRandom(0).sampleRange(length - 1, k - 1).sort((a, b) => a - b);
  picked.push(length - 1);
  return picked;
}
