import { TbpipeError } from '@tbpipe/core';

/** A network spec that cannot be built; the message names the layer index and field. Code `TRAIN_BAD_NETWORK`. */
export class NetworkError extends TbpipeError {
  constructor(message: string) {
    super('TRAIN_BAD_NETWORK', message);
  }
}

/** `network: layer 3 (dropout) rate -0.1, expected ≥ 0 and < 1; fix the network spec`. */
export function layerError(index: number, type: string, field: string, seen: string, expected: string): NetworkError {
  return new NetworkError(`network: layer ${index} (${type}) ${field} ${seen}, expected ${expected}; fix the network spec`);
}

/** An error about the spec as a whole (no layer to name). */
export function specError(seen: string, expected: string): NetworkError {
  return new NetworkError(`network: ${seen}, expected ${expected}; fix the network spec`);
}
