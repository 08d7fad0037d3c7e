/**
 * The slice of the WebAssembly JS API the engine uses, typed locally: the repo's tsconfig has neither the DOM lib
 * nor a Node typing for the `WebAssembly` global.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
interface Descriptor {
  module: string;
  name: string;
  kind: string;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: { new (bytes: Uint8Array): WasmModule; imports(m: WasmModule): Descriptor[]; exports(m: WasmModule): Omit<Descriptor, 'module'>[] };
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => WasmMemory;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
