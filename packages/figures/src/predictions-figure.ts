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

/** An image's size: rows, columns, channels (1 grey, 3 RGB); pixels row-major HWC (ingest's `ImageShape`). */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** The tutorial's FashionMNIST images: 28 × 28, grey. */
export const TUTORIAL_IMAGE_SHAPE: Readonly<ImageShape> = { height: 28, width: 28, channels: 1 };

/** Input of {@link renderPredictionsFigure}. */
export interface PredictionsFigureOptions {
  /**
   * Raw 0–255 images, row-major HWC of `shape`: either one Uint8Array of height × width × channels bytes per image,
   * or all of them back to back in one Uint8Array. At least one; the tutorial uses 4.
   */
  images: readonly Uint8Array[] | Uint8Array;
  /** Size and channels of every image; default 28 × 28 × 1 (FashionMNIST). Channels 1 (grey) or 3 (RGB). */
  shape?: ImageShape;
  /** One title per image, in the same order. */
  titles: readonly PredictionTitle[];
  /**
   * Images per row, ≥ 1; default all of them in one row (the tutorial's layout). More images than columns wrap
   * into further rows, left-aligned, each row with its own titles (e.g. 16 images in 4 columns: 1200 × 1352 px).
   */
  columns?: number;
}

/** Side of one FashionMNIST image in pixels (the default shape's). */
export const IMAGE_SIDE = 28;

/** Side of the square each image is drawn in: 252 px (a 28-px image scaled 9×). */
export const CELL_SIDE = 252;

/**
 * Layout in pixels. N.B. the tutorial's `plt.figure(figsize=(12, 48))` is 1200 × 4800 px at 100 dpi, almost all
 * of it whitespace around one row of 4 small square axes; here the figure is cropped to the row: 1200 px wide for
 * 4 images (each 28 px scaled 9× to 252 px, nearest-neighbour as imshow upsamples), about 356 px high.
 */
const LAYOUT = {
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

const describeShape = (s: ImageShape) => `${s.height} × ${s.width}${s.channels === 1 ? '' : ` × ${s.channels}`} uint8`;

function checkShape(shape: ImageShape): void {
  const { height, width, channels } = shape;
  if (![height, width].every((x) => Number.isInteger(x) && x >= 1) || (channels !== 1 && channels !== 3)) {
    throw badInput(`shape ${height} × ${width} × ${channels}`, 'height and width ≥ 1 and 1 or 3 channels', 'pass the images\' shape from the images table');
  }
}

function splitImages(images: readonly Uint8Array[] | Uint8Array, shape: ImageShape): Uint8Array[] {
  const n = shape.height * shape.width * shape.channels;
  if (images instanceof Uint8Array) {
    if (images.length === 0 || images.length % n !== 0) {
      throw badInput(
        `images has ${images.length} bytes`,
        `a positive multiple of ${n} (${describeShape(shape)} per image)`,
        `pass raw ${describeShape(shape)} images back to back, or one Uint8Array per image`,
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
        `${n} (${describeShape(shape)})`,
        `pass raw ${describeShape(shape)} pixels, not normalized floats or padded images`,
      );
    }
  });
  return [...images];
}

/**
 * How an image of `shape` is drawn in its {@link CELL_SIDE}-px square: scaled by a whole factor (nearest-neighbour,
 * as imshow upsamples) when it fits, else shrunk to fit (nearest-neighbour sampling), keeping its aspect ratio.
 */
export function drawnSize(shape: ImageShape): { width: number; height: number } {
  const longest = Math.max(shape.height, shape.width);
  if (longest <= CELL_SIDE) {
    const scale = Math.floor(CELL_SIDE / longest);
    return { width: shape.width * scale, height: shape.height * scale };
  }
  return { width: Math.max(1, Math.round((shape.width * CELL_SIDE) / longest)), height: Math.max(1, Math.round((shape.height * CELL_SIDE) / longest)) };
}

/**
 * Renders one image as the tutorial's `matplotlib_imshow` shows it. Grey (`plt.imshow(npimg, cmap="Greys")`):
 * without vmin/vmax imshow scales each image from its own min (white) to its own max (black), so the FashionMNIST
 * garments, bright on black in the data, come out dark on white. The tutorial first de-normalizes (`img / 2 + 0.5`);
 * raw uint8 pixels are already in that space and the min-max scaling makes the offset irrelevant anyway. RGB
 * (`plt.imshow(np.transpose(npimg, (1, 2, 0)))`): the colours as they are.
 */
function imagePixels(img: Uint8Array, shape: ImageShape, out: { width: number; height: number }): Uint8ClampedArray {
  const { height, width, channels } = shape;
  // One RGBA word per source pixel, then each output pixel takes its nearest source pixel's word.
  const words = new Uint32Array(height * width);
  const rgba = new Uint8Array(words.buffer);
  if (channels === 1) {
    let lo = 255;
    let hi = 0;
    for (const v of img) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const range = hi - lo;
    const colours = new Uint32Array(256);
    const lut = new Uint8Array(colours.buffer);
    for (let v = lo; v <= hi; v++) {
      // matplotlib's Normalize maps everything to 0 when vmin == vmax.
      const t = range === 0 ? 0 : (v - lo) / range;
      const [r, g, b] = GREYS[Math.min(255, Math.floor(t * 256))];
      lut.set([r, g, b, 255], v * 4);
    }
    for (let p = 0; p < words.length; p++) words[p] = colours[img[p]];
  } else {
    for (let p = 0; p < words.length; p++) rgba.set([img[3 * p], img[3 * p + 1], img[3 * p + 2], 255], 4 * p);
  }
  const result = new Uint8ClampedArray(out.width * out.height * 4);
  const outWords = new Uint32Array(result.buffer);
  const columns = Int32Array.from({ length: out.width }, (_, x) => Math.min(width - 1, Math.floor((x * width) / out.width)));
  for (let y = 0; y < out.height; y++) {
    const sy = Math.min(height - 1, Math.floor((y * height) / out.height));
    // Rows that repeat the one above (upscaling) are copied whole.
    if (y > 0 && sy === Math.min(height - 1, Math.floor(((y - 1) * height) / out.height))) {
      outWords.copyWithin(y * out.width, (y - 1) * out.width, y * out.width);
      continue;
    }
    for (let x = 0; x < out.width; x++) outWords[y * out.width + x] = words[sy * width + columns[x]];
  }
  return result;
}

/** Width in pixels of a predictions figure with `count` images (1200 for the tutorial's 4). */
export function predictionsFigureWidth(count: number): number {
  const side = CELL_SIDE;
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
  const shape = options.shape ?? TUTORIAL_IMAGE_SHAPE;
  checkShape(shape);
  const images = splitImages(options.images, shape);
  const drawn = drawnSize(shape);
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
  const side = CELL_SIDE;
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
    const cellLeft = LAYOUT.sideMarginPx + (i % usedColumns) * (side + LAYOUT.gapPx);
    const cellTop = LAYOUT.topMarginPx + Math.floor(i / usedColumns) * rowPitch + titleBlock;
    // Centred in its cell horizontally, at the cell's bottom (under the title) vertically; a 28-px image fills it.
    const left = cellLeft + Math.floor((side - drawn.width) / 2);
    const imageTop = cellTop + (side - drawn.height);
    ctx.putImageData(new ImageData(imagePixels(img, shape, drawn), drawn.width, drawn.height), left, imageTop);
    strokeFrame(ctx, left, imageTop, drawn.width, drawn.height);

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
      ctx.fillText(line, cellLeft + side / 2, imageTop - LAYOUT.titlePadPx - descentPx - fromBottom * lineHeightPx);
    });
  });
  return encodePng(canvas);
}
