/**
 * Run discovery, as TensorBoard's `io_wrapper.GetLogdirSubdirectories` + `IsSummaryEventsFile` do it: every directory
 * under the logdir (the logdir included) holding a file whose name contains `tfevents` is a run, named by its path
 * relative to the logdir with `/` separators, `.` for the logdir itself. Symbolic links to directories are not
 * followed (Python's `os.walk` default); a symbolic link to a file counts like the file.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** One run found by {@link scanLogdir}. */
export interface ScannedRun {
  name: string;
  path: string;
  /** Event file names in name order. */
  files: string[];
}

/** Walk `logdir`; runs in name order. */
export async function scanLogdir(logdir: string): Promise<ScannedRun[]> {
  const out: ScannedRun[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // vanished or unreadable: not a run (this cycle)
    }
    const files: string[] = [];
    const subdirs: string[] = [];
    for (const e of entries) {
      if (e.isDirectory()) subdirs.push(e.name);
      else if (e.name.includes('tfevents')) {
        if (e.isFile()) files.push(e.name);
        else if (e.isSymbolicLink()) {
          const st = await stat(join(dir, e.name)).catch(() => undefined);
          if (st?.isFile()) files.push(e.name);
        }
      }
    }
    if (files.length > 0) {
      const rel = relative(logdir, dir);
      out.push({ name: rel === '' ? '.' : rel.split(sep).join('/'), path: dir, files: files.sort(byCodePoint) });
    }
    for (const d of subdirs.sort(byCodePoint)) await walk(join(dir, d));
  };
  await walk(logdir);
  return out.sort((a, b) => byCodePoint(a.name, b.name));
}

/** Python's default string order (code points), not the locale's. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
