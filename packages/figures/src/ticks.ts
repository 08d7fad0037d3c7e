/**
 * Tick positions for an axis from `lo` to `hi`: multiples of 1, 2, 2.5 or 5 × 10^k (matplotlib's MaxNLocator
 * steps), the smallest step giving at most `maxTicks` ticks inside [lo, hi]. `lo === hi` gives one tick.
 */
export function niceTicks(lo: number, hi: number, maxTicks = 7): { values: number[]; step: number } {
  if (!(hi > lo)) return { values: [lo], step: 0 };
  const raw = (hi - lo) / Math.max(1, maxTicks - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = 10 * mag;
  for (const m of [1, 2, 2.5, 5, 10]) {
    const s = m * mag;
    if (Math.floor(hi / s + 1e-9) - Math.ceil(lo / s - 1e-9) + 1 <= maxTicks) {
      step = s;
      break;
    }
  }
  const values: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k <= Math.floor(hi / step + 1e-9); k++) {
    // Round away float noise (0.30000000000000004) so labels and positions are stable.
    values.push(Number((k * step).toPrecision(12)));
  }
  return { values, step };
}

/** A tick label with as many decimals as the step needs (0.25 steps → 2 decimals); `-0` prints as `0`. */
export function formatTick(value: number, step: number): string {
  if (step === 0) return String(Number(value.toPrecision(6))).replace('-', '\u2212');
  let decimals = 0;
  if (step > 0 && step < 1) {
    decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    if (Math.abs(Number(step.toFixed(decimals)) - step) > step * 1e-6) decimals += 1;
  } else if (step % 1 !== 0) {
    decimals = 1;
  }
  const s = value.toFixed(decimals);
  return Number(s) === 0 ? (0).toFixed(decimals) : s.replace('-', '\u2212');
}
