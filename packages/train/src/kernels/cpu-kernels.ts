/**
 * Direct-indexing rewrites of two tfjs-backend-cpu gradient kernels. The stock ones index through
 * `TensorBuffer.get(...)` (a variadic call per element), which makes Conv2DBackpropFilter 65–103 ms per step on this
 * CNN. These visit the same elements in the same order with the same float64 accumulator, so their output is
 * bit-identical to the stock kernels (the tests check that against the originals), just without the per-element calls.
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backpropFilterInfo } from './conv-info.ts';

type Args = { inputs: Record<string, TensorInfo>; backend: MathBackendCPU; attrs: Record<string, unknown> };

function values(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId)!.values as Float32Array;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const info = backpropFilterInfo(x, attrs);
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { inHeight: H, inWidth: W, inChannels: CI, outChannels: CO, outHeight: OH, outWidth: OW } = info;
  const last = info.dataFormat === 'channelsLast';
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = values(backend, x);
  const dyv = values(backend, dy);
  const dW = new Float32Array(fh * fw * CI * CO);
  for (let wR = 0; wR < fh; ++wR) {
    const yRMin = Math.max(0, Math.ceil((top - wR) / sh));
    const yRMax = Math.min(OH, (H + top - wR) / sh);
    for (let wC = 0; wC < fw; ++wC) {
      const yCMin = Math.max(0, Math.ceil((left - wC) / sw));
      const yCMax = Math.min(OW, (W + left - wC) / sw);
      for (let d1 = 0; d1 < CI; ++d1) {
        for (let d2 = 0; d2 < CO; ++d2) {
          let dot = 0;
          // Strides of one step in yC through x and dy, for either data format.
          const xStep = last ? sw * CI : sw;
          const dyStep = last ? CO : 1;
          const yC0 = Math.max(0, yCMin);
          for (let b = 0; b < info.batchSize; ++b) {
            for (let yR = yRMin; yR < yRMax; ++yR) {
              const xR = wR + yR * sh - top;
              const xC0 = wC + yC0 * sw - left;
              let xi = last ? ((b * H + xR) * W + xC0) * CI + d1 : ((b * CI + d1) * H + xR) * W + xC0;
              let di = last ? ((b * OH + yR) * OW + yC0) * CO + d2 : ((b * CO + d2) * OH + yR) * OW + yC0;
              for (let yC = yC0; yC < yCMax; ++yC, xi += xStep, di += dyStep) dot += xv[xi]! * dyv[di]!;
            }
          }
          dW[((wR * fw + wC) * CI + d1) * CO + d2] = dot;
        }
      }
    }
  }
  return backend.makeTensorInfo(info.filterShape, 'float32', dW);
}

function maxPoolGrad({ inputs, backend, attrs }: Args): TensorInfo {
  const { dy, input: x } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as any;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: efh, effectiveFilterWidth: efw, inHeight: H, inWidth: W, inChannels: C } = info;
  const { outHeight: OH, outWidth: OW, batchSize: B } = info;
  const xv = values(backend, x);
  const dyv = values(backend, dy);
  // Same arg-max rule as the stock maxPoolPositions: first strictly greater value in row-major window order.
  const pos = new Int32Array(B * OH * OW * C);
  for (let b = 0; b < B; ++b) {
    for (let d = 0; d < C; ++d) {
      for (let yR = 0; yR < OH; ++yR) {
        const xRCorner = yR * sh - info.padInfo.top;
        let xRMin = xRCorner;
        while (xRMin < 0) xRMin += dh;
        const xRMax = Math.min(H, efh + xRCorner);
        for (let yC = 0; yC < OW; ++yC) {
          const xCCorner = yC * sw - info.padInfo.left;
          let xCMin = xCCorner;
          while (xCMin < 0) xCMin += dw;
          const xCMax = Math.min(W, efw + xCCorner);
          let max = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let xR = xRMin; xR < xRMax; xR += dh) {
            for (let xC = xCMin; xC < xCMax; xC += dw) {
              const v = xv[((b * H + xR) * W + xC) * C + d]!;
              if (v > max) {
                max = v;
                at = (xR - xRCorner) * efw + (xC - xCCorner);
              }
            }
          }
          pos[((b * OH + yR) * OW + yC) * C + d] = at;
        }
      }
    }
  }
  const padLeft = efw - 1 - info.padInfo.left;
  const padTop = efh - 1 - info.padInfo.top;
  const dx = new Float32Array(B * H * W * C);
  for (let b = 0; b < B; ++b) {
    for (let d = 0; d < C; ++d) {
      for (let dxR = 0; dxR < H; ++dxR) {
        for (let dxC = 0; dxC < W; ++dxC) {
          let dot = 0;
          for (let wR = 0; wR < efh; wR += dh) {
            const dyR = (dxR - padTop + wR) / sh;
            if (dyR < 0 || dyR >= OH || Math.floor(dyR) !== dyR) continue;
            for (let wC = 0; wC < efw; wC += dw) {
              const dyC = (dxC - padLeft + wC) / sw;
              if (dyC < 0 || dyC >= OW || Math.floor(dyC) !== dyC) continue;
              const at = ((b * OH + dyR) * OW + dyC) * C + d;
              if (efh * efw - 1 - pos[at]! !== wR * efw + wC) continue;
              dot += dyv[at]!;
            }
          }
          dx[((b * H + dxR) * W + dxC) * C + d] = dot;
        }
      }
    }
  }
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

/** The cpu backend's Conv2DBackpropFilter, direct-indexed (bit-identical to the stock kernel). */
export const cpuConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};

/** The cpu backend's MaxPoolGrad, direct-indexed (bit-identical to the stock kernel). */
export const cpuMaxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'cpu',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
