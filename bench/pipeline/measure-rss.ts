// Run one command and measure its wall time, CPU time and peak resident set size (RSS).
// Peak RSS comes from GNU time's `-v` report (the kernel's ru_maxrss of the child and its waited-for descendants, i.e.
// the largest single process, not a sum); where /usr/bin/time is missing, from polling /proc/<pid>/status VmHWM of
// the process tree, which can miss a process that lives shorter than the poll interval.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

/** GNU time; Debian's package `time` installs it. */
export const GNU_TIME = '/usr/bin/time';

export interface MeasureOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** stdout goes to `<logPrefix>.out`, stderr to `<logPrefix>.err` */
  logPrefix: string;
  /** poll interval of the /proc fallback, ms (default 20) */
  pollMillis?: number;
  /** force the /proc fallback even where /usr/bin/time exists (default false) */
  forceProc?: boolean;
}

/** What one run of a command cost. Load averages are the 1-, 5- and 15-minute figures of /proc/loadavg. */
export interface Measurement {
  argv: string[];
  exitCode: number;
  wallSeconds: number;
  /** user + system CPU seconds of the process tree; null with the /proc fallback */
  cpuSeconds: number | null;
  peakRssBytes: number;
  rssSource: 'time -v' | '/proc';
  loadBefore: [number, number, number];
  loadAfter: [number, number, number];
  /** the command's stdout, as text */
  stdout: string;
  logPrefix: string;
}

const loads = (): [number, number, number] => loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number];

/**
 * Run `argv` to completion and measure it. Resolves whatever the exit code is; callers decide what a failure means.
 * @example
 * const m = await measureCommand(['node', 'x.mjs'], { cwd: '/tmp/ws', logPrefix: '/tmp/ws/logs/x' });
 */
export async function measureCommand(argv: string[], options: MeasureOptions): Promise<Measurement> {
  const useTime = !options.forceProc && existsSync(GNU_TIME);
  const timeFile = `${options.logPrefix}.time`;
  const command = useTime ? [GNU_TIME, '-v', '-o', timeFile, ...argv] : argv;
  const out = openSync(`${options.logPrefix}.out`, 'w');
  const err = openSync(`${options.logPrefix}.err`, 'w');
  const loadBefore = loads();
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', out, err] });
  let polledPeak = 0;
  const timer = useTime ? undefined : setInterval(() => {
    if (child.pid !== undefined) polledPeak = Math.max(polledPeak, peakOfTree(child.pid));
  }, options.pollMillis ?? 20);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => {
    if (timer) clearInterval(timer);
    closeSync(out);
    closeSync(err);
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const loadAfter = loads();
  const stdout = readFileSync(`${options.logPrefix}.out`, 'utf8');
  if (!useTime) {
    return { argv, exitCode, wallSeconds, cpuSeconds: null, peakRssBytes: polledPeak, rssSource: '/proc', loadBefore, loadAfter, stdout, logPrefix: options.logPrefix };
  }
  const report = parseTimeReport(readFileSync(timeFile, 'utf8'));
  rmSync(timeFile, { force: true });
  return {
    argv,
    // GNU time exits with the child's status, but reports a signal death only in its text.
    exitCode: report.exitStatus ?? exitCode,
    wallSeconds,
    cpuSeconds: report.userSeconds + report.systemSeconds,
    peakRssBytes: report.maxRssKib * 1024,
    rssSource: 'time -v',
    loadBefore,
    loadAfter,
    stdout,
    logPrefix: options.logPrefix,
  };
}

/** The fields of GNU time's `-v` report that the benchmark uses. */
export function parseTimeReport(text: string): { maxRssKib: number; userSeconds: number; systemSeconds: number; exitStatus: number | null } {
  const field = (label: string): string | undefined => {
    const line = text.split('\n').find((l) => l.trim().startsWith(label));
    return line?.slice(line.lastIndexOf(':') + 1).trim();
  };
  const maxRss = field('Maximum resident set size (kbytes)');
  if (maxRss === undefined) {
    throw new Error(`time -v: no "Maximum resident set size" line in ${JSON.stringify(text.slice(0, 200))}, expected GNU time's verbose report; is ${GNU_TIME} GNU time?`);
  }
  const exit = field('Exit status');
  return {
    maxRssKib: Number(maxRss),
    userSeconds: Number(field('User time (seconds)') ?? 0),
    systemSeconds: Number(field('System time (seconds)') ?? 0),
    exitStatus: exit === undefined ? null : Number(exit),
  };
}

/** The largest VmHWM (bytes) of `pid` and its descendants right now; 0 for processes already gone. */
function peakOfTree(pid: number): number {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // comm may hold spaces and parentheses: ppid is the second field after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited meanwhile */ }
  }
  let peak = 0;
  for (const p of parent.keys()) {
    let q: number | undefined = p;
    while (q !== undefined && q !== pid && q > 1) q = parent.get(q);
    if (q !== pid) continue;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch { /* exited meanwhile */ }
  }
  return peak;
}
