/**
 * Python's `int(text)` and `float(text)`, for parameters and files TensorBoard parses with them: surrounding
 * whitespace is allowed, digits may be grouped with single underscores, `float` takes `inf`, `infinity` and `nan`
 * in any case. JavaScript's `Number()` differs (it accepts '' and hex, rejects underscores), hence these.
 */

const INT = /^[+-]?\d(?:_?\d)*$/;
const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT = new RegExp(String.raw`^[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?)$`);
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** `int(text)` as a JS number, or undefined where Python raises ValueError. */
export function pythonInt(text: string): number | undefined {
  const t = text.trim();
  return INT.test(t) ? Number(t.replace(/_/g, '')) : undefined;
}

/** `float(text)`, or undefined where Python raises ValueError. */
export function pythonFloat(text: string): number | undefined {
  const t = text.trim();
  if (FLOAT.test(t)) return Number(t.includes('_') ? t.replace(/_/g, '') : t);
  const special = SPECIAL.exec(t);
  if (!special) return undefined;
  if (special[2].toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/**
 * `value` rounded to `precision` significant digits, ties to even on the exact binary value (how Python's `%g` and
 * `format()` round; JavaScript's `toPrecision` rounds ties up). Returns the rounded double.
 */
export function roundSignificant(value: number, precision: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  // 100 significant digits show every tie exactly: a tie needs an exact expansion only precision + 1 digits long.
  const [mant, exp] = Math.abs(value).toExponential(99).split('e');
  const digits = mant.replace('.', '');
  const head = digits.slice(0, precision);
  const rest = digits.slice(precision);
  const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head[head.length - 1]) % 2 === 1));
  const n = BigInt(head) + (up ? 1n : 0n);
  return (value < 0 ? -1 : 1) * Number(`${n}e${Number(exp) - (precision - 1)}`);
}

/** Python's `'%.<precision>g' % value` for finite values (`nan`, `inf`, `-inf` otherwise). */
export function pythonFormatG(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const p = Math.max(precision, 1);
  const rounded = roundSignificant(value, p);
  if (rounded === 0) return Object.is(value, -0) || value < 0 ? '-0' : '0';
  const [mant, expText] = rounded.toExponential(p - 1).split('e');
  const exp = Number(expText);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= p) {
    return `${strip(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return strip(rounded.toFixed(Math.max(p - 1 - exp, 0)));
}
