import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { cpuConv2DBackpropFilterConfig, cpuMaxPoolGradConfig } from './cpu-kernels.ts';
import { wasmConv2DBackpropFilterConfig } from './wasm-conv2d-backprop-filter.ts';

const replaced = new Map<string, KernelConfig>();

/**
 * Register `config`, replacing any kernel already registered under its name and backend (without tfjs's warning).
 * The replaced kernel stays available through {@link replacedKernel} (tests compare against it).
 */
export function replaceKernel(config: KernelConfig): void {
  const old = getKernel(config.kernelName, config.backendName);
  if (old) {
    const key = `${config.backendName}/${config.kernelName}`;
    if (!replaced.has(key)) replaced.set(key, old);
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

/** The stock kernel that {@link replaceKernel} displaced, if any. */
export function replacedKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  return replaced.get(`${backendName}/${kernelName}`);
}

let wasmDone = false;
let cpuDone = false;

/** Register the project's wasm kernels (Conv2DBackpropFilter); idempotent. */
export function registerWasmKernels(): void {
  if (wasmDone) return;
  replaceKernel(wasmConv2DBackpropFilterConfig);
  wasmDone = true;
}

/** Replace the cpu backend's slow gradient kernels with bit-identical direct-indexing ones; idempotent. */
export function registerCpuKernels(): void {
  if (cpuDone) return;
  replaceKernel(cpuConv2DBackpropFilterConfig);
  replaceKernel(cpuMaxPoolGradConfig);
  cpuDone = true;
}
