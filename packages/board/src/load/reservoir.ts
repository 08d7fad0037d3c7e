/**
 * TensorBoard's reservoir of one (run, tag) series (`reservoir._ReservoirBucket` with `always_keep_last`), as
 * columns. Offer n-th item (counting from 0) once full: `r = randint(0, n)` from the bucket's own
 * `random.Random(0)`; if `r < capacity` the item at r is dropped and the new one appended, else the new one replaces
 * the last. So the newest point is always kept, the order stays the order of arrival, and the kept set equals
 * TensorBoard's for the same records. Capacity 0 keeps everything.
 */
import type { RawValue } from './compat.ts';
import { PythonRandom } from './python-random.ts';

export class Reservoir {
  length = 0;
  /** Items offered so far (TensorBoard's `_num_items_seen`, rescaled by purges). */
  seen = 0;
  steps: Float64Array;
  wallTimes: Float64Array;
  /** Scalar values (NaN where the point holds a raw value instead). */
  values: Float64Array;
  /** Raw values of non-scalar points (or of scalar points that arrived before their metadata); null until needed. */
  raws: (RawValue | undefined)[] | null = null;
  /** Id of the file each point came from, to drop a replaced file's points. */
  files: Int32Array;
  private readonly random = new PythonRandom(0);

  constructor(readonly capacity: number) {
    const initial = capacity === 0 ? 64 : Math.min(capacity, 64);
    this.steps = new Float64Array(initial);
    this.wallTimes = new Float64Array(initial);
    this.values = new Float64Array(initial);
    this.files = new Int32Array(initial);
  }

  /** Offer one point; returns its index. */
  offer(step: number, wallTime: number, value: number, raw: RawValue | undefined, file: number): number {
    let at: number;
    if (this.length < this.capacity || this.capacity === 0) {
      if (this.length === this.steps.length) this.grow();
      at = this.length++;
    } else {
      const r = this.random.randint(0, this.seen);
      if (r < this.capacity) {
        this.remove(r);
        at = this.length++;
      } else at = this.length - 1;
    }
    this.seen++;
    this.steps[at] = step;
    this.wallTimes[at] = wallTime;
    this.values[at] = value;
    this.files[at] = file;
    if (raw !== undefined || this.raws !== null) {
      this.raws ??= [];
      this.raws[at] = raw;
    }
    return at;
  }

  private grow(): void {
    const n = this.capacity === 0 ? this.steps.length * 2 : Math.min(this.capacity, this.steps.length * 4);
    const g = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.steps = g(this.steps, (k) => new Float64Array(k));
    this.wallTimes = g(this.wallTimes, (k) => new Float64Array(k));
    this.values = g(this.values, (k) => new Float64Array(k));
    this.files = g(this.files, (k) => new Int32Array(k));
  }

  private remove(i: number): void {
    const n = this.length;
    this.steps.copyWithin(i, i + 1, n);
    this.wallTimes.copyWithin(i, i + 1, n);
    this.values.copyWithin(i, i + 1, n);
    this.files.copyWithin(i, i + 1, n);
    this.raws?.splice(i, 1);
    this.length = n - 1;
  }

  /**
   * Keep only the points for which `keep(index)` holds (TensorBoard's `FilterItems`): `seen` is scaled by the share
   * kept, rounded half to even as Python's `round` does. Returns how many were dropped.
   */
  filter(keep: (i: number) => boolean): number {
    const before = this.length;
    let w = 0;
    for (let i = 0; i < before; i++) {
      if (!keep(i)) continue;
      if (w !== i) {
        this.steps[w] = this.steps[i];
        this.wallTimes[w] = this.wallTimes[i];
        this.values[w] = this.values[i];
        this.files[w] = this.files[i];
        if (this.raws) this.raws[w] = this.raws[i];
      }
      w++;
    }
    this.length = w;
    if (this.raws) this.raws.length = Math.min(this.raws.length, w);
    const share = before > 0 ? w / before : 0;
    this.seen = roundHalfEven(this.seen * share);
    return before - w;
  }

  /** Largest kept step, or -Infinity when empty. */
  maxStep(): number {
    let m = -Infinity;
    for (let i = 0; i < this.length; i++) if (this.steps[i] > m) m = this.steps[i];
    return m;
  }
}

/** Python's `round(x)` for non-negative x: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
