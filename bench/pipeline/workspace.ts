// A throwaway copy of the workspace for the benchmark, so its artifacts/, runs/ and .nx/ never touch the ones other
// people use in the repo. Sources are copied (HEAD by default, for a reproducible report); node_modules is a folder of
// symlinks into the repo's node_modules, except the workspace packages (@tbpipe/* and their .bin entries), which
// point at the copy: symlinking node_modules whole would make `@tbpipe/core` resolve to the repo's working tree.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where the copied sources come from: the commit `HEAD`, or the working tree's tracked files as they are now. */
export type WorkspaceSource = 'HEAD' | 'worktree';

export interface BenchWorkspace {
  /** the copy's root: every stage and nx command runs here */
  root: string;
  /** benchmark logs (stdout/stderr of every measured command) */
  logs: string;
  source: WorkspaceSource;
  commit: string;
  /** whether the repo's tracked files differed from HEAD when the copy was made */
  repoDirty: boolean;
}

function git(repo: string, args: string[]): string {
  const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Copy the repo at `repoRoot` into a new directory under the system temp dir.
 * @example
 * const ws = createWorkspace('/work/main', 'HEAD'); … ; removeWorkspace(ws);
 */
export function createWorkspace(repoRoot: string, source: WorkspaceSource): BenchWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'tbpipe-bench-'));
  const commit = git(repoRoot, ['rev-parse', 'HEAD']).trim();
  const repoDirty = git(repoRoot, ['status', '--porcelain', '--untracked-files=no']).trim() !== '';
  if (source === 'HEAD') {
    const tar = join(root, '.source.tar');
    git(repoRoot, ['archive', '--format=tar', '-o', tar, 'HEAD']);
    const r = spawnSync('tar', ['-xf', tar, '-C', root], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar -xf ${tar}: exit ${r.status}: ${r.stderr.trim()}`);
    rmSync(tar);
  } else {
    for (const file of git(repoRoot, ['ls-files', '-z']).split('\0').filter(Boolean)) {
      if (!existsSync(join(repoRoot, file))) continue; // deleted in the working tree
      mkdirSync(dirname(join(root, file)), { recursive: true });
      cpSync(join(repoRoot, file), join(root, file), { verbatimSymlinks: true });
    }
  }
  linkNodeModules(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  const logs = join(root, '.bench-logs');
  mkdirSync(logs);
  return { root, logs, source, commit, repoDirty };
}

/** Delete the copy (node_modules holds only symlinks, so the repo's packages are untouched). */
export function removeWorkspace(ws: BenchWorkspace): void {
  rmSync(ws.root, { recursive: true, force: true });
}

function linkNodeModules(from: string, to: string): void {
  if (!existsSync(from)) throw new Error(`workspace: no ${from}, expected installed packages; run npm ci first`);
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    if (entry === '@tbpipe' || entry === '.bin') {
      // Relative links (../../packages/x, ../@tbpipe/x/bin/…) resolve inside the copy when recreated as they are.
      mkdirSync(join(to, entry));
      for (const inner of readdirSync(src)) {
        const link = join(src, inner);
        if (lstatSync(link).isSymbolicLink()) symlinkSync(readlinkSync(link), join(to, entry, inner));
        else symlinkSync(link, join(to, entry, inner));
      }
    } else {
      symlinkSync(src, join(to, entry));
    }
  }
}

/**
 * Overwrite params of some stages in the copy's pipeline.json (for `--quick`); the repo's file is not touched.
 * @param patch stage name → params to set, camelCase as in pipeline.json
 */
export function patchPipelineParams(ws: BenchWorkspace, pipelineFile: string, patch: Record<string, Record<string, string | number | boolean>>): void {
  const path = join(ws.root, pipelineFile);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  for (const [stage, params] of Object.entries(patch)) {
    if (!json.stages?.[stage]) throw new Error(`${pipelineFile}: no stage "${stage}" to patch, expected one of ${Object.keys(json.stages ?? {}).join(', ')}`);
    json.stages[stage].params = { ...json.stages[stage].params, ...params };
  }
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}

/** Remove the copy's artifacts/ and runs/ so the next run starts from nothing (the Nx cache stays). */
export function cleanOutputs(ws: BenchWorkspace): void {
  rmSync(join(ws.root, 'artifacts'), { recursive: true, force: true });
  rmSync(join(ws.root, 'runs'), { recursive: true, force: true });
}
