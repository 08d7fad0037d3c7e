/**
 * Floating-point operations of a resolved network, for GFLOP/s figures in benchmarks. A multiply-add counts 2.
 * Forward: conv 2·Cin·k²·Cout·Ho·Wo, dense 2·in·out, plus one per output element for pools (k² reads count k²),
 * activations, batch norm (4) and dropout. A training step adds the backward pass: twice the forward cost of every
 * conv and dense (input and weight gradients; the first layer needs no input gradient), the elementwise layers
 * once more, and the optimizer update (SGD ~3, Adam ~10 per parameter).
 */
import { sizeOf, type ResolvedNetwork } from './resolve.ts';

/** FLOPs of one image's forward pass. */
export function forwardFlops(net: ResolvedNetwork): number {
  let total = 0;
  for (const l of net.layers) total += layerFlops(net, l.index);
  return total;
}

function layerFlops(net: ResolvedNetwork, index: number): number {
  const l = net.layers[index]!;
  const out = sizeOf(l.outShape);
  switch (l.type) {
    case 'conv2d':
      return 2 * l.inShape[0]! * l.kernelSize! ** 2 * out + out;
    case 'dense':
      return 2 * l.inShape[0]! * out + out;
    case 'maxPool2d':
    case 'avgPool2d':
      return l.kernelSize! ** 2 * out;
    case 'batchNorm':
      return 4 * out;
    case 'flatten':
      return 0;
    default:
      return out;
  }
}

/** FLOPs of one training step on `batch` images: forward, backward and the optimizer update. */
export function trainStepFlops(net: ResolvedNetwork, batch: number, optimizer: 'sgd' | 'adam' = 'sgd'): number {
  let perImage = 0;
  for (const l of net.layers) {
    const f = layerFlops(net, l.index);
    const weighted = l.type === 'conv2d' || l.type === 'dense';
    // Backward: weight gradient (≈ forward) and input gradient (≈ forward, not for the first layer).
    perImage += f + (weighted ? (l.index === 0 ? f : 2 * f) : f);
  }
  const params = net.params.reduce((n, p) => n + sizeOf(p.torchShape), 0);
  return batch * perImage + params * (optimizer === 'adam' ? 10 : 3);
}
