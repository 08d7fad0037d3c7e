/**
 * The contract between the HTTP server (src/server.ts) and the route modules (src/routes/<plugin>.ts): a route is a
 * plain function of a parsed request and the context, returning a reply. The server owns sockets, prefixes
 * (`/experiment/defaultExperimentId/...`), static files, safety checks and error replies; route modules own the
 * shape of TensorBoard's answers (see test/fixtures/golden-http).
 */
import type { DataProvider } from '../store/provider.ts';

/** A parsed request, as a route sees it. */
export interface RouteRequest {
  method: 'GET' | 'POST';
  /** Path without the experiment prefix and without the query, e.g. `/data/plugin/scalars/scalars`. */
  path: string;
  query: URLSearchParams;
  /** Raw request body (empty for GET). */
  body: Uint8Array;
  /** Request Content-Type without parameters, lower-case ('' if none). */
  contentType: string;
  /** Fields of a `multipart/form-data` or `application/x-www-form-urlencoded` body (repeated fields as arrays). */
  form: Map<string, string[]>;
  /** `''` for `/data/...`, `'defaultExperimentId'` for `/experiment/defaultExperimentId/data/...` (blob keys differ). */
  experimentId: string;
}

/** A reply; `body` strings are sent as UTF-8. */
export interface RouteReply {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

/** What every route can use. */
export interface RouteContext {
  provider: DataProvider;
  /** Absolute logdir. */
  logdir: string;
  /** Effective samples-per-plugin flags (for /data/environment). */
  samplesPerPlugin: Record<string, number>;
  host: string;
  port: number;
  reloadIntervalSeconds: number;
  /** Log a one-line warning (e.g. a projector path outside the logdir). */
  warn(fields: object, message: string): void;
}

export type RouteHandler = (req: RouteRequest, ctx: RouteContext) => RouteReply | Promise<RouteReply>;

/** A plugin's routes, keyed by path relative to `/data/plugin/<plugin>` (e.g. `/scalars`, `/tags`). */
export interface PluginRoutes {
  plugin: string;
  routes: Readonly<Record<string, RouteHandler>>;
  /**
   * Optional: whether the plugin has something to show beyond the provider's `listPlugins()` (TensorBoard's
   * `is_active()`, e.g. the projector, whose data is files named by `projector_config.pbtxt`, not event records).
   */
  isActive?(ctx: RouteContext): boolean | Promise<boolean>;
}

/**
 * A 4xx reply TensorBoard-style; ours carry a one-line JSON message (`{"error": "..."}`) where TensorBoard sends
 * text/plain. Throw {@link BadRequest} from a route to produce one.
 */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 405 = 400,
  ) {
    super(message);
  }
}

/**
 * JSON as Python's `json.dumps` gives it to TensorBoard's frontends, where that matters: non-finite numbers become
 * the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (TensorBoard never writes bare NaN), and non-ASCII is `\uXXXX`.
 */
export function jsonReply(value: unknown, status = 200): RouteReply {
  const text = JSON.stringify(value, (_key, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v,
  );
  return { status, contentType: 'application/json', body: text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) };
}
