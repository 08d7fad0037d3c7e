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
