/**
 * The Time Series dashboard's routes (TensorBoard's `metrics` plugin, served as `timeseries`): `/tags`,
 * `/timeSeries` (a JSON list of series requests in a form field, POST or GET) and `/imageData`.
 */
import type { RunTagMap, TimeSeriesInfo } from '../store/provider.ts';
import { encodeBlobKey } from './blob-key.ts';
import { jsonNumber, jsonString, jsonTextReply } from './json-text.ts';
import { readBlobByKey } from './blobs.ts';
import { markdownToSafeHtml } from './markdown.ts';
import { comparePython, imageMimeType, requireParam } from './params.ts';
import { downsampleFor } from './sampling.ts';
import { BadRequest, jsonReply, type PluginRoutes, type RouteContext, type RouteRequest } from './types.ts';

/** Request-time defaults of the Time Series routes (scalars, histograms, images). */
const DEFAULTS = { scalars: 1000, histograms: 51, images: 10 } as const;

/** tag → description HTML; a tag with different descriptions across runs gets them all, each headed by its runs. */
function tagDescriptions(mapping: RunTagMap<TimeSeriesInfo>): Record<string, string> {
  const tagToDescriptions = new Map<string, Set<string>>();
  const descriptionToRuns = new Map<string, Set<string>>();
  for (const [run, tags] of mapping) {
    for (const [tag, info] of tags) {
      if (!info.description) continue;
      if (!tagToDescriptions.has(tag)) tagToDescriptions.set(tag, new Set());
      tagToDescriptions.get(tag)?.add(info.description);
      if (!descriptionToRuns.has(info.description)) descriptionToRuns.set(info.description, new Set());
      descriptionToRuns.get(info.description)?.add(run);
    }
  }
  const result: Record<string, string> = {};
  for (const [tag, set] of tagToDescriptions) {
    const descriptions = [...set].sort(comparePython);
    let text = descriptions[0];
    if (descriptions.length > 1) {
      const parts = descriptions.map((d) => {
        const runs = [...(descriptionToRuns.get(d) ?? [])].sort(comparePython);
        return `## For ${runs.length > 1 ? 'runs' : 'run'}: ${runs.join(', ')}\n${d}`;
      });
      text = `# Multiple descriptions\n${parts.join('\n')}`;
    }
    result[tag] = markdownToSafeHtml(text);
  }
  return result;
}

function runTagInfo(mapping: RunTagMap<TimeSeriesInfo>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [run, tags] of mapping) result[run] = [...tags.keys()].sort(comparePython);
  return result;
}

/** JSON text to splice into a reply unchanged. */
class JsonText {
  constructor(readonly text: string) {}
}

/** A reply's JSON, where {@link JsonText} values are spliced in as they are. */
function toJson(value: unknown): string {
  if (value instanceof JsonText) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${jsonString(k)}:${toJson(v)}`)
      .join(',')}}`;
  }
  if (typeof value === 'number') return jsonNumber(value);
  return value === undefined ? 'null' : jsonString(value as string);
}

interface SeriesRequest {
  plugin?: unknown;
  tag?: unknown;
  run?: unknown;
  sample?: unknown;
}

function seriesFor(request: SeriesRequest, req: RouteRequest, ctx: RouteContext): Record<string, unknown> {
  const { plugin, tag, run, sample } = request;
  const response: Record<string, unknown> = { plugin: plugin ?? null, tag: tag ?? null };
  if (typeof run === 'string') response.run = run;
  if (Number.isInteger(sample)) response.sample = sample;
  let error: string | undefined;
  if (typeof tag !== 'string') error = 'Missing tag';
  else if (plugin !== 'scalars' && plugin !== 'histograms' && plugin !== 'images') error = 'Invalid plugin';
  else if (plugin !== 'scalars' && typeof run !== 'string') error = 'Missing run';
  else if (plugin === 'images' && !Number.isInteger(sample)) error = 'Missing sample';
  if (error) return { ...response, error };
  const filter = { runs: typeof run === 'string' && run !== '' ? [run] : undefined, tags: [tag as string] };
  const runToSeries: Record<string, unknown[]> = {};
  if (plugin === 'scalars') {
    // The big case: written as JSON text directly (see json-text.ts); spliced in by the route.
    const parts: string[] = [];
    for (const [r, byTag] of ctx.provider.readScalars('scalars', downsampleFor(ctx, 'scalars', DEFAULTS.scalars), filter)) {
      const c = byTag.get(tag as string);
      if (!c) continue;
      const points: string[] = new Array(c.steps.length);
      for (let i = 0; i < points.length; i++) {
        points[i] = `{"wallTime":${jsonNumber(c.wallTimes[i])},"step":${jsonNumber(c.steps[i])},"value":${jsonNumber(c.values[i])}}`;
      }
      parts.push(`${jsonString(r)}:[${points.join(',')}]`);
    }
    return { ...response, runToSeries: new JsonText(`{${parts.join(',')}}`) };
  } else if (plugin === 'histograms') {
    for (const [r, byTag] of ctx.provider.readTensors('histograms', downsampleFor(ctx, 'histograms', DEFAULTS.histograms), filter)) {
      const data = byTag.get(tag as string);
      if (!data) continue;
      runToSeries[r] = data.map((d) => {
        const n = d.value.numbers ?? new Float64Array(0);
        const bins = [];
        for (let i = 0; i + 2 < n.length; i += 3) bins.push({ min: n[i], max: n[i + 1], count: n[i + 2] });
        return { wallTime: d.wallTime, step: d.step, bins };
      });
    }
  } else {
    const index = (sample as number) + 2;
    for (const [r, byTag] of ctx.provider.readBlobSequences('images', downsampleFor(ctx, 'images', DEFAULTS.images), filter)) {
      const data = byTag.get(tag as string);
      if (!data) continue;
      const series = data
        .filter((d) => d.blobKeys.length > index)
        .map((d) => ({
          step: d.step,
          wallTime: d.wallTime,
          imageId: encodeBlobKey({ experimentId: req.experimentId, plugin: 'images', run: r, tag: tag as string, step: d.step, index }),
        }));
      if (series.length > 0) runToSeries[r] = series;
    }
  }
  return { ...response, runToSeries };
}

export const timeseriesRoutes: PluginRoutes = {
  plugin: 'timeseries',
  routes: {
    '/tags': (_req, ctx) => {
      const scalars = ctx.provider.listScalars('scalars');
      const histograms = ctx.provider.listTensors('histograms');
      const images = ctx.provider.listBlobSequences('images');
      const tagRunSampledInfo: Record<string, Record<string, { maxSamplesPerStep: number }>> = {};
      for (const [run, tags] of images) {
        for (const [tag, info] of tags) (tagRunSampledInfo[tag] ??= {})[run] = { maxSamplesPerStep: info.maxLength - 2 };
      }
      return jsonReply({
        scalars: { runTagInfo: runTagInfo(scalars), tagDescriptions: tagDescriptions(scalars) },
        histograms: { runTagInfo: runTagInfo(histograms), tagDescriptions: tagDescriptions(histograms) },
        images: { tagDescriptions: tagDescriptions(images), tagRunSampledInfo },
      });
    },
    '/timeSeries': (req, ctx) => {
      const text = req.method === 'POST' ? req.form.get('requests')?.[0] : req.query.get('requests');
      if (!text) throw new BadRequest("missing 'requests' field, expected a JSON list of series requests");
      let requests: unknown;
      try {
        requests = JSON.parse(text);
      } catch {
        throw new BadRequest("'requests' is not JSON, expected a JSON list of series requests");
      }
      if (!Array.isArray(requests)) throw new BadRequest("'requests' is not a list, expected a JSON list of series requests");
      return jsonTextReply(toJson(requests.map((r) => seriesFor((r ?? {}) as SeriesRequest, req, ctx))));
    },
    '/imageData': (req, ctx) => {
      const bytes = readBlobByKey(ctx, requireParam(req, 'imageId'), ['images']);
      return { status: 200, contentType: imageMimeType(bytes), body: bytes };
    },
  },
};
