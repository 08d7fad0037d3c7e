import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { silentLogger, type Logger } from '@tbpipe/core';
import {
  BodyTooLargeError,
  CacheServerError,
  IncompleteBodyError,
  listenFailedMessage,
  tooLargeMessage,
} from './errors.ts';
import { openFileStore } from './file-store.ts';
import { HASH_PATTERN, type CacheStore } from './store.ts';

/** Options for {@link startCacheServer}. Give `dir` (a file-system store) or your own `store`. */
export interface CacheServerOptions {
  /** Directory of the file-system store; ignored when `store` is given. */
  dir?: string;
  /** A custom {@link CacheStore} (e.g. backed by an object store). */
  store?: CacheStore;
  /** TCP port; 0 (default) picks a free one, read it back from `url`. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. Bind `0.0.0.0` only behind TLS and with tokens. */
  host?: string;
  /**
   * Bearer token that may only download (GET). With no token configured at all the server is open; with any token
   * configured every request needs one. A read token used to upload gets 403, which Nx treats as "do not store".
   */
  readToken?: string;
  /** Bearer token that may download and upload. With tokens on but no `writeToken`, the server is read-only. */
  writeToken?: string;
  /** Largest artifact accepted, in bytes; larger uploads get 413. Default 2 GiB. */
  maxBytes?: number;
  /** A request (headers and body) must complete within this; default 30 minutes, room for big artifacts on slow links. */
  requestTimeoutMillis?: number;
  /** `close()` waits this long for requests in flight before cutting connections; default 10 s. */
  shutdownGraceMillis?: number;
  /** Request log (pino); silent by default. */
  logger?: Logger;
}

/** Every default of {@link startCacheServer} in one place. */
export const DEFAULT_CACHE_SERVER_OPTIONS = {
  port: 0,
  host: '127.0.0.1',
  maxBytes: 2 * 1024 ** 3,
  requestTimeoutMillis: 30 * 60 * 1000,
  shutdownGraceMillis: 10_000,
} as const;

/** A running server. */
export interface CacheServer {
  /** Base URL to put in `NX_SELF_HOSTED_REMOTE_CACHE_SERVER`, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Stop accepting connections, let requests in flight finish (up to `shutdownGraceMillis`), then resolve. */
  close(): Promise<void>;
}

/**
 * Serve Nx's self-hosted remote cache API (`PUT`/`GET /v1/cache/{hash}`, https://nx.dev/docs/kb/self-hosted-caching)
 * from a {@link CacheStore}. Bodies stream straight between socket and store; nothing is buffered whole.
 *
 * Status codes: GET 200 / 404; PUT 200 stored, 409 hash exists, 411 no `Content-Length`, 413 over `maxBytes`,
 * 400 body shorter than its `Content-Length`; both 400 for a malformed hash, 401 missing or unknown token (text/plain),
 * 403 read token on PUT or no write token configured; 405 other methods.
 *
 * @example
 * const server = await startCacheServer({ dir: '/var/cache/tbpipe-nx', writeToken: process.env.TOKEN });
 * // NX_SELF_HOSTED_REMOTE_CACHE_SERVER=server.url NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=… nx run-many -t train
 * await server.close();
 */
export async function startCacheServer(options: CacheServerOptions): Promise<CacheServer> {
  const settings = { ...DEFAULT_CACHE_SERVER_OPTIONS, ...withoutUndefined(options) };
  if (!options.store && !options.dir) {
    throw new CacheServerError('CACHE_NO_STORE', 'cache-server: neither dir nor store given, expected one; pass --dir');
  }
  const store = options.store ?? (await openFileStore({ dir: options.dir as string }));
  const log = (options.logger ?? silentLogger).child({ service: 'cache-server' });
  const authorize = createAuthorizer(options.readToken, options.writeToken);
  let closing = false;

  const server = createServer(
    { requestTimeout: settings.requestTimeoutMillis, keepAliveTimeout: 5_000 },
    (req, res) => {
      const started = process.hrtime.bigint();
      const hash = matchHash(req.url ?? '');
      const remoteAddress = req.socket.remoteAddress;
      // A response that starts after close() must end its connection, or a keep-alive client would hold the server
      // open for keepAliveTimeout. Every response (res.end included) passes through writeHead.
      const writeHead = res.writeHead;
      res.writeHead = ((...args: Parameters<typeof writeHead>) => {
        if (closing && !res.headersSent) res.setHeader('Connection', 'close');
        return writeHead.apply(res, args);
      }) as typeof writeHead;
      res.on('close', () => {
        log.info(
          {
            method: req.method,
            hash,
            status: res.statusCode,
            bytes: Number(req.method === 'PUT' ? req.headers['content-length'] : res.getHeader('content-length')) || 0,
            completed: res.writableEnded,
            durationMillis: Number((process.hrtime.bigint() - started) / 1_000_000n),
            remoteAddress,
          },
          'request',
        );
      });
      handle(req, res, hash).catch((err: unknown) => {
        log.error({ err, hash }, 'request failed');
        if (!res.headersSent) sendText(res, 500, 'cache-server: internal error; see the server log');
        else res.destroy();
      });
    },
  );

  async function handle(req: IncomingMessage, res: ServerResponse, hash: string | undefined): Promise<void> {
    if (hash === undefined) return drainThen(req, () => sendText(res, 404, 'not found; the API is /v1/cache/{hash}'));
    if (!HASH_PATTERN.test(hash)) return drainThen(req, () => sendText(res, 400, `malformed hash ${JSON.stringify(hash)}`));
    if (req.method === 'GET' || req.method === 'HEAD') return handleGet(req, res, hash);
    if (req.method === 'PUT') return handlePut(req, res, hash);
    res.setHeader('Allow', 'GET, HEAD, PUT');
    return drainThen(req, () => sendText(res, 405, `method ${req.method} not allowed`));
  }

  async function handleGet(req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> {
    const verdict = authorize(req.headers.authorization, 'read');
    if (verdict !== 'ok') return drainThen(req, () => sendDenied(res, verdict));
    const entry = await store.get(hash);
    if (!entry) return sendText(res, 404, 'no artifact for this hash');
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/octet-stream');
    if (entry.sizeBytes !== undefined) res.setHeader('Content-Length', entry.sizeBytes);
    if (req.method === 'HEAD') {
      entry.body.destroy();
      res.end();
      return;
    }
    // A client that hangs up mid-download is normal; pipeline destroys the file stream either way.
    await pipeline(entry.body, res).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    });
  }

  async function handlePut(req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> {
    const verdict = authorize(req.headers.authorization, 'write');
    if (verdict !== 'ok') return drainThen(req, () => sendDenied(res, verdict));
    const declared = req.headers['content-length'];
    if (declared === undefined) {
      res.setHeader('Connection', 'close');
      return sendText(res, 411, 'Content-Length is required');
    }
    const sizeBytes = Number(declared);
    if (sizeBytes > settings.maxBytes) {
      // Do not read a body we already refuse; closing the connection is the only way to stop it.
      res.setHeader('Connection', 'close');
      return sendText(res, 413, tooLargeMessage(sizeBytes, settings.maxBytes));
    }

    const body = new ExactLength(sizeBytes, settings.maxBytes);
    // Errors of the socket side (client hung up) reach the store through `body` being destroyed.
    const feeding = pipeline(req, body).catch(() => {});
    let outcome;
    try {
      outcome = await store.put(hash, body, { sizeBytes });
    } catch (err) {
      await feeding;
      if (err instanceof IncompleteBodyError || err instanceof BodyTooLargeError || req.destroyed) {
        log.warn({ hash, err: (err as Error).message }, 'upload not stored');
        if (!res.headersSent && !res.destroyed) {
          res.setHeader('Connection', 'close');
          sendText(res, err instanceof BodyTooLargeError ? 413 : 400, (err as Error).message);
        }
        return;
      }
      throw err;
    }
    if (outcome === 'exists') {
      // Immutable entries (the spec's "Cannot override an existing record"); Nx treats 409 as "already shared".
      body.resume();
      await feeding;
      return sendText(res, 409, 'an artifact for this hash exists and is never replaced');
    }
    // N.B. the OpenAPI spec lists 202 for a successful upload, but Nx's client (http_remote_cache.rs, through at
    // least 24.x) accepts only 200 and reports anything else as "Misconfigured remote cache endpoint".
    sendText(res, 200, 'stored');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new CacheServerError('CACHE_LISTEN', listenFailedMessage(settings.host, settings.port, err.code ?? err.message), { cause: err })),
    );
    server.listen(settings.port, settings.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info({ url, maxBytes: settings.maxBytes, auth: Boolean(options.readToken || options.writeToken) }, 'listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const force = setTimeout(() => server.closeAllConnections(), settings.shutdownGraceMillis);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          log.info({ url }, 'closed');
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

type Verdict = 'ok' | 401 | 403;

/**
 * Token check in constant time (both sides hashed to equal length before `timingSafeEqual`), so response timing
 * leaks nothing about a token's prefix.
 */
function createAuthorizer(readToken?: string, writeToken?: string) {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const read = readToken ? digest(readToken) : undefined;
  const write = writeToken ? digest(writeToken) : undefined;
  return (header: string | undefined, access: 'read' | 'write'): Verdict => {
    if (!read && !write) return 'ok';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return 401;
    const presented = digest(match[1]);
    if (write && timingSafeEqual(presented, write)) return 'ok';
    if (read && timingSafeEqual(presented, read)) return access === 'read' ? 'ok' : 403;
    return 401;
  };
}

function sendDenied(res: ServerResponse, verdict: 401 | 403): void {
  if (verdict === 401) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    // Nx shows this text to the user; it must be exactly `text/plain` (no charset) or Nx reports a misconfigured server.
    sendText(res, 401, 'tbpipe cache server: missing or unknown token; set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN');
  } else {
    sendText(res, 403, 'tbpipe cache server: this token may only read');
  }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Answer without reading the body, then discard it so the keep-alive connection stays usable. */
function drainThen(req: IncomingMessage, respond: () => void): void {
  respond();
  req.resume();
}

/** `/v1/cache/{hash}`, tolerating a path prefix (reverse proxies) and doubled slashes (a trailing `/` in the env var). */
function matchHash(rawUrl: string): string | undefined {
  const path = rawUrl.split('?')[0].replace(/\/{2,}/g, '/');
  const match = /\/v1\/cache\/([^/]*)$/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/**
 * Passes bytes through and fails unless exactly `expectedBytes` arrive. Node's parser already stops at
 * `Content-Length`; what this adds is the other half, for stores that would otherwise commit a short body: a client
 * that dies mid-upload must not leave a truncated artifact that every later run downloads and fails to unpack.
 */
class ExactLength extends Transform {
  private receivedBytes = 0;

  constructor(
    private readonly expectedBytes: number,
    private readonly maxBytes: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.receivedBytes += chunk.length;
    if (this.receivedBytes > this.maxBytes) return callback(new BodyTooLargeError(this.receivedBytes, this.maxBytes));
    if (this.receivedBytes > this.expectedBytes) {
      return callback(new IncompleteBodyError(this.receivedBytes, this.expectedBytes));
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.receivedBytes !== this.expectedBytes) {
      return callback(new IncompleteBodyError(this.receivedBytes, this.expectedBytes));
    }
    callback();
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
