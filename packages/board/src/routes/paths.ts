/**
 * The one check between a path someone else chose (a request parameter, a line of `projector_config.pbtxt`) and the
 * file system: every file the board reads on a route's behalf goes through {@link resolveInsideLogdir}.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Why a path was refused (for the one-line warning or error the caller writes). */
export type OutsideReason = 'outside' | 'missing';

/** The outcome of {@link resolveInsideLogdir}: the real path, or why there is none. */
export type ResolvedPath = { ok: true; path: string } | { ok: false; reason: OutsideReason };

/** True when `child` is `parent` or below it (both absolute, already normalised). */
export function isWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `candidate` (relative to `base`, which defaults to the logdir; absolute paths are taken as they are) and
 * follows every symbolic link; succeeds only when the real path exists and lies inside the real logdir.
 *
 * Checked twice on purpose: the lexical path first (`..` segments, absolute paths elsewhere are refused without
 * touching the disk), then the real path (a symbolic link inside the logdir that points out of it is refused).
 * Percent-decoding is the caller's job and happens once (URLSearchParams): a double-encoded `%252e%252e` arrives as
 * the literal name `%2e%2e`, which is then just a file name that does not exist.
 *
 * @example
 * const r = await resolveInsideLogdir(ctx.logdir, 'metadata.tsv', run.path);
 * if (!r.ok) ctx.warn({ file: 'metadata.tsv', reason: r.reason }, 'projector: path refused');
 */
export async function resolveInsideLogdir(logdir: string, candidate: string, base: string = logdir): Promise<ResolvedPath> {
  if (candidate.includes('\0')) return { ok: false, reason: 'outside' };
  const root = resolve(logdir);
  const lexical = resolve(base, candidate);
  if (!isWithin(root, lexical)) return { ok: false, reason: 'outside' };
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(lexical);
  } catch {
    return { ok: false, reason: 'missing' };
  }
  if (!isWithin(realRoot, real)) return { ok: false, reason: 'outside' };
  return { ok: true, path: real };
}
