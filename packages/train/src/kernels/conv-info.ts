import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The geometry of a Conv2DBackpropFilter call (strides, padding, input/output sizes, data format) from its input `x`
 * and the kernel's attrs, computed the way tfjs's own kernels do. Shared by the project's cpu and wasm kernels.
 */
export function backpropFilterInfo(x: TensorInfo, attrs: Record<string, unknown>): backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as any;
  return backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
}
