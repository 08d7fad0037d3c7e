/** Blob sequences (images, audio) addressed by TensorBoard's blob keys. */
import { ALL_POINTS } from './sampling.ts';
import { decodeBlobKey } from './blob-key.ts';
import { BadRequest, type RouteContext } from './types.ts';

/**
 * The bytes a TensorBoard blob key names: the kept point of (plugin, run, tag) at `step`, element `index` of its
 * sequence. 404 when that point is not (or no longer) kept; 400 when the key is not a blob key.
 */
export function readBlobByKey(ctx: RouteContext, key: string, plugins: readonly string[]): Uint8Array {
  const ref = decodeBlobKey(key);
  if (!plugins.includes(ref.plugin)) throw new BadRequest(`blob key names plugin ${JSON.stringify(ref.plugin)}, expected ${plugins.join(' or ')}`);
  const series = ctx.provider.readBlobSequences(ref.plugin, ALL_POINTS, { runs: [ref.run], tags: [ref.tag] }).get(ref.run)?.get(ref.tag);
  const datum = series?.find((d) => d.step === ref.step);
  const inner = datum?.blobKeys[ref.index];
  const bytes = inner === undefined ? undefined : ctx.provider.readBlob(inner);
  if (!bytes) {
    throw new BadRequest(
      `no blob for run=${JSON.stringify(ref.run)}, tag=${JSON.stringify(ref.tag)}, step=${ref.step}, index=${ref.index}; it may have been evicted by sampling`,
      404,
    );
  }
  return bytes;
}
