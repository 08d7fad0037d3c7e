import { ImageData } from '@napi-rs/canvas';
import { GREYS } from './colormaps.ts';
import { createFigure, encodePng, setFont, strokeFrame, TEXT_PX } from './canvas.ts';
import { badInput } from './errors.ts';

/** One subplot title: its text (lines split on `\n`) and whether the prediction was right (green) or wrong (red). */
export interface PredictionTitle {
  /** e.g. `"Sneaker, 97.3%\n(label: Sneaker)"`, as the tutorial's `plot_classes_preds` formats it. */
  text: string;
  /** true draws the title in matplotlib's `green` (#008000), false in `red` (#ff0000). */
  correct: boolean;
}

/** Input of {@link renderPredictionsFigure}. */
export interface PredictionsFigureOptions {
  /**
   * FashionMNIST-sized grayscale images, raw 0–255 pixels, row-major 28 × 28: either one Uint8Array of 784 bytes
   * per image, or all of them back to back in one Uint8Array of n × 784 bytes. At least one; the tutorial uses 4.
   */
  images: readonly Uint8Array[] | Uint8Array;
  /** One title per image, in the same order. */
  titles: readonly PredictionTitle[];
  /**
   * Images per row, ≥ 1; default all of them in one row (the tutorial's layout). More images than columns wrap
   * into further rows, left-aligned, each row with its own titles (e.g. 16 images in 4 columns: 1200 × 1352 px).
   */
  columns?: number;
}

/** Side of one input image in pixels (FashionMNIST). */
export const IMAGE_SIDE = 28;

/**
 * Layout in pixels. N.B. the tutorial's `plt.figure(figsize=(12, 48))` is 1200 × 4800 px at 100 dpi, almost all
 * of it whitespace around one row of 4 small square axes; here the figure is cropped to the row: 1200 px wide for
 * 4 images (each 28 px scaled 9× to 252 px, nearest-neighbour as imshow upsamples), about 356 px high.
 */
const LAYOUT = {
  scale: 9,
  sideMarginPx: 36,
  gapPx: 40,
  topMarginPx: 24,
  bottomMarginPx: 24,
  rowGapPx: 24,
  titlePadPx: 10,
  lineHeight: 1.2,
  minTitlePx: 10,
} as const;

const TITLE_COLOR = { correct: '#008000', wrong: '#ff0000' } as const;

function splitImages(images: readonly Uint8Array[] | Uint8Array): Uint8Array[] {
  const n = IMAGE_SIDE * IMAGE_SIDE;
  if (images instanceof Uint8Array) {
    if (images.length === 0 || images.length % n !== 0) {
      throw badInput(
        `images has ${images.length} bytes`,
        `a positive multiple of ${n} (28 × 28 uint8 per image)`,
        'pass raw 28 × 28 grayscale images back to back, or one Uint8Array per image',
      );
    }
    return Array.from({ length: images.length / n }, (_, i) => images.subarray(i * n, (i + 1) * n));
  }
  if (images.length === 0) {
    throw badInput('0 images', 'at least 1', 'pass the images to plot (the tutorial plots 4)');
  }
  images.forEach((img, i) => {
    if (img.length !== n) {
      throw badInput(
        `image ${i} has ${img.length} bytes`,
        `${n} (28 × 28 uint8)`,
        'pass raw 28 × 28 grayscale pixels, not normalized floats or padded images',
      );
    }
  });
  return [...images];
}

/**
 * Renders one image as the tutorial's `plt.imshow(npimg, cmap="Greys")` shows it: without vmin/vmax imshow scales
 * each image from its own min (white) to its own max (black), so the FashionMNIST garments, bright on black in the
 * data, come out dark on white. The tutorial first de-normalizes (`img / 2 + 0.5`); raw uint8 pixels are already
 * in that space and the min-max scaling makes the offset irrelevant anyway.
 */
function imagePixels(img: Uint8Array, scale: number): Uint8ClampedArray {
  let lo = 255;
  let hi = 0;
  for (const v of img) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  // One RGBA word per pixel value (this image's colour scale), then each source pixel fills its scale × scale block:
  // the same pixels as mapping every output pixel, ~scale² times fewer colour look-ups.
  const colours = new Uint32Array(256);
  const rgba = new Uint8Array(colours.buffer);
  for (let v = lo; v <= hi; v++) {
    // matplotlib's Normalize maps everything to 0 when vmin == vmax.
    const t = range === 0 ? 0 : (v - lo) / range;
    const [r, g, b] = GREYS[Math.min(255, Math.floor(t * 256))];
    rgba.set([r, g, b, 255], v * 4);
  }
  const side = IMAGE_SIDE * scale;
  const out = new Uint8ClampedArray(side * side * 4);
  const words = new Uint32Array(out.buffer);
  for (let sy = 0; sy < IMAGE_SIDE; sy++) {
    const top = sy * scale * side;
    for (let sx = 0; sx < IMAGE_SIDE; sx++) words.fill(colours[img[sy * IMAGE_SIDE + sx]], top + sx * scale, top + (sx + 1) * scale);
    for (let k = 1; k < scale; k++) words.copyWithin(top + k * side, top, top + side);
  }
  return out;
}

/** Width in pixels of a predictions figure with `count` images (1200 for the tutorial's 4). */
export function predictionsFigureWidth(count: number): number {
  const side = IMAGE_SIDE * LAYOUT.scale;
  return 2 * LAYOUT.sideMarginPx + count * side + (count - 1) * LAYOUT.gapPx;
}

/**
 * The tutorial's "predictions vs. actuals" figure (`plot_classes_preds`): one row of subplots, each a 28 × 28
 * grayscale image in matplotlib's `Greys` colormap with a black frame and no ticks, under a title in green when the
 * prediction is correct and red when it is wrong. Titles are DejaVu Sans at 19 px, shrunk (down to 10 px) only if
 * a line would overrun its column.
 *
 * Size: 1200 × 356 px for 4 images with two-line titles; width grows by 292 px per column, height by 23 px per
 * extra title line and by 332 px per extra row (`columns`). Deterministic: the same input gives the same PNG bytes.
 *
 * @returns PNG bytes.
 * @throws {FiguresError} `FIGURES_BAD_INPUT` for no images, an image that is not 784 bytes, a title count that
 *   differs from the image count, or `columns` not an integer ≥ 1.
 * @example
 * const png = await renderPredictionsFigure({
 *   images: batch.subarray(0, 4 * 784),
 *   titles: [{ text: 'Sneaker, 97.3%\n(label: Sneaker)', correct: true }, …],
 * });
 * writer.addImage('predictions vs. actuals', png, step);
 */
export async function renderPredictionsFigure(options: PredictionsFigureOptions): Promise<Uint8Array> {
  const images = splitImages(options.images);
  const { titles } = options;
  if (titles.length !== images.length) {
    throw badInput(
      `${images.length} images and ${titles.length} titles`,
      'one title per image',
      'build one { text, correct } title for every image plotted',
    );
  }
  const columns = options.columns ?? images.length;
  if (!Number.isInteger(columns) || columns < 1) {
    throw badInput(`columns is ${columns}`, 'an integer ≥ 1', 'pass the number of images per row, or leave it out for one row');
  }
  const side = IMAGE_SIDE * LAYOUT.scale;
  const lines = titles.map((t) => t.text.split('\n'));
  const maxLines = Math.max(...lines.map((l) => l.length));
  const usedColumns = Math.min(columns, images.length);
  const rows = Math.ceil(images.length / usedColumns);
  const width = predictionsFigureWidth(usedColumns);
  const lineHeightPx = Math.round(TEXT_PX.predictionTitle * LAYOUT.lineHeight);
  const titleBlock = maxLines * lineHeightPx + LAYOUT.titlePadPx;
  const rowPitch = titleBlock + side + LAYOUT.rowGapPx;
  const height = LAYOUT.topMarginPx + rows * rowPitch - LAYOUT.rowGapPx + LAYOUT.bottomMarginPx;
  const { canvas, ctx } = createFigure(width, height);

  images.forEach((img, i) => {
    const left = LAYOUT.sideMarginPx + (i % usedColumns) * (side + LAYOUT.gapPx);
    const imageTop = LAYOUT.topMarginPx + Math.floor(i / usedColumns) * rowPitch + titleBlock;
    ctx.putImageData(new ImageData(imagePixels(img, LAYOUT.scale), side, side), left, imageTop);
    strokeFrame(ctx, left, imageTop, side, side);

    // A title may spill into the gaps beside its axes (matplotlib lets it), but never into the next title.
    const maxWidth = side + LAYOUT.gapPx - 8;
    let sizePx: number = TEXT_PX.predictionTitle;
    setFont(ctx, sizePx);
    const widest = Math.max(...lines[i].map((l) => ctx.measureText(l).width));
    if (widest > maxWidth) {
      sizePx = Math.max(LAYOUT.minTitlePx, Math.floor((sizePx * maxWidth) / widest));
      setFont(ctx, sizePx);
    }
    ctx.fillStyle = titles[i].correct ? TITLE_COLOR.correct : TITLE_COLOR.wrong;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    // Bottom-anchored like matplotlib's title: the last line sits just above the axes, whatever the line count.
    const descentPx = Math.round(sizePx * 0.24);
    lines[i].forEach((line, k) => {
      const fromBottom = lines[i].length - 1 - k;
      ctx.fillText(line, left + side / 2, imageTop - LAYOUT.titlePadPx - descentPx - fromBottom * lineHeightPx);
    });
  });
  return encodePng(canvas);
}
