/**
 * `TbpipeCnnTrainStep`: the whole training step of the tutorial's CNN — forward, softmax cross-entropy, backward
 * and SGD momentum for all ten parameters — as ONE kernel of the tfjs wasm backend, backed by the project's SIMD
 * WebAssembly (wasm/assembly/cnn.ts → wasm/cnn.wasm). The stock path costs ~171 kernel calls per step; this is one.
 *
 * The module imports the backend's own WebAssembly.Memory, so it reads the batch and updates the parameter and
 * momentum variables where tfjs keeps them, without copies. Hazard: the kernel MUTATES its parameter and momentum
 * inputs in place (tfjs kernels normally never do). Only pass tensors nothing else shares — the trainer's own
 * variables — never a `tf.clone` of something still in use (a clone shares its data).
 *
 * Inputs: x [b, 28, 28, 1] float32, labels [b] int32, p0…p9 (parameters, PyTorch's order, tfjs layout),
 * m0…m9 (their momentum buffers). Attrs: learningRate, momentum. Output: the batch's mean loss (scalar), before
 * the update.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { PARAMS, sizeOf } from '../engine/network.ts';
import { wasmModule, type CnnWasm } from './plan.ts';
import { Wasm, type WasmMemory, type WasmModule } from './webassembly.ts';

export const FUSED_TRAIN_STEP = 'TbpipeCnnTrainStep';
/** The forward pass alone (inputs x, p0…p9; outputs logits [b, 10] and fc2 features [b, 84]). */
export const FUSED_FORWARD = 'TbpipeCnnForward';

/** Input names of the fused kernel's parameters and momenta, in PARAMS order. */
export const PARAM_INPUTS = PARAMS.map((_, i) => `p${i}`);
export const MOMENTUM_INPUTS = PARAMS.map((_, i) => `m${i}`);

interface Heap {
  HEAPU32: Uint32Array;
  HEAP32: Int32Array;
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  asm: { memory: WasmMemory };
}

interface Instance {
  exports: CnnWasm;
  table: number;
  scratch: number;
  scratchBatch: number;
}

const instances = new WeakMap<BackendWasm, Instance>();

/** The compiled project module (wasm/cnn.wasm, built by `npm run build:wasm -w @tbpipe/train`). */
export function cnnWasmModule(): WasmModule {
  return wasmModule('cnn');
}

function heap(backend: BackendWasm): Heap {
  return backend.wasm as unknown as Heap;
}

/** The project module instantiated on `backend`'s memory, with a pointer table and scratch for `batch` images. */
export function cnnInstance(backend: BackendWasm, batch: number): Instance {
  let inst = instances.get(backend);
  const h = heap(backend);
  if (!inst) {
    const memory = h.asm?.memory;
    if (!(memory instanceof Wasm.Memory)) {
      throw new Error('train: tfjs-backend-wasm exposes no Module.asm.memory, expected emscripten\'s export; is @tensorflow/tfjs-backend-wasm 4.x installed?');
    }
    const instance = new Wasm.Instance(cnnWasmModule(), { env: { memory, exp: Math.exp, log: Math.log } });
    inst = { exports: instance.exports as unknown as CnnWasm, table: h._malloc(32 * 4), scratch: 0, scratchBatch: 0 };
    instances.set(backend, inst);
  }
  if (batch > inst.scratchBatch) {
    if (inst.scratch) h._free(inst.scratch);
    inst.scratch = h._malloc(inst.exports.scratchBytes(batch) + 16);
    inst.scratchBatch = batch;
  }
  return inst;
}

/** 16-byte aligned start inside a malloc'd block (emscripten's malloc only promises 8). */
export const aligned16 = (ptr: number) => (ptr + 15) & ~15;

function offsetOf(backend: BackendWasm, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

function check(cond: boolean, seen: () => string, expected: string): void {
  if (!cond) throw new Error(`train: ${FUSED_TRAIN_STEP} got ${seen()}, expected ${expected}; pass the trainer's own tensors`);
}

function fusedTrainStep({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: Record<string, unknown> }): TensorInfo {
  const x = inputs.x!;
  const labels = inputs.labels!;
  const batch = x.shape[0]!;
  check(x.dtype === 'float32' && x.shape.join() === `${batch},28,28,1`, () => `x ${x.dtype} [${x.shape}]`, 'float32 [b,28,28,1]');
  check(labels.dtype === 'int32' && labels.shape.join() === `${batch}`, () => `labels ${labels.dtype} [${labels.shape}]`, `int32 [${batch}]`);
  const inst = cnnInstance(backend, batch);
  const h = heap(backend);
  const table = inst.table >>> 2;
  for (let i = 0; i < PARAMS.length; i++) {
    const p = inputs[PARAM_INPUTS[i]!]!;
    const m = inputs[MOMENTUM_INPUTS[i]!]!;
    const n = sizeOf(PARAMS[i]!.tfShape);
    check(p?.dtype === 'float32' && sizeOf(p.shape) === n && m?.dtype === 'float32' && sizeOf(m.shape) === n,
      () => `${PARAMS[i]!.tfName} [${p?.shape}] / [${m?.shape}]`, `float32 [${PARAMS[i]!.tfShape}] for both`);
    h.HEAPU32[table + i] = offsetOf(backend, p);
    h.HEAPU32[table + 10 + i] = offsetOf(backend, m);
  }
  const labelsAt = offsetOf(backend, labels) >>> 2;
  for (let b = 0; b < batch; b++) {
    const y = h.HEAP32[labelsAt + b]!;
    check(y >= 0 && y < 10, () => `label ${y} at ${b}`, 'labels in [0, 10)');
  }
  const loss = inst.exports.trainStep(
    batch, offsetOf(backend, x), offsetOf(backend, labels), inst.table, aligned16(inst.scratch),
    attrs.learningRate as number, attrs.momentum as number,
  );
  const out = backend.makeOutput([], 'float32');
  h.HEAPF32[offsetOf(backend, out) >>> 2] = loss;
  return out;
}

function fusedForward({ inputs, backend }: { inputs: Record<string, TensorInfo>; backend: BackendWasm }): TensorInfo[] {
  const x = inputs.x!;
  const batch = x.shape[0]!;
  check(x.dtype === 'float32' && x.shape.join() === `${batch},28,28,1`, () => `x ${x.dtype} [${x.shape}]`, 'float32 [b,28,28,1]');
  const inst = cnnInstance(backend, batch);
  const h = heap(backend);
  for (let i = 0; i < PARAMS.length; i++) {
    const p = inputs[PARAM_INPUTS[i]!]!;
    check(p?.dtype === 'float32' && sizeOf(p.shape) === sizeOf(PARAMS[i]!.tfShape), () => `${PARAMS[i]!.tfName} [${p?.shape}]`, `float32 [${PARAMS[i]!.tfShape}]`);
    h.HEAPU32[(inst.table >>> 2) + i] = offsetOf(backend, p);
  }
  const logits = backend.makeOutput([batch, 10], 'float32');
  const features = backend.makeOutput([batch, 84], 'float32');
  inst.exports.predict(batch, offsetOf(backend, x), inst.table, aligned16(inst.scratch), offsetOf(backend, logits), offsetOf(backend, features));
  return [logits, features];
}

/** Registers {@link FUSED_FORWARD} on the wasm backend. */
export const fusedForwardConfig: KernelConfig = {
  kernelName: FUSED_FORWARD,
  backendName: 'wasm',
  kernelFunc: fusedForward as unknown as KernelFunc,
};

/** Registers {@link FUSED_TRAIN_STEP} on the wasm backend. */
export const fusedTrainStepConfig: KernelConfig = {
  kernelName: FUSED_TRAIN_STEP,
  backendName: 'wasm',
  kernelFunc: fusedTrainStep as unknown as KernelFunc,
};
