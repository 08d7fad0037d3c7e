import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { ContractError } from './errors.ts';

/** File name of every stage's manifest, written last so its presence means the stage finished. */
export const MANIFEST_FILE = 'manifest.json';

/** One artifact listed in a manifest. */
export interface ManifestEntry {
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
  bytes: number;
}

/**
 * What a stage's output directory holds. Deliberately free of timestamps and durations: identical inputs must give
 * a byte-identical manifest so that Nx stops a rerun at a stage whose output did not change.
 */
export interface Manifest {
  /** The stage's output contract id, e.g. `tbpipe.ingest/v1`. */
  contract: string;
  /** Paths relative to the directory, sorted, with their hashes. */
  files: Record<string, ManifestEntry>;
  /** Stage-specific facts (row counts, class names, source hashes); must be deterministic. */
  info?: Record<string, unknown>;
}

/** Read size of {@link hashFile}: 1 MiB chunks cost a third of the CPU of the default 64 KiB (per-chunk overhead). */
const HASH_CHUNK_BYTES = 1 << 20;

/** sha256 of a file, streamed (constant memory). */
export async function hashFile(path: string): Promise<ManifestEntry> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: HASH_CHUNK_BYTES })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Hash `files` (relative to `dir`) and write `dir/manifest.json` atomically. Call it after every other file. */
export async function writeManifest(
  dir: string,
  contract: string,
  files: readonly string[],
  info?: Record<string, unknown>,
): Promise<Manifest> {
  const entries: Record<string, ManifestEntry> = {};
  for (const f of [...files].sort()) entries[f] = await hashFile(join(dir, f));
  const manifest: Manifest = { contract, files: entries, ...(info ? { info } : {}) };
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

const rebuild = (dir: string) => `rerun the stage that writes ${dir} (or the whole pipeline: npx nx run pipeline:all)`;

/** Read `dir/manifest.json` and check its contract id, without hashing the files. */
export async function readManifest(dir: string, contract: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as Manifest;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ContractError('MANIFEST_MISSING', `contract: cannot read ${path} (${why}), expected a ${contract} manifest; ${rebuild(dir)}.`, {
      cause: err,
    });
  }
  if (manifest.contract !== contract) {
    throw new ContractError(
      'CONTRACT_MISMATCH',
      `contract: ${path} declares ${JSON.stringify(manifest.contract)}, expected ${contract}; ${rebuild(dir)} with this version of tbpipe.`,
    );
  }
  return manifest;
}

/**
 * Check an upstream directory before reading it: contract id, and every listed file present with its recorded
 * sha256. Names the first bad file and how to rebuild it.
 */
export async function verifyManifest(dir: string, contract: string): Promise<Manifest> {
  const manifest = await readManifest(dir, contract);
  for (const [name, want] of Object.entries(manifest.files)) {
    const path = join(dir, name);
    let got: ManifestEntry;
    try {
      got = await hashFile(path);
    } catch (err) {
      throw new ContractError('ARTIFACT_MISSING', `contract: ${path} is missing, expected by ${join(dir, MANIFEST_FILE)}; ${rebuild(dir)}.`, {
        cause: err,
      });
    }
    if (got.sha256 !== want.sha256 || got.bytes !== want.bytes) {
      throw new ContractError(
        'ARTIFACT_TAMPERED',
        `contract: ${path} has sha256 ${got.sha256.slice(0, 12)}… (${got.bytes} bytes), expected ${want.sha256.slice(0, 12)}… (${want.bytes} bytes) from its manifest; the file was changed or truncated after it was written — ${rebuild(dir)}.`,
      );
    }
  }
  return manifest;
}
