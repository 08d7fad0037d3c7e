/** The images plugin: `/tags`, `/images` (a listing with blob keys) and `/individualImage`, as TensorBoard 2.20. */
import { encodeBlobKey } from './blob-key.ts';
import { readBlobByKey } from './blobs.ts';
import { describe } from './markdown.ts';
import { imageMimeType, intParam, requireParam } from './params.ts';
import { downsampleFor } from './sampling.ts';
import { BadRequest, jsonReply, type PluginRoutes, type RouteContext, type RouteRequest } from './types.ts';

/**
 * Tags of a blob-sequence plugin with `samples`: the longest sequence less `header` leading elements (images store
 * width and height first, audio nothing).
 */
export function blobTags(ctx: RouteContext, plugin: string, header: number): Record<string, Record<string, object>> {
  const result: Record<string, Record<string, object>> = {};
  for (const [run, tags] of ctx.provider.listBlobSequences(plugin)) {
    const entry: Record<string, object> = (result[run] = {});
    for (const [tag, info] of tags) {
      entry[tag] = { displayName: info.displayName, description: describe(info.description), samples: info.maxLength - header };
    }
  }
  return result;
}

/**
 * `[{wall_time, step, query}]` for one run/tag/sample of a blob-sequence plugin (element `header + sample` of each
 * kept sequence that has it); 404 for an unknown run or tag.
 */
export function blobListing(req: RouteRequest, ctx: RouteContext, plugin: string, header: number, fallback: number, what: string) {
  const run = requireParam(req, 'run');
  const tag = requireParam(req, 'tag');
  const sample = intParam(req, 'sample', 0);
  const series = ctx.provider
    .readBlobSequences(plugin, downsampleFor(ctx, plugin, fallback), { runs: [run], tags: [tag] })
    .get(run)
    ?.get(tag);
  if (!series) throw new BadRequest(`no ${what} data for run=${JSON.stringify(run)}, tag=${JSON.stringify(tag)}`, 404);
  return series
    .filter((d) => d.blobKeys.length - header > sample)
    .map((d) => ({
      wall_time: d.wallTime,
      step: d.step,
      query: `blob_key=${encodeBlobKey({ experimentId: req.experimentId, plugin, run, tag, step: d.step, index: sample + header })}`,
    }));
}

export const imagesRoutes: PluginRoutes = {
  plugin: 'images',
  routes: {
    '/tags': (_req, ctx) => jsonReply(blobTags(ctx, 'images', 2)),
    '/images': (req, ctx) => jsonReply(blobListing(req, ctx, 'images', 2, 10, 'image')),
    '/individualImage': (req, ctx) => {
      const bytes = readBlobByKey(ctx, requireParam(req, 'blob_key'), ['images']);
      return { status: 200, contentType: imageMimeType(bytes), body: bytes };
    },
  },
};

/** Audio MIME type by magic bytes (TensorBoard's audio plugin stores the encoding in metadata; WAV is what writers use). */
function audioMimeType(bytes: Uint8Array): string {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav';
  return 'application/octet-stream';
}

/** The audio plugin, listed and served like images (`/tags`, `/audio`, `/individualAudio`). */
export const audioRoutes: PluginRoutes = {
  plugin: 'audio',
  routes: {
    '/tags': (_req, ctx) => jsonReply(blobTags(ctx, 'audio', 0)),
    '/audio': (req, ctx) =>
      jsonReply(
        blobListing(req, ctx, 'audio', 0, 10, 'audio').map((d) => ({
          wall_time: d.wall_time,
          label: '',
          step: d.step,
          contentType: 'audio/wav',
          query: `${d.query}&content_type=audio%2Fwav`,
        })),
      ),
    '/individualAudio': (req, ctx) => {
      const bytes = readBlobByKey(ctx, requireParam(req, 'blob_key'), ['audio']);
      return { status: 200, contentType: audioMimeType(bytes), body: bytes };
    },
  },
};
