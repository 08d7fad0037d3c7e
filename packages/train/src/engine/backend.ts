import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendName } from './types.ts';
import { EngineError, msg } from './errors.ts';
import { registerCpuKernels, registerWasmKernels } from '../kernels/register.ts';

const require = createRequire(import.meta.url);

/** The order `auto` tries backends in: native TensorFlow, then wasm with the project's kernels, then cpu. */
export const AUTO_BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const tried = new Map<BackendName, Promise<string | null>>();

/** Directory holding tfjs-backend-wasm's .wasm binaries (its dist folder), with a trailing slash. */
export function wasmBinaryDir(): string {
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

async function load(name: BackendName): Promise<string | null> {
  try {
    if (name === 'tensorflow') {
      // Optional dependency: its install downloads libtensorflow, so it is often absent. Any failure means "absent".
      await import('@tensorflow/tfjs-node' as string);
      if (!tf.findBackend('tensorflow') && !tf.findBackendFactory('tensorflow')) return 'not registered';
    } else if (name === 'wasm') {
      // Point emscripten at the binaries on disk; with no path it would try to fetch them.
      setWasmPaths(wasmBinaryDir());
      registerWasmKernels();
    } else {
      registerCpuKernels();
    }
    const ok = await tf.setBackend(name);
    // The cpu backend prints a multi-line "install tfjs-node" banner on first use; the choice here is deliberate.
    if (ok && name === 'cpu') (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
    return ok ? null : 'initialisation failed';
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
}

/** Why `name` cannot load (null when it can); loads it at most once per process. */
function tryBackend(name: BackendName): Promise<string | null> {
  let p = tried.get(name);
  if (!p) tried.set(name, (p = load(name)));
  return p;
}

/**
 * Make `choice` the active tfjs backend and return its name. `auto` tries tensorflow (tfjs-node) → wasm → cpu and
 * never fails because the native backend is missing; an explicit name fails with an EngineError if it can't load.
 * The project's kernels (wasm Conv2DBackpropFilter, faster cpu gradients, the fused train step) are registered
 * before the backend is first used.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  if (choice === 'auto') {
    const reasons: string[] = [];
    for (const name of AUTO_BACKEND_ORDER) {
      const why = await tryBackend(name);
      if (why === null) {
        await tf.setBackend(name);
        return name;
      }
      reasons.push(`${name}: ${why}`);
    }
    throw new EngineError('TRAIN_NO_BACKEND', msg.backendUnavailable('auto', reasons.join('; ')));
  }
  if (!AUTO_BACKEND_ORDER.includes(choice)) throw new EngineError('TRAIN_BAD_BACKEND', msg.badBackend(choice));
  const why = await tryBackend(choice);
  if (why !== null) throw new EngineError('TRAIN_BACKEND_UNAVAILABLE', msg.backendUnavailable(choice, why));
  await tf.setBackend(choice);
  return choice;
}

/** Switch the global tfjs backend to `name` if another instance switched it away (it is already initialised). */
export function ensureBackend(name: BackendName): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
}
