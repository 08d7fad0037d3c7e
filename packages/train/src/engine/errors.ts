import { TbpipeError } from '@tbpipe/core';

/** Errors the CNN engine throws for conditions a caller can fix; `code` is stable. */
export class EngineError extends TbpipeError {}

interface Shape {
  height: number;
  width: number;
  channels: number;
}

export const msg = {
  backendUnavailable: (name: string, cause: string) =>
    `train: backend '${name}' did not load (${cause}), expected one of tensorflow | wasm | cpu to load; ` +
    `use --backend auto to fall back automatically`,
  badBackend: (name: string) =>
    `train: backend '${name}', expected auto | tensorflow | wasm | cpu; pick one of those`,
  badBatch: (images: number, labels: number, s: Shape) =>
    `train: ${images} image floats for ${labels} labels, expected labels × ${s.height * s.width * s.channels}; pass one label per ${s.height}×${s.width}×${s.channels} image`,
  badLabel: (index: number, label: number, classes: number) =>
    `train: label ${label} at index ${index}, expected an integer in [0, ${classes}); check the labels column`,
  badCount: (floats: number, count: number, s: Shape) =>
    `train: ${floats} image floats for count ${count}, expected count × ${s.height * s.width * s.channels}; pass normalised ${s.height}×${s.width}×${s.channels} images (NHWC)`,
  badOption: (name: string, seen: unknown, expected: string) =>
    `train: ${name} ${String(seen)}, expected ${expected}; fix the option`,
  badStateTensor: (name: string, seen: string, expected: string) =>
    `train: state tensor ${name} ${seen}, expected ${expected}; was the checkpoint written by this network?`,
  badModel: (dir: string, seen: string, expected: string) =>
    `train: model in ${dir} ${seen}, expected ${expected}; re-run the train stage to rewrite it`,
  disposed: () => `train: engine used after dispose(), expected a live engine; create a new one`,
};
