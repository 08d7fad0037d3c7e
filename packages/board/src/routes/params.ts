/** Small request-parameter helpers shared by the route modules. */
import { BadRequest, type RouteRequest } from './types.ts';

/** The one value of a required query parameter; 400 when it is missing. */
export function requireParam(req: RouteRequest, name: string): string {
  const value = req.query.get(name);
  if (value === null) throw new BadRequest(`query parameter "${name}" is required`);
  return value;
}

/** A non-negative integer query parameter with a default; 400 when it is not one. */
export function intParam(req: RouteRequest, name: string, fallback: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new BadRequest(`query parameter "${name}" is ${JSON.stringify(raw.slice(0, 40))}, expected an integer ≥ 0`);
  }
  return value;
}

/** Python's default string order (by code point), which `sorted()` uses; JS's default sort is by UTF-16 unit. */
export function comparePython(a: string, b: string): number {
  const aa = Array.from(a);
  const bb = Array.from(b);
  const n = Math.min(aa.length, bb.length);
  for (let i = 0; i < n; i++) {
    const d = (aa[i].codePointAt(0) as number) - (bb[i].codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return aa.length - bb.length;
}

/** The MIME type of an image by its magic bytes, as TensorBoard's `img_mime_type_detector` (PIL) names them. */
export function imageMimeType(bytes: Uint8Array): string {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x42, 0x4d)) return 'image/bmp';
  return 'application/octet-stream';
}
