import { replaceDirAtomic, writeFileAtomic } from '@tbpipe/core';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NamedTensor, TrainerState } from './engine/types.ts';

/** Format id written into every checkpoint; a checkpoint with another id is ignored. */
export const CHECKPOINT_FORMAT = 'tbpipe.train.checkpoint/v1';

/**
 * Everything that determines the training trajectory. A checkpoint is resumed only if its fingerprint equals the
 * current run's: same data bytes, same resolved backend, step implementation and thread count, same
 * hyper-parameters. `epochs`, `maxSteps` and `checkpointEverySteps` are left out on purpose: they decide where a run
 * stops or pauses, not what its steps compute.
 */
export interface CheckpointFingerprint {
  dataSha256: string;
  backend: string;
  /**
   * The step implementation, as `run.json`'s `engine` (`fused plan-fma`: plan-fma.wasm rounds its multiply-adds once,
   * plan.wasm twice); absent from checkpoints written before it was recorded, which therefore never match.
   */
  engine?: string;
  /** Threads a step runs on: a split batch sums its gradients in another order (absent: as for `engine`). */
  threads?: number;
  /** The network spec as JSON text (the layer list, not where it came from). */
  network: string;
  batchSize: number;
  optimizer: string;
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  seed: number;
  init: string;
  logEverySteps: number;
}

/** Training progress at the end of mini-batch `step - 1`. */
export interface Checkpoint {
  fingerprint: CheckpointFingerprint;
  /** Mini-batches completed (the next global step to run). Epoch = floor(step / stepsPerEpoch). */
  step: number;
  /** The running-loss window so far. */
  runningLoss: { sum: number; count: number };
  /** The `history.arrow` rows written so far. */
  history: { step: number[]; loss: number[] };
  /** Weights and momentum buffers (engine `getState`). */
  state: TrainerState;
}

interface TensorEntry {
  group: 'weights' | 'momentum' | 'secondMoment' | 'buffers';
  name: string;
  shape: number[];
  /** Offset and length in float32 elements within `tensors.bin`. */
  offset: number;
  length: number;
}

interface StateFile extends Omit<Checkpoint, 'state'> {
  format: string;
  tensors: TensorEntry[];
  /** The trainer's step count (`TrainerState.step`), when it has one. */
  trainerStep?: number;
}

const STATE_FILE = 'state.json';
const TENSORS_FILE = 'tensors.bin';

/**
 * Write `checkpoint` into `dir` (replacing any previous one atomically): `state.json` (step, running loss, history,
 * fingerprint, tensor index) and `tensors.bin` (float32, platform byte order, i.e. little-endian on every platform
 * tfjs supports). The RNG is not stored: each epoch's shuffle is recomputed from (seed, epoch), see `epochOrder`.
 */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  const entries: TensorEntry[] = [];
  let total = 0;
  const groups = [
    ['weights', checkpoint.state.weights],
    ['momentum', checkpoint.state.momentum],
    ['secondMoment', checkpoint.state.secondMoment ?? []],
    ['buffers', checkpoint.state.buffers ?? []],
  ] as const;
  for (const [group, tensors] of groups) {
    for (const t of tensors) {
      entries.push({ group, name: t.name, shape: [...t.shape], offset: total, length: t.data.length });
      total += t.data.length;
    }
  }
  const blob = new Float32Array(total);
  let i = 0;
  for (const [, tensors] of groups) for (const t of tensors) blob.set(t.data, entries[i++]!.offset);
  const { state: _state, ...rest } = checkpoint;
  const stateFile: StateFile = {
    format: CHECKPOINT_FORMAT,
    ...rest,
    tensors: entries,
    ...(checkpoint.state.step === undefined ? {} : { trainerStep: checkpoint.state.step }),
  };
  await replaceDirAtomic(dir, async (temp) => {
    await writeFileAtomic(join(temp, TENSORS_FILE), new Uint8Array(blob.buffer));
    await writeFileAtomic(join(temp, STATE_FILE), `${JSON.stringify(stateFile)}\n`);
  });
}

/** What {@link readCheckpoint} found: nothing, something unusable (with the reason), or a checkpoint. */
export type CheckpointRead =
  | { kind: 'none' }
  | { kind: 'unusable'; reason: string }
  | { kind: 'found'; checkpoint: Checkpoint };

/** Read the checkpoint in `dir`, if any. Never throws for a missing or damaged checkpoint: it reports why instead. */
export async function readCheckpoint(dir: string): Promise<CheckpointRead> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'unusable', reason: `cannot read ${STATE_FILE}: ${(err as Error).message}` };
  }
  try {
    const file = JSON.parse(text) as StateFile;
    if (file.format !== CHECKPOINT_FORMAT) return { kind: 'unusable', reason: `format ${String(file.format)}` };
    const bytes = await readFile(join(dir, TENSORS_FILE));
    const total = file.tensors.reduce((n, t) => n + t.length, 0);
    if (bytes.byteLength !== total * 4) {
      return { kind: 'unusable', reason: `${TENSORS_FILE} has ${bytes.byteLength} bytes, expected ${total * 4}` };
    }
    // Copy into a fresh, aligned buffer: Buffer slices may start at any byte offset.
    const blob = new Float32Array(total);
    new Uint8Array(blob.buffer).set(bytes);
    const pick = (group: TensorEntry['group']): NamedTensor[] =>
      file.tensors
        .filter((t) => t.group === group)
        .map((t) => ({ name: t.name, shape: t.shape, data: blob.slice(t.offset, t.offset + t.length) }));
    const { format: _format, tensors: _tensors, trainerStep, ...rest } = file;
    const state: Checkpoint['state'] = { weights: pick('weights'), momentum: pick('momentum') };
    const second = pick('secondMoment');
    const buffers = pick('buffers');
    if (second.length > 0) state.secondMoment = second;
    if (buffers.length > 0) state.buffers = buffers;
    if (trainerStep !== undefined) state.step = trainerStep;
    return { kind: 'found', checkpoint: { ...rest, state } };
  } catch (err) {
    return { kind: 'unusable', reason: (err as Error).message };
  }
}

/** Remove the checkpoint directory (after a successful run: it must not end up among the cached outputs). */
export async function deleteCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Field-by-field comparison; returns the names of the fields that differ (empty: same trajectory). */
export function diffFingerprints(a: CheckpointFingerprint, b: CheckpointFingerprint): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof CheckpointFingerprint)[];
  return keys.filter((k) => a[k] !== b[k]).sort();
}
