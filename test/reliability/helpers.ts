// Shared by test/reliability/*.test.ts: run the stage bins on the small fixture dataset in temporary directories, kill
// them, and read back what they left (manifests, artifact hashes, TensorBoard points, atomic-write debris).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readAllEvents, SessionStatus } from '@tbpipe/eventlog';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_DATA = join(REPO_ROOT, 'test', 'fixtures', 'fashion-mnist-small');

export const STAGES = ['ingest', 'train', 'evaluate', 'project'] as const;
export type Stage = (typeof STAGES)[number];

/** Every bin of the workspace, by name. */
export const BINS = {
  'tbpipe-ingest': 'packages/ingest/bin/tbpipe-ingest.mjs',
  'tbpipe-train': 'packages/train/bin/tbpipe-train.mjs',
  'tbpipe-evaluate': 'packages/evaluate/bin/tbpipe-evaluate.mjs',
  'tbpipe-project': 'packages/project/bin/tbpipe-project.mjs',
  'tbpipe-events': 'packages/eventlog/bin/tbpipe-events.mjs',
  'tbpipe-cache-server': 'packages/cache-server/bin/tbpipe-cache-server.mjs',
} as const;
export type BinName = keyof typeof BINS;

/**
 * Small params, so a whole pipeline runs in ~10 s on one core: 150 training steps (two epochs of the 300 fixture
 * images) with a checkpoint every 20 and a point every 10, 100 test images projected.
 */
export const SMALL_PARAMS: Record<Stage, string[]> = {
  ingest: ['--offline'],
  train: ['--epochs', '2', '--max-steps', '150', '--log-every-steps', '10', '--checkpoint-every-steps', '20', '--backend', 'wasm'],
  evaluate: ['--num-thresholds', '31'],
  project: ['--feature-points', '100', '--sample-images', '40', '--umap-neighbors', '8'],
};

/** One pipeline's folders inside a test workspace, laid out as the Nx plugin lays them out. */
export interface PipelineDirs {
  root: string;
  name: string;
  runDir: string;
  out(stage: Stage): string;
}

export function pipelineDirs(root: string, name: string, runDir = join(root, 'runs', name)): PipelineDirs {
  return { root, name, runDir, out: (stage) => join(root, 'artifacts', name, stage) };
}

/** The argv of a stage as the Nx plugin builds it (`--out`, `--run-dir`, inputs, params). */
export function stageArgs(stage: Stage, p: PipelineDirs, extra: string[] = []): string[] {
  const inputs: Record<Stage, string[]> = {
    ingest: ['--data', FIXTURE_DATA],
    train: ['--data', p.out('ingest')],
    evaluate: ['--data', p.out('ingest'), '--model', p.out('train')],
    project: ['--data', p.out('ingest'), '--predictions', p.out('evaluate')],
  };
  return ['--out', p.out(stage), '--run-dir', p.runDir, ...inputs[stage], ...SMALL_PARAMS[stage], ...extra];
}

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** SIGKILL the process this many ms after it started. */
  killAfterMs?: number;
  /** SIGKILL the process once stderr has shown this pattern this many times (then after `killAfterMs`, if given). */
  killOnLog?: { pattern: RegExp; times: number };
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A command the bin runs under, e.g. `['setpriv', '--reuid=nobody', …, '--']` to run it as another user. */
  prefix?: string[];
}

/** Run a bin with node; resolves when it exits (never rejects on a non-zero exit). */
export function runBin(bin: BinName, args: string[], options: RunOptions = {}): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const argv = [...(options.prefix ?? []), process.execPath, join(REPO_ROOT, BINS[bin]), ...args];
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (options.killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
      else child.kill('SIGKILL');
    };
    let seen = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      const text = String(d);
      stderr += text;
      if (options.killOnLog) {
        const before = seen;
        seen += text.match(new RegExp(options.killOnLog.pattern, 'g'))?.length ?? 0;
        if (before < options.killOnLog.times && seen >= options.killOnLog.times) kill();
      }
    });
    if (!options.killOnLog && options.killAfterMs !== undefined) kill();
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Run a stage to completion; throws with its stderr if it fails. */
export async function runStage(stage: Stage, p: PipelineDirs, extra: string[] = []): Promise<BinResult> {
  const r = await runBin(`tbpipe-${stage}`, stageArgs(stage, p, extra));
  if (r.code !== 0) throw new Error(`tbpipe-${stage} exited ${r.code ?? r.signal}:\n${humanLines(r.stderr).join('\n') || r.stderr.slice(-2000)}`);
  return r;
}

/** Run ingest → train → evaluate → project. */
export async function runPipeline(p: PipelineDirs, extra: Partial<Record<Stage, string[]>> = {}): Promise<void> {
  for (const stage of STAGES) await runStage(stage, p, extra[stage]);
}

/** The stderr lines meant for people: everything but pino's JSON log lines. */
export function humanLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
}

/** A fresh temporary directory, removed after the test. */
export async function tempRoot(t: TestContext, prefix = 'tbpipe-reliability-'): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(root, { recursive: true, force: true }));
  return root;
}

/** Every file under `dir` (relative, sorted), optionally only those whose relative path passes `keep`. */
export async function listFiles(dir: string, keep: (rel: string) => boolean = () => true): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else out.push(relative(dir, path));
    }
  };
  await walk(dir);
  return out.filter(keep).sort();
}

/** Names under `dir` (files or folders, any depth) left by an interrupted atomic write: `.<name>.tmp-…`. */
export async function findDebris(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      if (e.name.includes('.tmp-')) out.push(relative(dir, join(d, e.name)));
      else if (e.isDirectory()) await walk(join(d, e.name));
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * What must be byte-identical between two runs of a stage with the same seed: `manifest.json`'s text and the sha256 of
 * every other file outside `volatile/` (the Arrow tables, the model, metrics). Extra files show up as extra keys.
 */
export async function deterministicOutputs(outDir: string): Promise<Record<string, string>> {
  const files = await listFiles(outDir, (rel) => !rel.startsWith('volatile/'));
  const out: Record<string, string> = {};
  for (const rel of files) {
    const bytes = await readFile(join(outDir, rel));
    out[rel] = rel === 'manifest.json' ? bytes.toString('utf8') : createHash('sha256').update(bytes).digest('hex');
  }
  return out;
}

/** One scalar, image, text or PR-curve point TensorBoard would show, after its purge rules. */
export interface Point {
  /** Run: the folder relative to the run directory ('' for the run directory itself). */
  run: string;
  /** The writing stage: the event file name's last dot-separated part (`train`, `evaluate`, …). */
  stage: string;
  tag: string;
  step: number;
  value?: number;
}

/**
 * The points TensorBoard shows for `runDir`, read with `readAllEvents` in TensorBoard's order (per run folder, event
 * files sorted by name, records in file order) with its purge rule: a `session_log START` at step s drops every point
 * of that run read before it whose step is ≥ s. Duplicates are kept, so callers can assert there are none.
 */
export async function readRunPoints(runDir: string): Promise<Point[]> {
  const files = await listFiles(runDir, (rel) => rel.split('/').pop()!.startsWith('events.out.tfevents.'));
  const byRun = new Map<string, string[]>();
  for (const rel of files) {
    const run = dirname(rel) === '.' ? '' : dirname(rel);
    byRun.set(run, [...(byRun.get(run) ?? []), rel]);
  }
  const points: Point[] = [];
  for (const [run, rels] of [...byRun].sort()) {
    let runPoints: Point[] = [];
    for (const rel of rels.sort()) {
      const stage = rel.split('.').pop()!;
      for (const e of await readAllEvents(join(runDir, rel))) {
        if (e.sessionLog?.status === SessionStatus.START) runPoints = runPoints.filter((p) => p.step < e.step);
        for (const v of e.summary?.value ?? []) runPoints.push({ run, stage, tag: v.tag, step: e.step, value: v.simpleValue });
      }
    }
    points.push(...runPoints);
  }
  return points;
}

/** `run|stage|tag|step` keys that occur more than once. */
export function duplicatePoints(points: readonly Point[]): string[] {
  const seen = new Map<string, number>();
  for (const p of points) {
    const key = `${p.run}|${p.stage}|${p.tag}|${p.step}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

/** The points as `stage|tag` → steps, for comparing two run directories. */
export function pointSteps(points: readonly Point[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const p of points) (out[`${p.run}|${p.stage}|${p.tag}`] ??= []).push(p.step);
  for (const steps of Object.values(out)) steps.sort((a, b) => a - b);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
