import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { cpuConv2DBackpropFilterConfig, cpuMaxPoolGradConfig } from './cpu-kernels.ts';
import { wasmConv2DBackpropFilterConfig } from './wasm-conv2d-backprop-filter.ts';
import { fusedTrainStepConfig } from './fused-train-step.ts';

/** Register `config`, replacing any kernel already registered under its name and backend (without tfjs's warning). */
export function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName)) unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}

let wasmDone = false;
let cpuDone = false;

/** Register the project's wasm kernels (Conv2DBackpropFilter, the fused train step); idempotent. */
export function registerWasmKernels(): void {
  if (wasmDone) return;
  replaceKernel(wasmConv2DBackpropFilterConfig);
  replaceKernel(fusedTrainStepConfig);
  wasmDone = true;
}

/** Replace the cpu backend's slow gradient kernels with bit-identical direct-indexing ones; idempotent. */
export function registerCpuKernels(): void {
  if (cpuDone) return;
  replaceKernel(cpuConv2DBackpropFilterConfig);
  replaceKernel(cpuMaxPoolGradConfig);
  cpuDone = true;
}
