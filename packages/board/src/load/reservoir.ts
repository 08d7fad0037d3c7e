/**
 * TensorBoard's reservoir of one (run, tag) series (`reservoir._ReservoirBucket` with `always_keep_last`), as
 * columns. Offer n-th item (counting from 0) once full: `r = randint(0, n)` from the bucket's own
 * `random.Random(0)`; if `r < capacity` the item at r is dropped and the new one appended, else the new one replaces
 * the last. So the newest point is always kept, the order stays the order of arrival, and the kept set equals
 * TensorBoard's for the same records. Capacity 0 keeps everything.
 *
 * Points live in slots that never move; `order` lists the slots oldest first, so dropping the r-th point shifts one
 * Int32Array instead of every column.
 */
import type { RawValue } from './compat.ts';
import { PythonRandom } from './python-random.ts';

export class Reservoir {
  length = 0;
  /** Items offered so far (TensorBoard's `_num_items_seen`, rescaled by purges). */
  seen = 0;
  /** Slot of the i-th kept point, oldest first. */
  order: Int32Array;
  steps: Float64Array;
  wallTimes: Float64Array;
  /** Scalar values by slot (meaningless where `raws[slot]` holds a raw value). */
  values: Float64Array;
  /** Raw values of non-scalar points (or of scalar points that arrived before their metadata); null until needed. */
  raws: (RawValue | undefined)[] | null = null;
  /** Id of the file each point came from, to drop a replaced file's points. */
  files: Int32Array;
  /** File offset of the record of a point whose data CRC is still to be checked, else -1 (see run-loader.ts). */
  origins: Float64Array;
  private readonly random = new PythonRandom(0);

  constructor(readonly capacity: number) {
    const initial = capacity === 0 ? 64 : Math.min(capacity, 64);
    this.order = new Int32Array(initial);
    this.steps = new Float64Array(initial);
    this.wallTimes = new Float64Array(initial);
    this.values = new Float64Array(initial);
    this.files = new Int32Array(initial);
    this.origins = new Float64Array(initial);
  }

  /** Offer one point. */
  offer(step: number, wallTime: number, value: number, raw: RawValue | undefined, file: number, origin = -1): void {
    let slot: number;
    const n = this.length;
    if (n < this.capacity || this.capacity === 0) {
      if (n === this.order.length) this.grow();
      slot = n;
      this.order[n] = slot;
      this.length = n + 1;
    } else {
      const r = this.random.randint(0, this.seen);
      if (r < this.capacity) {
        slot = this.order[r];
        this.order.copyWithin(r, r + 1, n);
        this.order[n - 1] = slot;
      } else slot = this.order[n - 1];
    }
    this.seen++;
    this.steps[slot] = step;
    this.wallTimes[slot] = wallTime;
    this.values[slot] = value;
    this.files[slot] = file;
    this.origins[slot] = origin;
    if (raw !== undefined || this.raws !== null) {
      this.raws ??= [];
      this.raws[slot] = raw;
    }
  }

  private grow(): void {
    const n = this.capacity === 0 ? this.order.length * 2 : Math.min(this.capacity, this.order.length * 4);
    const g = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.order = g(this.order, (k) => new Int32Array(k));
    this.steps = g(this.steps, (k) => new Float64Array(k));
    this.wallTimes = g(this.wallTimes, (k) => new Float64Array(k));
    this.values = g(this.values, (k) => new Float64Array(k));
    this.files = g(this.files, (k) => new Int32Array(k));
    this.origins = g(this.origins, (k) => new Float64Array(k));
  }

  /**
   * Keep only the points whose slot passes `keep(slot)` (TensorBoard's `FilterItems`): `seen` is scaled by the share
   * kept, rounded half to even as Python's `round` does. Returns how many were dropped. Slots are compacted so that
   * the kept points occupy slots [0, length) in order again.
   */
  filter(keep: (slot: number) => boolean): number {
    const before = this.length;
    const kept: number[] = [];
    for (let i = 0; i < before; i++) if (keep(this.order[i])) kept.push(this.order[i]);
    if (kept.length < before) {
      const cols = [this.steps, this.wallTimes, this.values, this.origins].map((c) => Float64Array.from(kept, (s) => c[s]));
      const files = Int32Array.from(kept, (s) => this.files[s]);
      const raws = this.raws ? kept.map((s) => this.raws![s]) : null;
      [this.steps, this.wallTimes, this.values, this.origins] = cols.map((c) => {
        const out = new Float64Array(Math.max(this.order.length, 1));
        out.set(c);
        return out;
      });
      this.files = new Int32Array(this.order.length);
      this.files.set(files);
      this.raws = raws;
      for (let i = 0; i < kept.length; i++) this.order[i] = i;
      this.length = kept.length;
    }
    const share = before > 0 ? kept.length / before : 0;
    this.seen = roundHalfEven(this.seen * share);
    return before - kept.length;
  }

  /** Largest kept step, or -Infinity when empty. */
  maxStep(): number {
    let m = -Infinity;
    for (let i = 0; i < this.length; i++) if (this.steps[this.order[i]] > m) m = this.steps[this.order[i]];
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
