import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_SUFFIX } from '@tbpipe/core';
import { EVENT_FILE_PREFIX } from './event-file-writer.ts';

/** What one writer (a pipeline stage) owns in a TensorBoard run directory. */
export interface OwnedRunFiles {
  /** Its event files end with this, e.g. `.train` (`stableEventFileName(suffix)`). */
  suffix: string;
  /** Other entries it owns outright, files or folders: a sub-run such as `hparams`, `projector_config.pbtxt`, `00000`. */
  names?: readonly string[];
}

/**
 * Delete what one writer left in `runDir` on an earlier run — its event files, the entries it owns and the debris of
 * their interrupted atomic writes (`.<name>.tmp-…`) — so a rerun replaces its points instead of adding to them.
 * Other writers' files stay: every stage of a pipeline shares one run directory. A missing `runDir` is not an error.
 * @returns the removed names, sorted.
 */
export async function removeRunFiles(runDir: string, owned: OwnedRunFiles): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(runDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const ownedNames = new Set(owned.names ?? []);
  const isOwn = (name: string) => (name.startsWith(EVENT_FILE_PREFIX) && name.endsWith(owned.suffix)) || ownedNames.has(name);
  const isDebris = (name: string) => {
    const at = name.indexOf(TEMP_SUFFIX);
    return name.startsWith('.') && at > 1 && isOwn(name.slice(1, at));
  };
  const removed = names.filter((n) => isOwn(n) || isDebris(n)).sort();
  await Promise.all(removed.map((n) => rm(join(runDir, n), { recursive: true, force: true })));
  return removed;
}
