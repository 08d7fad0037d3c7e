/**
 * What the benches that time our engine beside PyTorch share: where torch_reference.py is, the input shape each
 * built-in network is benched on, torch_reference's `speed` for one network, and a trainer step over a pool of
 * synthetic batches. Bench-only.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRandom } from '@tbpipe/core';
import type { EngineTrainer } from '../src/engine/index.ts';
import type { ResolvedNetwork } from '../src/network/index.ts';

export const PYTHON = '/usr/bin/python3';
export const TORCH_REFERENCE = process.env.TORCH_REFERENCE ?? fileURLToPath(new URL('../../../../shared/reference/torch_reference.py', import.meta.url));

/** A built-in network's JSON file (what torch_reference's `--network` reads). */
export const networkFile = (name: string) => fileURLToPath(new URL(`../networks/${name}.json`, import.meta.url));

/** The input a built-in network is benched on: lenet5-rgb on 3×32×32, the others on FashionMNIST's 1×28×28. */
export const benchInput = (name: string) => (name === 'lenet5-rgb' ? { height: 32, width: 32, channels: 3 } : { height: 28, width: 28, channels: 1 });

/** `torch_reference.py speed` for one built-in network, one thread: steps/s per batch size. */
export function torchSpeed(name: string, batches: readonly number[], steps: number): Map<number, number> {
  const s = benchInput(name);
  const r = spawnSync(
    PYTHON,
    [TORCH_REFERENCE, 'speed', '--network', networkFile(name), '--input', `${s.channels},${s.height},${s.width}`, '--threads', '1', '--batches', batches.join(','), '--steps', String(steps)],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`bench: torch_reference failed for ${name}: ${r.stderr.trim().split('\n').at(-1)}`);
  const out = new Map<number, number>();
  for (const line of r.stdout.trim().split('\n')) {
    const j = JSON.parse(line) as { batch: number; steps_per_s: number };
    out.set(j.batch, j.steps_per_s);
  }
  return out;
}

/**
 * `step(i)` trains `trainer` on the (i mod pool)-th of `pool` seeded synthetic batches: N(0,1)-ish inputs, as
 * torch_reference's `--input` uses, and labels below 10.
 */
export function syntheticSteps(trainer: EngineTrainer, net: ResolvedNetwork, batch: number, pool: number): (i: number) => void {
  const floats = net.input.height * net.input.width * net.input.channels;
  const random = createRandom(7);
  const images = Float32Array.from({ length: pool * batch * floats }, () => (random() + random() + random() - 1.5) * 2);
  const labels = Int32Array.from({ length: pool * batch }, () => Math.floor(random() * 10));
  return (i) => {
    const k = i % pool;
    trainer.trainStep(images.subarray(k * batch * floats, (k + 1) * batch * floats), labels.subarray(k * batch, (k + 1) * batch));
  };
}
