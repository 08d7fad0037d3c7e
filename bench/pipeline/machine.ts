// Facts about the machine a report was measured on.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  node: string;
  nx: string | null;
  gnuTime: boolean;
  /** /proc/loadavg 1/5/15-minute figures when the benchmark started */
  loadAtStart: [number, number, number];
}

export function collectMachine(repoRoot: string): MachineFacts {
  const nxPkg = join(repoRoot, 'node_modules/nx/package.json');
  let kernel = release();
  try {
    kernel = execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim();
  } catch { /* keep os.release() */ }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    kernel,
    node: process.version,
    nx: existsSync(nxPkg) ? JSON.parse(readFileSync(nxPkg, 'utf8')).version : null,
    gnuTime: existsSync('/usr/bin/time'),
    loadAtStart: loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number],
  };
}
