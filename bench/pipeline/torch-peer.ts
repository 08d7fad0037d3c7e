// The PyTorch peer, run on the same machine in the same benchmark: shared/reference/torch_reference.py (`epoch`: the
// tutorial's 1 epoch at batch 4; `speed`: steps/s at batch 4 and 64 with data in memory), and a probe for what the
// tutorial script itself needs (torch.utils.tensorboard wants the `tensorboard` Python package).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { measureCommand, type Measurement } from './measure-rss.ts';

export interface TorchPeerOptions {
  /** the interpreter with torch; Debian's python3-torch lives under /usr/bin/python3 */
  python: string;
  /** path of torch_reference.py */
  script: string;
  /** the four IDX .gz files */
  dataDir: string;
  /** torch intra-op threads; docs/measurements.md §B: 1 thread is the faster and steadier on 2 cores */
  threads: number;
  /** directory for logs */
  logs: string;
}

export interface TorchEpochRun {
  round: number;
  measurement: Measurement;
  result: { engine: string; train_s: number; steps_per_s: number; test_accuracy: number; loss_every_1000: number[] };
}

export interface TorchSpeedRun {
  round: number;
  measurement: Measurement;
  /** batch size → steps/s */
  stepsPerSecond: Record<number, number>;
  engine: string;
}

function jsonLines(stdout: string): Array<Record<string, any>> {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

async function runReference(o: TorchPeerOptions, args: string[], name: string): Promise<Measurement> {
  const argv = [o.python, o.script, ...args, '--threads', String(o.threads), '--data', o.dataDir];
  const m = await measureCommand(argv, { cwd: o.logs, logPrefix: join(o.logs, name) });
  if (m.exitCode !== 0) throw new Error(`torch peer: \`${argv.join(' ')}\` exited ${m.exitCode}, expected 0; see ${join(o.logs, name)}.err`);
  return m;
}

/** `torch_reference.py epoch`: the whole process measured, plus the script's own training time. */
export async function runTorchEpoch(o: TorchPeerOptions, round: number): Promise<TorchEpochRun> {
  const measurement = await runReference(o, ['epoch'], `round${round}-torch-epoch`);
  const [result] = jsonLines(measurement.stdout);
  if (result?.train_s === undefined) throw new Error(`torch peer: epoch printed ${JSON.stringify(measurement.stdout.slice(0, 200))}, expected a JSON line with train_s`);
  return { round, measurement, result: result as TorchEpochRun['result'] };
}

/** `torch_reference.py speed`: steps/s at batch 4 and 64. */
export async function runTorchSpeed(o: TorchPeerOptions, round: number, steps: number): Promise<TorchSpeedRun> {
  const measurement = await runReference(o, ['speed', '--steps', String(steps)], `round${round}-torch-speed`);
  const lines = jsonLines(measurement.stdout);
  if (!lines.some((l) => l.batch === 4)) throw new Error(`torch peer: speed printed ${JSON.stringify(measurement.stdout.slice(0, 200))}, expected a line for batch 4`);
  return { round, measurement, engine: lines[0].engine, stepsPerSecond: Object.fromEntries(lines.map((l) => [l.batch, l.steps_per_s])) };
}

/** Which Python modules the tutorial script needs are importable, and torch's version. */
export function probeTutorialDeps(python: string): { torch: string | null; missing: string[] } {
  const modules = ['torch', 'torchvision', 'matplotlib', 'tensorboard', 'torch.utils.tensorboard'];
  const code = `import importlib, json
out = {}
for m in ${JSON.stringify(modules)}:
    try:
        mod = importlib.import_module(m); out[m] = getattr(mod, '__version__', 'ok')
    except Exception as e:
        out[m] = None
print(json.dumps(out))`;
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) return { torch: null, missing: modules };
  const found: Record<string, string | null> = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  return { torch: found.torch ?? null, missing: modules.filter((m) => found[m] === null) };
}
