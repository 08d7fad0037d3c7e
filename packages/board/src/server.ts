/**
 * The board's HTTP server: TensorBoard 2.20's data routes, our `/api/` routes and the browser app, over one loaded
 * logdir. node:http, not a framework: the routes are plain functions of a parsed request (src/routes/types.ts), the
 * server adds only parsing, the experiment prefix, error replies, Server-Sent Events and shutdown.
 */
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { silentLogger, TbpipeError, type Logger } from '@tbpipe/core';
import { openLogdir } from './load/index.ts';
import type { LogdirStore, ReloadReport } from './store/provider.ts';
import { buildUiAssets, type UiAsset } from './ui-assets.ts';
import { coreRoutes } from './routes/core.ts';
import { exportRoute } from './routes/export.ts';
import { BUILTIN_PLUGINS } from './routes/index.ts';
import { BadRequest, type PluginRoutes, type RouteContext, type RouteHandler, type RouteReply, type RouteRequest } from './routes/types.ts';

/** Options of {@link startBoard}; every default is in {@link DEFAULT_BOARD_OPTIONS}. */
export interface BoardOptions {
  /** The logdir to serve: a directory that exists. */
  logdir: string;
  /** Interface to bind; anything but a loopback address makes the logdir readable on the network (logged). */
  host?: string;
  /** TCP port; 0 picks any free port (the URL says which). */
  port?: number;
  /** Points kept per series, by plugin (`--samples-per-plugin`); 0 keeps every point. */
  samplesPerPlugin?: Record<string, number>;
  /** Seconds between reloads of the logdir; 0 disables the timer. */
  reloadIntervalSeconds?: number;
  /** pino logger; silent by default. */
  logger?: Logger;
  /** Milliseconds between SSE heartbeat comments on `/api/events`. */
  heartbeatMillis?: number;
  /** Serve this already-open store instead of opening `logdir` (tests; the caller keeps ownership). */
  store?: LogdirStore;
  /** Extra plugin route modules (tests, experiments); they win over built-in ones of the same name. */
  plugins?: readonly PluginRoutes[];
}

/** The defaults of {@link BoardOptions}. */
export const DEFAULT_BOARD_OPTIONS = {
  host: '127.0.0.1',
  port: 6006,
  reloadIntervalSeconds: 5,
  heartbeatMillis: 15_000,
} as const;

/** A running board. */
export interface Board {
  /** `http://host:port`, without a trailing slash. */
  url: string;
  /** The loaded logdir (call `reload()` to read appended data now). */
  store: LogdirStore;
  /** Stop listening, end event streams and open connections, close the logdir's files. Idempotent. */
  close(): Promise<void>;
}

/** Errors of the board a user can fix (bad logdir, port in use). */
export class BoardError extends TbpipeError {}

/** The largest request body accepted (the POST routes carry small forms and JSON). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

const logdirMessage = (logdir: string, seen: string) =>
  `board: logdir ${logdir} ${seen}, expected a directory; pass --logdir with the directory your writer logs to`;

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Serve TensorBoard's HTTP API over `logdir`.
 *
 * @example
 * const board = await startBoard({ logdir: 'runs', port: 0 });
 * console.log(board.url); // http://127.0.0.1:40123
 * await board.close();
 */
export async function startBoard(options: BoardOptions): Promise<Board> {
  const host = options.host ?? DEFAULT_BOARD_OPTIONS.host;
  const port = options.port ?? DEFAULT_BOARD_OPTIONS.port;
  const reloadIntervalSeconds = options.reloadIntervalSeconds ?? DEFAULT_BOARD_OPTIONS.reloadIntervalSeconds;
  const heartbeatMillis = options.heartbeatMillis ?? DEFAULT_BOARD_OPTIONS.heartbeatMillis;
  const samplesPerPlugin = { ...(options.samplesPerPlugin ?? {}) };
  const log = (options.logger ?? silentLogger).child({ service: 'board' });
  const logdir = resolve(options.logdir);

  const info = await stat(logdir).catch(() => undefined);
  if (!info) throw new BoardError('BOARD_LOGDIR', logdirMessage(logdir, 'does not exist'));
  if (!info.isDirectory()) throw new BoardError('BOARD_LOGDIR', logdirMessage(logdir, 'is not a directory'));

  const plugins = [...BUILTIN_PLUGINS, ...(options.plugins ?? [])];
  const pluginsByName = new Map(plugins.map((p) => [p.plugin, p]));
  const core = coreRoutes(plugins);
  const ownsStore = !options.store;
  const store =
    options.store ??
    (await openLogdir({ logdir, samplesPerPlugin, reloadIntervalSeconds, logger: log.child({ part: 'load' }) }));

  const ctx: RouteContext = {
    provider: store,
    logdir,
    samplesPerPlugin,
    host,
    port,
    reloadIntervalSeconds,
    warn: (fields, message) => log.warn(fields, message),
  };

  let assets: Promise<Map<string, UiAsset>> | undefined;
  const streams = new Set<ServerResponse>();
  let closing = false;

  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 60_000 }, (req, res) => {
    // Once closing, no connection is kept alive for another request.
    if (closing) res.setHeader('Connection', 'close');
    if (log.isLevelEnabled('debug')) {
      const started = performance.now();
      res.on('finish', () =>
        log.debug({ method: req.method, url: req.url, status: res.statusCode, millis: Math.round((performance.now() - started) * 10) / 10 }, 'request'),
      );
    }
    handle(req, res).catch((err: unknown) => {
      if (err instanceof BadRequest && !res.headersSent) return send(res, errorReply(err.status, err.message), false);
      log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) send(res, errorReply(500, 'internal error; see the server log'), req.method === 'HEAD');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      req.resume();
      res.setHeader('Allow', 'GET, HEAD, POST');
      return send(res, errorReply(405, `method ${method} is not allowed`), false);
    }
    const url = new URL(req.url ?? '/', 'http://board.invalid');
    let path = url.pathname;
    let experimentId = '';
    const prefixed = /^\/experiment\/([^/]+)(\/.*)$/.exec(path);
    if (prefixed) {
      experimentId = safeDecode(prefixed[1]);
      path = prefixed[2];
    }
    if (path === '/api/events' && method === 'GET') return openEventStream(req, res);

    let body: Uint8Array = new Uint8Array(0);
    if (method === 'POST') {
      const read = await readBody(req);
      if (read === 'too-large') {
        res.setHeader('Connection', 'close');
        return send(res, errorReply(413, `request body over ${MAX_BODY_BYTES} bytes`), false);
      }
      body = read;
    }
    const contentTypeHeader = req.headers['content-type'] ?? '';
    const request: RouteRequest = {
      method: method === 'POST' ? 'POST' : 'GET',
      path,
      query: url.searchParams,
      body,
      contentType: contentTypeHeader.split(';')[0].trim().toLowerCase(),
      form: await parseForm(contentTypeHeader, body),
      experimentId,
    };
    const handler = route(path, method);
    const reply = handler ? await run(handler, request) : await staticReply(path, method);
    send(res, reply, method === 'HEAD');
  }

  function route(path: string, method: string): RouteHandler | undefined {
    if (Object.hasOwn(core, path)) return core[path];
    if (path === '/api/export') return exportRoute;
    const match = /^\/data\/plugin\/([^/]+)(\/.*)$/.exec(path);
    if (match) {
      const plugin = pluginsByName.get(safeDecode(match[1]));
      const handler = plugin && Object.hasOwn(plugin.routes, match[2]) ? plugin.routes[match[2]] : undefined;
      return handler ?? (() => errorReply(404, `no route ${path}${plugin ? '' : `; unknown plugin ${JSON.stringify(match[1])}`}`));
    }
    if (path.startsWith('/data/') || path.startsWith('/api/')) return () => errorReply(404, `no route ${path}`);
    if (method === 'POST') return () => errorReply(405, `POST ${path} is not a route`);
    return undefined;
  }

  async function run(handler: RouteHandler, request: RouteRequest): Promise<RouteReply> {
    try {
      return await handler(request, ctx);
    } catch (err) {
      if (err instanceof BadRequest) return errorReply(err.status, err.message);
      throw err;
    }
  }

  async function staticReply(path: string, method: string): Promise<RouteReply> {
    if (method === 'POST') return errorReply(405, `POST ${path} is not a route`);
    assets ??= buildUiAssets().catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'browser app could not be built; serving the data API only');
      return new Map<string, UiAsset>();
    });
    // Only exact asset paths: nothing under `/` maps to the file system, so no path can escape.
    const asset = (await assets).get(path);
    if (asset) return { status: 200, contentType: asset.contentType, body: asset.body };
    if (path === '/' || path === '/index.html') {
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'tbpipe-board: the browser app is not available; the data API is under /data/\n' };
    }
    return errorReply(404, `no such page ${path}`);
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write('retry: 3000\n: connected\n\n');
    streams.add(res);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMillis);
    heartbeat.unref();
    const done = () => {
      clearInterval(heartbeat);
      streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
  }

  function broadcast(report: ReloadReport): void {
    if (streams.size === 0) return;
    let text = '';
    if (report.runsAdded.length > 0 || report.runsRemoved.length > 0) {
      text += `event: runs\ndata: ${JSON.stringify({ added: report.runsAdded, removed: report.runsRemoved })}\n\n`;
    }
    for (const c of report.changes) {
      text += `data: ${JSON.stringify({ run: c.run, plugin: c.plugin, tag: c.tag, lastStep: c.lastStep })}\n\n`;
    }
    if (text) for (const res of streams) res.write(text);
  }
  const unsubscribe = store.subscribe(broadcast);

  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (caught) {
    unsubscribe();
    if (ownsStore) await store.close();
    const err = caught as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      throw new BoardError('BOARD_PORT_IN_USE', `board: port ${port} on ${host} is in use, expected a free port; pass another --port (0 picks any free one)`, { cause: err });
    }
    throw new BoardError('BOARD_LISTEN', `board: cannot listen on ${host}:${port} (${err.code ?? err.message}), expected a local address; check --host and --port`, { cause: err });
  }
  const address = server.address() as AddressInfo;
  ctx.port = address.port;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  if (!isLoopback(host)) {
    log.warn({ host }, `listening on ${host}: anyone who can reach this address can read every file of the logdir`);
  }
  log.info({ url, logdir }, 'listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    store,
    close() {
      closed ??= (async () => {
        closing = true;
        unsubscribe();
        for (const res of streams) res.end();
        streams.clear();
        await new Promise<void>((done) => {
          const force = setTimeout(() => server.closeAllConnections(), 2_000);
          force.unref();
          server.close(() => {
            clearTimeout(force);
            done();
          });
          server.closeIdleConnections();
        });
        if (ownsStore) await store.close();
        log.info({ url }, 'closed');
      })();
      return closed;
    },
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A 4xx/5xx reply: a one-line JSON message. */
export function errorReply(status: number, message: string): RouteReply {
  return { status, contentType: 'application/json', body: `${JSON.stringify({ error: message.split('\n')[0] })}\n` };
}

function send(res: ServerResponse, reply: RouteReply, head: boolean): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  res.statusCode = reply.status;
  res.setHeader('Content-Type', reply.contentType);
  res.setHeader('Content-Length', body.byteLength);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.end(head ? undefined : body);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      return 'too-large';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Fields of a multipart or URL-encoded body (parsed by the platform's fetch `Request`); files are ignored. */
async function parseForm(contentType: string, body: Uint8Array): Promise<Map<string, string[]>> {
  const form = new Map<string, string[]>();
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type !== 'multipart/form-data' && type !== 'application/x-www-form-urlencoded') return form;
  let data: FormData;
  try {
    data = await new Request('http://board.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    throw new BadRequest(`the ${type} body could not be parsed`);
  }
  for (const [name, value] of data.entries()) {
    if (typeof value !== 'string') continue;
    const list = form.get(name);
    if (list) list.push(value);
    else form.set(name, [value]);
  }
  return form;
}
