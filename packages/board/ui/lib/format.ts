/** Number and time formatting shared by the dashboards' axes and tooltips. */

/** A value for a tooltip or table: 4 significant digits, exponent form for very small or large magnitudes. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** An axis tick: compact (SI suffix for thousands and millions). */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a !== 0 && a < 1e-3) return v.toExponential(1);
  return String(+v.toPrecision(4));
}

/** Unit in which a duration range in seconds reads best, for relative-time axes. */
export function durationUnit(maxSeconds: number): { label: string; seconds: number } {
  if (maxSeconds >= 2 * 86400) return { label: 'days', seconds: 86400 };
  if (maxSeconds >= 2 * 3600) return { label: 'hours', seconds: 3600 };
  if (maxSeconds >= 120) return { label: 'minutes', seconds: 60 };
  return { label: 'seconds', seconds: 1 };
}

/** A duration in seconds as e.g. `1h 2m 3s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s < 60) return `${sign}${+s.toPrecision(3)}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.round(s % 60);
  return sign + (h ? `${h}h ` : '') + (h || m ? `${m}m ` : '') + `${sec}s`;
}

/** A wall time (seconds since the epoch) as local date and time. */
export function formatWallTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** TensorBoard's JSON writes non-finite floats as strings; turn them back into numbers. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(v);
}
