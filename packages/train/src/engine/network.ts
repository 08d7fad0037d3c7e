/**
 * The tutorial's parameter table, derived from its JSON spec. Only the fixed fused kernel (src/kernels/) still
 * reads it; the plan built from a ResolvedNetwork replaces both. Everything else reads `src/network/`.
 */
import { tutorialNetwork } from './model-io.ts';

export type { ParamSpec } from '../network/resolve.ts';
export { sizeOf } from '../network/resolve.ts';

/** The tutorial Net's parameters in PyTorch's `named_parameters()` order. */
export const PARAMS = tutorialNetwork().params;
