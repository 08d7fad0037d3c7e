import { eventlogError } from './errors.ts';
import { encodePng } from './png.ts';
import type { SummaryImage } from './proto/messages.ts';

/**
 * A dense tensor: row-major `data` with `shape`. `Uint8Array`/`Uint8ClampedArray` data is taken as 0–255 pixel
 * values; any other element type as floats in [0, 1] (torch's rule: scale by dtype, not by value).
 */
export interface TensorLike {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** Axis layout of an image tensor, torch's `dataformats`: any order of N, C, H, W (4-D), C, H, W (3-D) or H, W. */
export type DataFormats = string;

/** 8-bit interleaved pixels, row-major HWC. */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

const isUint8 = (t: TensorLike) => t.data instanceof Uint8Array || t.data instanceof Uint8ClampedArray;

/**
 * Lay an image tensor out as HWC with 3 or 4 channels the way torch's `convert_to_HWC` does: 4-D batches are tiled
 * by torch's `make_grid` (`ncols` images per row, no padding, row-major fill, zeros after the last image),
 * 1-channel images are repeated to RGB. Values are returned unconverted (as float64).
 */
export function toGridHWC(img: TensorLike, dataformats: DataFormats, ncols = 8): { data: Float64Array; width: number; height: number; channels: 3 | 4 } {
  const fmt = dataformats.toUpperCase();
  const allowed = fmt.length === 4 ? 'NCHW' : fmt.length === 3 ? 'CHW' : fmt.length === 2 ? 'HW' : '';
  if (!allowed || new Set(fmt).size !== fmt.length || [...fmt].some((c) => !allowed.includes(c))) {
    throw eventlogError('EVENTLOG_DATAFORMATS', `dataformats '${dataformats}'`, 'a permutation of NCHW, CHW/HWC or HW', "pass e.g. 'CHW', 'HWC', 'NCHW' or 'NHWC'");
  }
  if (img.shape.length !== fmt.length) {
    throw eventlogError('EVENTLOG_IMAGE_SHAPE', `image of rank ${img.shape.length} (shape [${img.shape.join(', ')}])`, `rank ${fmt.length} for dataformats '${fmt}'`, 'reshape the tensor or fix dataformats');
  }
  const size = img.shape.reduce((a, b) => a * b, 1);
  if (img.data.length !== size) {
    throw eventlogError('EVENTLOG_IMAGE_SHAPE', `${img.data.length} values for shape [${img.shape.join(', ')}]`, `${size} values`, 'make data.length the product of shape');
  }
  const strides: number[] = new Array(fmt.length);
  let s = 1;
  for (let i = fmt.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= img.shape[i];
  }
  const dim = (c: string) => (fmt.includes(c) ? img.shape[fmt.indexOf(c)] : 1);
  const stride = (c: string) => (fmt.includes(c) ? strides[fmt.indexOf(c)] : 0);
  const [N, C, H, W] = [dim('N'), dim('C'), dim('H'), dim('W')];
  const [sN, sC, sH, sW] = [stride('N'), stride('C'), stride('H'), stride('W')];
  if (![1, 3, 4].includes(C)) {
    throw eventlogError('EVENTLOG_IMAGE_CHANNELS', `${C} channels`, '1 (gray), 3 (RGB) or 4 (RGBA)', 'check dataformats (CHW vs HWC)');
  }
  if (N === 0 || H === 0 || W === 0) {
    throw eventlogError('EVENTLOG_IMAGE_SHAPE', `empty image shape [${img.shape.join(', ')}]`, 'at least one pixel', 'skip empty batches');
  }
  const outC: 3 | 4 = C === 4 ? 4 : 3;
  const cols = Math.min(N, ncols);
  const rows = Math.ceil(N / cols);
  const width = W * cols;
  const height = H * rows;
  const out = new Float64Array(width * height * outC);
  for (let n = 0; n < N; n++) {
    const x0 = (n % cols) * W;
    const y0 = Math.floor(n / cols) * H;
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const o = ((y0 + h) * width + x0 + w) * outC;
        const base = n * sN + h * sH + w * sW;
        for (let c = 0; c < outC; c++) out[o + c] = img.data[base + (C === 1 ? 0 : c) * sC];
      }
    }
  }
  return { data: out, width, height, channels: outC };
}

/**
 * Convert an image tensor to 8-bit pixels like torch 1.13's `image()`: uint8 input as is; float input
 * `uint8(float32(x) * 255)` computed in float32 and truncated toward zero (not rounded), so golden pixels match.
 * N.B. torch does not clamp, so values outside [0, 1] wrap around in its uint8 cast (a normalized image in [-1, 1]
 * comes out garbled); here floats are clamped to [0, 1] first (NaN → 0).
 */
export function imageToPixels(img: TensorLike, dataformats: DataFormats): Pixels {
  const grid = toGridHWC(img, dataformats);
  const data = new Uint8Array(grid.data.length);
  if (isUint8(img)) data.set(grid.data);
  else {
    for (let i = 0; i < data.length; i++) {
      const x = grid.data[i];
      const clamped = x > 0 ? (x < 1 ? Math.fround(x) : 1) : 0;
      data[i] = Math.fround(clamped * 255);
    }
  }
  return { data, width: grid.width, height: grid.height, channels: grid.channels };
}

/** The `Summary.Image` for pixels: height, width, colorspace = channels, PNG bytes. */
export function imageFromPixels(p: Pixels): SummaryImage {
  return { height: p.height, width: p.width, colorspace: p.channels, encodedImageString: encodePng(p.data, p.width, p.height, p.channels) };
}
