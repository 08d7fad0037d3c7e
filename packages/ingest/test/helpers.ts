import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { TestContext } from 'node:test';
import { IDX_FILES, IDX_ROLES, type IdxRole } from '../src/datasets.ts';
import type { IngestOptions } from '../src/ingest.ts';

/** The repo's small FashionMNIST fixture (300 train, 200 test images). */
export const FIXTURE_DIR = fileURLToPath(new URL('../../../test/fixtures/fashion-mnist-small/', import.meta.url));

/** The fixture's four files: as stored (`gz`) and decompressed (`idx`). */
export async function loadFixture(): Promise<Record<IdxRole, { gz: Buffer; idx: Buffer }>> {
  const out = {} as Record<IdxRole, { gz: Buffer; idx: Buffer }>;
  for (const role of IDX_ROLES) {
    const gz = await readFile(join(FIXTURE_DIR, `${IDX_FILES[role]}.gz`));
    out[role] = { gz, idx: gunzipSync(gz) };
  }
  return out;
}

/** A fresh temporary directory, removed after the test. */
export async function tempDir(t: TestContext, prefix = 'tbpipe-ingest-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Write a data directory: the fixture's files, with `replace` swapping in other IDX bytes (gzip'd unless `raw`)
 * and `omit` leaving files out. Returns `dir`.
 */
export async function writeDataDir(
  dir: string,
  options: { replace?: Partial<Record<IdxRole, Uint8Array>>; rawBytes?: Partial<Record<IdxRole, Uint8Array>>; raw?: boolean; omit?: IdxRole[] } = {},
): Promise<string> {
  const fixture = await loadFixture();
  await mkdir(dir, { recursive: true });
  for (const role of IDX_ROLES) {
    if (options.omit?.includes(role)) continue;
    const stored = options.rawBytes?.[role];
    if (stored) {
      // Exact file bytes, under the .gz name (what a damaged download looks like).
      await writeFile(join(dir, `${IDX_FILES[role]}.gz`), stored);
      continue;
    }
    const idx = options.replace?.[role] ?? fixture[role].idx;
    if (options.raw) await writeFile(join(dir, IDX_FILES[role]), idx);
    else await writeFile(join(dir, `${IDX_FILES[role]}.gz`), options.replace?.[role] ? gzipSync(idx) : fixture[role].gz);
  }
  return dir;
}

/** Options that keep a test away from the machine's data: no system dirs, no env, an empty cache, no download. */
export function isolated(cacheDir: string): Pick<IngestOptions, 'systemDirs' | 'env' | 'cacheDir' | 'offline'> {
  return { systemDirs: [], env: {}, cacheDir, offline: true };
}

/** Names in `dir`, recursively, or [] if it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true })).sort();
  } catch {
    return [];
  }
}
