/**
 * Python's `repr(float)` / `str(float)` (CPython ≥ 3.1): the shortest digits that round-trip, in fixed notation when
 * the decimal exponent is in [-4, 16), scientific otherwise; integral values keep a trailing `.0`.
 * JavaScript's `Number#toExponential()` without an argument yields the same shortest round-trip digits, so only the
 * layout differs. Examples: `0.1 → '0.1'`, `1 → '1.0'`, `1e16 → '1e+16'`, `1e-5 → '1e-05'`, `NaN → 'nan'`.
 */
export function pythonFloatRepr(x: number): string {
  // Where both write plain decimals (Python for exponents -4…15, JavaScript for 1e-6 ≤ |x| < 1e21) they write the
  // same shortest round-trip digits, so String(x) is Python's repr but for the '.0' Python puts after an integral
  // value: ~3× faster than the general path below, which the projector's tensors.tsv (hundreds of thousands of
  // numbers) spends most of its time in. Same output: test/encoders.test.ts compares the two on random values.
  const a = x < 0 ? -x : x;
  if (a >= 1e-4 && a < 1e16) {
    const s = String(x);
    return Number.isInteger(x) ? `${s}.0` : s;
  }
  return pythonFloatReprGeneral(x);
}

/** {@link pythonFloatRepr} through the exponential form, for every value (exported for the test of the fast path). */
export function pythonFloatReprGeneral(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * Python's `str()` of a metadata cell as torch's `make_tsv` sees it: strings as is, integral numbers as Python ints
 * (`3`, not `3.0` — a JS number cannot say whether it was an int; labels almost always are), other numbers via
 * {@link pythonFloatRepr}, booleans as `True`/`False`.
 */
export function pythonStr(value: string | number | boolean | bigint): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (Number.isInteger(value) && !Object.is(value, -0)) return value.toString().includes('e') ? BigInt(value).toString() : value.toString();
  return pythonFloatRepr(value);
}
