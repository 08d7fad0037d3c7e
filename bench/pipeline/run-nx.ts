// The whole pipeline through Nx in the workspace copy: `npx nx run pipeline:all`, as a user types it (npx included).
import { join } from 'node:path';
import { measureCommand, type Measurement } from './measure-rss.ts';
import type { BenchWorkspace } from './workspace.ts';

export interface NxRun {
  kind: 'cold' | 'warm-up' | 'cached';
  round: number;
  argv: string[];
  measurement: Measurement;
  /** stage tasks Nx took from its cache, and how many tasks could have been (from Nx's summary line) */
  cacheHits: number | null;
  cacheableTasks: number | null;
  /** stage project → the cache note Nx printed after it (`local cache`, `existing outputs match the cache, left as is`) */
  taskNotes: Record<string, string>;
}

/** Nx's argv for a run of the pipeline target; `skipCache` adds `--skip-nx-cache` (which neither reads nor writes the cache). */
export function nxArgv(target: string, skipCache: boolean): string[] {
  return ['npx', 'nx', 'run', target, ...(skipCache ? ['--skip-nx-cache'] : [])];
}

/**
 * Run the pipeline target once and measure it; throws, pointing at the log, if Nx fails.
 * @example
 * const cold = await runNx(ws, 'pipeline:all', 'cold', 1, process.env);
 */
export async function runNx(ws: BenchWorkspace, target: string, kind: NxRun['kind'], round: number, env: NodeJS.ProcessEnv): Promise<NxRun> {
  const argv = nxArgv(target, kind === 'cold');
  const logPrefix = join(ws.logs, `round${round}-nx-${kind}`);
  const measurement = await measureCommand(argv, { cwd: ws.root, env, logPrefix });
  if (measurement.exitCode !== 0) {
    throw new Error(`\`${argv.join(' ')}\` exited ${measurement.exitCode} in ${ws.root}, expected 0; see ${logPrefix}.out and .err`);
  }
  return { kind, round, argv, measurement, ...parseNxSummary(measurement.stdout) };
}

/** The cache facts in Nx 24's run output. */
export function parseNxSummary(stdout: string): Pick<NxRun, 'cacheHits' | 'cacheableTasks' | 'taskNotes'> {
  const taskNotes: Record<string, string> = {};
  for (const m of stdout.matchAll(/nx run ([\w.-]+):[\w-]+ {2}\[([^\]]+)\]/g)) taskNotes[m[1]] = m[2];
  const hits = /instead of running the command for (\d+) out of (\d+) tasks/.exec(stdout);
  const ran = /Successfully ran target \S+ for project \S+ and (\d+) tasks? it depends on/.exec(stdout);
  return {
    cacheHits: hits ? Number(hits[1]) : ran ? 0 : null,
    cacheableTasks: hits ? Number(hits[2]) : ran ? Number(ran[1]) + 1 : null,
    taskNotes,
  };
}
