import type { Readable } from 'node:stream';
import { InvalidHashError } from './errors.ts';

/** One stored cache artifact, as a store hands it back. */
export interface CacheEntry {
  /** The artifact bytes (Nx's gzipped tarball, opaque to the server). The caller consumes or destroys it. */
  body: Readable;
  /** Its length in bytes, when the store knows it up front; sent as `Content-Length`. */
  sizeBytes?: number;
}

/** What {@link CacheStore.put} did. */
export type PutOutcome = 'stored' | 'exists';

/**
 * Where the artifacts live. The server owns HTTP, tokens and size checks; a store only keeps bytes under a hash.
 * Implement this to back the server with an object store (see docs/remote-cache.md for a sketch).
 *
 * Contract:
 * - `put` must make an entry visible only after `body` has ended without error, and all at once: a reader never
 *   sees a partial artifact. The server errors `body` (destroys it) when the upload is cut short or too large.
 * - Entries are immutable: `put` of a hash that exists returns `'exists'` and leaves the entry alone (the server
 *   answers 409). It may return before consuming `body`; the server drains it.
 * - Two concurrent `put`s of one hash: exactly one stores, the other returns `'exists'` (or both store identical
 *   bytes, if the backend cannot tell; Nx hashes are content addresses of the task's inputs).
 * - `get` of a missing hash resolves to `undefined`.
 */
export interface CacheStore {
  get(hash: string): Promise<CacheEntry | undefined>;
  put(hash: string, body: Readable, options: { sizeBytes: number }): Promise<PutOutcome>;
}

/**
 * The hashes the server accepts. Nx 24 sends a decimal u64 string; the wider set leaves room for other clients
 * while keeping every hash a safe single path segment or object key (no `/`, `.`, `..`).
 */
export const HASH_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Throw {@link InvalidHashError} unless `hash` matches {@link HASH_PATTERN}; stores call this before touching a path. */
export function assertValidHash(hash: string): void {
  if (!HASH_PATTERN.test(hash)) throw new InvalidHashError(hash);
}
