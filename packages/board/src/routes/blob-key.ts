/**
 * TensorBoard's blob keys for images (and audio): the `query` of `/data/plugin/images/images` and the `imageId` of
 * the Time Series routes. TensorBoard's multiplexer data provider makes them deterministic — URL-safe base64 without
 * padding of the compact, ASCII-escaped JSON `[experiment_id, plugin, run, tag, step, index]` — and scripts and
 * bookmarked URLs carry them, so ours are byte-identical. The provider's own blob keys stay internal.
 */
import { BadRequest } from './types.ts';

/** The parts of a blob key. `index` is the position in the blob sequence (images: sample + 2). */
export interface BlobRef {
  experimentId: string;
  plugin: string;
  run: string;
  tag: string;
  step: number;
  index: number;
}

/** JSON as Python's `json.dumps(..., separators=(",", ":"))` with `ensure_ascii`: every non-ASCII char as `\uXXXX`. */
export function pythonCompactJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Encodes a {@link BlobRef} the way TensorBoard 2.20 does. */
export function encodeBlobKey(ref: BlobRef): string {
  const json = pythonCompactJson([ref.experimentId, ref.plugin, ref.run, ref.tag, ref.step, ref.index]);
  return Buffer.from(json, 'ascii').toString('base64url');
}

/** Decodes a blob key; throws a 400 {@link BadRequest} for anything that is not one. */
export function decodeBlobKey(key: string): BlobRef {
  const bad = () => new BadRequest(`blob key ${JSON.stringify(key.slice(0, 80))} is not a TensorBoard blob key`);
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(key)) throw bad();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parts) || parts.length !== 6) throw bad();
  const [experimentId, plugin, run, tag, step, index] = parts as unknown[];
  if (
    typeof experimentId !== 'string' ||
    typeof plugin !== 'string' ||
    typeof run !== 'string' ||
    typeof tag !== 'string' ||
    typeof step !== 'number' ||
    !Number.isInteger(index as number)
  ) {
    throw bad();
  }
  return { experimentId, plugin, run, tag, step, index: index as number };
}
