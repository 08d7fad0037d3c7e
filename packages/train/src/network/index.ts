export { LAYER_TYPES } from './spec.ts';
export type * from './spec.ts';
export { parseNetworkSpec, LAYER_SCHEMAS, NetworkSpecSchema } from './schema.ts';
export { resolveNetwork, sizeOf, BATCH_NORM_EPS, BATCH_NORM_MOMENTUM } from './resolve.ts';
export type { ResolvedNetwork, ResolvedLayer, ParamSpec, ParamKind, BufferSpec, Padding } from './resolve.ts';
export { loadNetwork, builtinNetwork, BUILTIN_NETWORKS, DEFAULT_NETWORK } from './builtins.ts';
export type { BuiltinNetwork, LoadedNetwork } from './builtins.ts';
export { NetworkError } from './errors.ts';
export { forwardFlops, trainStepFlops } from './flops.ts';
