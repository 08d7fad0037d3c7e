// Every bin, given a bad flag or a path it cannot use, prints one line on stderr and exits non-zero without a stack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURE_DATA, REPO_ROOT, humanLines, pipelineDirs, runBin, runStage, stageArgs, type BinName, type PipelineDirs, type Stage } from './helpers.ts';

/** Paths the rows use; filled in by `before`. */
interface Paths {
  /** A regular file where a directory is expected. */
  file: string;
  /** A path that does not exist. */
  missing: string;
  /** A directory with mode 000. */
  unreadable: string;
  /** A complete ingest → train → evaluate run to feed the stages. */
  p: PipelineDirs;
}

interface Row {
  bin: BinName;
  what: string;
  args(x: Paths): string[];
  /** Expected exit code. */
  code: number;
  /** The one line on stderr. */
  line: RegExp;
  /** Rows whose failure needs permissions root ignores. */
  needsPermissions?: boolean;
}

let outs = 0;
/**
 * `args` of a stage reading the test run's artifacts and writing a fresh `--out` of its own (a stage that fails late
 * has already removed its out dir's manifest), then `over` replacing flags (`--data x` replaces `--data …`).
 */
function stage(name: Stage, x: Paths, over: Record<string, string>): string[] {
  const args = stageArgs(name, x.p);
  args[args.indexOf('--out') + 1] = join(x.p.root, 'outs', String(outs++));
  for (const [flag, value] of Object.entries(over)) {
    const at = args.indexOf(flag);
    if (at >= 0) args[at + 1] = value;
    else args.push(flag, value);
  }
  return args;
}

/** core's one line for an OS error on a path under the test's `a-file`. */
const FS = /^tbpipe-[a-z-]+: fs: \w+ \S+\/a-file\S* failed \((ENOTDIR|EEXIST): [^)]*\), expected a path this program can use; check the path flags/;
const unknownFlag = (bin: string) => new RegExp(`^${bin}: Unknown option '--bogus'.*; see ${bin} --help$`);

const ROWS: Row[] = [];
for (const name of ['ingest', 'train', 'evaluate', 'project'] as const) {
  const bin = `tbpipe-${name}` as const;
  const input = { ingest: '--data', train: '--data', evaluate: '--model', project: '--predictions' }[name];
  ROWS.push(
    { bin, what: 'an unknown flag', args: (x) => [...stage(name, x, {}), '--bogus'], code: 2, line: unknownFlag(bin) },
    { bin, what: `a missing ${input} directory`, args: (x) => stage(name, x, { [input]: x.missing }), code: 1, line: new RegExp(`^${bin}: .*missing.*(manifest\\.json|IDX files)`) },
    { bin, what: `a file as ${input}`, args: (x) => stage(name, x, { [input]: x.file }), code: 1, line: new RegExp(`^${bin}: .*a-file`) },
    { bin, what: 'a file as --out', args: (x) => stage(name, x, { '--out': x.file }), code: 1, line: FS },
    { bin, what: `an unreadable ${input} directory (mode 000)`, args: (x) => stage(name, x, { [input]: x.unreadable }), code: 1, line: new RegExp(`^${bin}: .*unreadable.*(EACCES|permission)`), needsPermissions: true },
  );
  // One stage suffices for --run-dir: the failure goes through the same path (core's runCli) in every stage.
  if (name === 'train') ROWS.push({ bin, what: 'a file as --run-dir', args: (x) => stage(name, x, { '--run-dir': x.file }), code: 1, line: FS });
}
ROWS.push(
  { bin: 'tbpipe-events', what: 'an unknown flag', args: () => ['tags', '.', '--bogus'], code: 2, line: unknownFlag('tbpipe-events') },
  { bin: 'tbpipe-events', what: 'a missing log directory', args: (x) => ['tags', x.missing], code: 1, line: /^tbpipe-events: eventlog: cannot open \S+missing \(ENOENT\)/ },
  { bin: 'tbpipe-events', what: 'a file that is not an event file', args: () => ['dump', join(FIXTURE_DATA, 'LICENSE')], code: 1, line: /^tbpipe-events: eventlog: \S+LICENSE: record at byte 0 has length CRC .*; the file is corrupt/ },
  { bin: 'tbpipe-events', what: 'an unreadable log directory (mode 000)', args: (x) => ['tags', x.unreadable], code: 1, line: /^tbpipe-events: .*unreadable.*(EACCES|permission)/, needsPermissions: true },
  { bin: 'tbpipe-cache-server', what: 'an unknown flag', args: () => ['--bogus'], code: 2, line: unknownFlag('tbpipe-cache-server') },
  { bin: 'tbpipe-cache-server', what: 'no --dir', args: () => [], code: 2, line: /^tbpipe-cache-server: --dir is missing, expected the storage directory; see tbpipe-cache-server --help$/ },
  { bin: 'tbpipe-cache-server', what: 'a file as --dir', args: (x) => ['--dir', x.file, '--port', '0'], code: 1, line: FS },
  { bin: 'tbpipe-cache-server', what: 'an unreadable --dir (mode 000)', args: (x) => ['--dir', x.unreadable, '--port', '0'], code: 1, line: /^tbpipe-cache-server: .*unreadable.*(EACCES|permission)/, needsPermissions: true },
);

/**
 * Root reads a mode-000 directory anyway, so under root (CI) the permission rows run their bin as `nobody` through
 * setpriv. That needs `nobody` to reach node, the repo and its node_modules (checked here once, by running node as
 * nobody on the repo's tsx) and the test's fixture (made traversable in `before`).
 */
const AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];
const isRoot = process.getuid?.() === 0;
const permissions: { prefix?: string[]; skip?: string } = isRoot ? probeNobody() : {};

function probeNobody(): { prefix?: string[]; skip?: string } {
  const tsx = join(REPO_ROOT, 'node_modules', 'tsx', 'package.json');
  const r = spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(tsx)})`], {
    encoding: 'utf8',
  });
  if (r.status === 0) return { prefix: AS_NOBODY };
  const why = r.error?.message ?? r.stderr.trim().split('\n').at(-1);
  const skip = `running as root, and nobody cannot run node on this repo (${why}); the permission cases need an unprivileged user`;
  console.error(`bin-errors: SKIPPING the mode-000 cases: ${skip}`);
  return { skip };
}

describe('each bin given a bad flag or an unusable path', () => {
  let root: string;
  const x = {} as Paths;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-bins-'));
    // mkdtemp makes the directory 0700; the permission rows' bins run as nobody when the test runs as root, and must
    // reach the fixture (reading the inputs, writing a fresh --out under outs/) to fail on the unreadable directory.
    await chmod(root, 0o755);
    await mkdir(join(root, 'outs'), { mode: 0o777 });
    await chmod(join(root, 'outs'), 0o1777);
    x.file = join(root, 'a-file');
    await writeFile(x.file, 'not a directory\n');
    x.missing = join(root, 'missing');
    x.unreadable = join(root, 'unreadable');
    await mkdir(x.unreadable);
    await chmod(x.unreadable, 0o000);
    x.p = pipelineDirs(root, 'ok');
    for (const s of ['ingest', 'train', 'evaluate'] as const) await runStage(s, x.p, s === 'train' ? ['--max-steps', '8'] : []);
  });
  after(async () => {
    await chmod(x.unreadable, 0o700).catch(() => {});
    await rm(root, { recursive: true, force: true });
  });

  for (const row of ROWS) {
    const skip = (row.needsPermissions && permissions.skip) || false;
    const prefix = row.needsPermissions ? permissions.prefix : undefined;
    const as = prefix ? ' (as nobody: the test runs as root)' : '';
    it(`${row.bin} with ${row.what} prints one line and exits ${row.code}${as}`, { skip }, async () => {
      // A guard, not a timing: a bin that wrongly accepted its input (the cache server would serve) is stopped.
      const r = await runBin(row.bin, row.args(x), { killAfterMs: 60_000, ...(prefix ? { prefix } : {}) });
      assert.equal(r.signal, null, 'the bin did not stop on its own');
      const lines = humanLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, row.line);
      assert.doesNotMatch(r.stderr, /"level":50|\n\s+at /, 'no stack trace, no "unexpected failure" log');
      assert.equal(r.code, row.code, r.stderr);
    });
  }
});
