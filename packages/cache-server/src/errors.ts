import { TbpipeError } from '@tbpipe/core';

/** The base error of the cache server; `code` is stable. */
export class CacheServerError extends TbpipeError {}

/** A store refused a hash that could escape its directory or is not what Nx sends. */
export class InvalidHashError extends CacheServerError {
  constructor(hash: string) {
    super('CACHE_BAD_HASH', invalidHashMessage(hash));
  }
}

/** The body ended before `Content-Length` bytes arrived, or went past it. */
export class IncompleteBodyError extends CacheServerError {
  constructor(receivedBytes: number, expectedBytes: number) {
    super('CACHE_INCOMPLETE_BODY', incompleteBodyMessage(receivedBytes, expectedBytes));
  }
}

/** The body is larger than the server's `maxBytes`. */
export class BodyTooLargeError extends CacheServerError {
  constructor(bytes: number, maxBytes: number) {
    super('CACHE_BODY_TOO_LARGE', tooLargeMessage(bytes, maxBytes));
  }
}

export function invalidHashMessage(hash: string): string {
  return `cache-server: hash ${JSON.stringify(hash.slice(0, 80))}, expected 1-128 characters of [A-Za-z0-9_-]; is the client an Nx remote cache?`;
}

export function incompleteBodyMessage(receivedBytes: number, expectedBytes: number): string {
  return `cache-server: body of ${receivedBytes} bytes, expected Content-Length ${expectedBytes}; the upload was cut short and is not stored`;
}

export function tooLargeMessage(bytes: number, maxBytes: number): string {
  return `cache-server: body of ${bytes} bytes, expected at most ${maxBytes} (maxBytes); raise --max-bytes or shrink the task's outputs`;
}

export function listenFailedMessage(host: string, port: number, reason: string): string {
  return `cache-server: cannot listen on ${host}:${port} (${reason}), expected a free port; pick another --port, or 0 for any`;
}
