export { startCacheServer, DEFAULT_CACHE_SERVER_OPTIONS } from './server.ts';
export type { CacheServer, CacheServerOptions } from './server.ts';
export { openFileStore, TEMP_DIR } from './file-store.ts';
export type { FileStoreOptions } from './file-store.ts';
export { HASH_PATTERN, assertValidHash } from './store.ts';
export type { CacheStore, CacheEntry, PutOutcome } from './store.ts';
export { CacheServerError, InvalidHashError, IncompleteBodyError, BodyTooLargeError } from './errors.ts';
