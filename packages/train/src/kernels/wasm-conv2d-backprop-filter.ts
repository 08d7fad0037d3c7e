/**
 * Conv2DBackpropFilter for the wasm backend, which ships without one (so stock tfjs wasm cannot train a conv net).
 *
 * The filter gradient is itself a convolution: dW[kh, kw, ci, co] = Σ_{b, oy, ox} x[b, oy·s + kh − pad, …, ci] ·
 * dy[b, oy, ox, co]. Putting the batch where channels go — x → [ci, H, W, b] as the input and dy → [oh, ow, b, co] as
 * the filter — turns it into an ordinary conv2d with dilation = the original stride and stride 1, whose
 * [ci, kh, kw, co] output is transposed back to [kh, kw, ci, co]. Every piece runs as one of the backend's own
 * (XNNPACK) kernels, called directly so no engine bookkeeping happens per piece.
 */
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  getKernel,
  PadV2,
  Slice,
  Transpose,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backpropFilterInfo } from './conv-info.ts';

type Args = { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: Record<string, unknown> };

function call(name: string, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`train: wasm kernel ${name} missing, expected tfjs-backend-wasm 4.x to register it`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as never }) as TensorInfo;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { dataFormat } = attrs as { dataFormat: 'NHWC' | 'NCHW' };
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error(`train: Conv2DBackpropFilter dataFormat ${dataFormat}, expected NHWC; the wasm backend is NHWC only`);
  }
  const info = backpropFilterInfo(x, attrs);
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info;
  const { top, left } = info.padInfo;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    let xT = keep(call(Transpose, backend, { x }, { perm: [3, 1, 2, 0] })); // [ci, H, W, b]
    // Rows/cols the dilated dy filter must cover: (OH − 1)·s + fh. Pad what 'same'/explicit padding adds.
    const bottom = Math.max(0, (OH - 1) * sh + fh - H - top);
    const right = Math.max(0, (OW - 1) * sw + fw - W - left);
    if (top || left || bottom || right) {
      xT = keep(
        call(PadV2, backend, { x: xT }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }),
      );
    }
    const dyT = keep(call(Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] })); // [oh, ow, b, co]
    let g = keep(
      call(Conv2D, backend, { x: xT, filter: dyT }, {
        strides: [1, 1],
        pad: 'valid',
        dataFormat: 'NHWC',
        dilations: [sh, sw],
        dimRoundingMode: undefined,
      }),
    ); // [ci, ≥fh, ≥fw, co]
    if (g.shape[1] !== fh || g.shape[2] !== fw) {
      g = keep(call(Slice, backend, { x: g }, { begin: [0, 0, 0, 0], size: [g.shape[0], fh, fw, g.shape[3]] }));
    }
    return call(Transpose, backend, { x: g }, { perm: [1, 2, 0, 3] }); // [fh, fw, ci, co]
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** Conv2DBackpropFilter for the `wasm` backend (NHWC, any stride and padding, dilation 1). */
export const wasmConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
