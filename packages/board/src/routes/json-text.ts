/**
 * JSON text for the big replies (scalar series), written directly instead of through `JSON.stringify` with a
 * replacer: the replacer is called once per value and dominated the time of a 1 000-point reply. Same text as
 * {@link jsonReply}: numbers as JavaScript's shortest round-trip form (what `JSON.stringify` writes), non-finite
 * numbers as TensorBoard's strings, non-ASCII as `\uXXXX`.
 */
import { pythonCompactJson } from './blob-key.ts';
import type { RouteReply } from './types.ts';

/** One number as TensorBoard's JSON writes it (`"NaN"`, `"Infinity"`, `"-Infinity"` for the non-finite). */
export function jsonNumber(x: number): string {
  if (Number.isFinite(x)) return String(x);
  return Number.isNaN(x) ? '"NaN"' : x > 0 ? '"Infinity"' : '"-Infinity"';
}

/** A string as JSON with every non-ASCII character escaped. */
export const jsonString = (s: string): string => pythonCompactJson(s);

/** A 200 reply of JSON text already written. */
export function jsonTextReply(text: string): RouteReply {
  return { status: 200, contentType: 'application/json', body: text };
}
