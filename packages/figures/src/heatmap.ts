import type { SKRSContext2D } from '@napi-rs/canvas';
import { luminance, sampleColormap, toHex, VIRIDIS } from './colormaps.ts';
import { createFigure, crisp, encodePng, setFont, strokeFrame, TEXT_PX } from './canvas.ts';
import { badInput } from './errors.ts';
import { formatTick, niceTicks } from './ticks.ts';

/** Input of {@link renderHeatmap}. */
export interface HeatmapOptions {
  /** rows × cols finite numbers; for a confusion matrix, `matrix[trueClass][predictedClass]`. At least 1 × 1. */
  matrix: readonly (readonly number[])[];
  /** One label per row, drawn left of the rows (e.g. the true class names). */
  rowLabels: readonly string[];
  /** One label per column, drawn under the columns rotated 45° (e.g. the predicted class names). */
  colLabels: readonly string[];
  /** Drawn centred above the matrix. */
  title: string;
  /** Axis label under the column labels, e.g. `Predicted label`. */
  xLabel: string;
  /** Axis label left of the row labels, rotated, e.g. `True label`. */
  yLabel: string;
  /**
   * Formats each cell's printed value. Default: `String(v)` when every value is an integer (counts), else two
   * decimals (`0.83`).
   */
  valueFormat?: (value: number) => string;
}

/**
 * Layout in pixels. Cells are square, 48 px for up to 10 × 10, smaller for larger matrices down to 22 px (from 22 × 22
 * on; a 30 × 30 confusion matrix is 660 px square), where a 4-digit count still prints legibly at 9 px.
 */
const LAYOUT = {
  matrixTargetPx: 480,
  minCellPx: 22,
  maxCellPx: 64,
  marginPx: 16,
  titlePadPx: 12,
  tickPx: 4,
  tickPadPx: 4,
  labelPadPx: 8,
  colorbarGapPx: 24,
  colorbarWidthPx: 20,
  maxValuePx: 13,
} as const;

function validate(o: HeatmapOptions): void {
  const { matrix, rowLabels, colLabels } = o;
  if (matrix.length === 0 || matrix[0].length === 0) {
    throw badInput(
      `a ${matrix.length} × ${matrix[0]?.length ?? 0} matrix`,
      'at least 1 × 1',
      'pass matrix[row][col] with one row per row label',
    );
  }
  if (rowLabels.length !== matrix.length) {
    throw badInput(
      `${matrix.length} matrix rows and ${rowLabels.length} row labels`,
      'one row label per row',
      'pass as many rowLabels as the matrix has rows',
    );
  }
  matrix.forEach((row, r) => {
    if (row.length !== colLabels.length) {
      throw badInput(
        `matrix row ${r} with ${row.length} values`,
        `${colLabels.length} (one per column label)`,
        'make every row as long as colLabels',
      );
    }
    row.forEach((v, c) => {
      if (!Number.isFinite(v)) {
        throw badInput(`matrix[${r}][${c}] = ${v}`, 'a finite number', 'replace NaN/Infinity before plotting');
      }
    });
  });
}

function defaultFormat(matrix: readonly (readonly number[])[]): (v: number) => string {
  const integers = matrix.every((row) => row.every(Number.isInteger));
  return integers ? (v) => String(v) : (v) => v.toFixed(2);
}

function maxTextWidth(ctx: SKRSContext2D, texts: readonly string[]): number {
  return Math.max(0, ...texts.map((t) => ctx.measureText(t).width));
}

/** Where {@link renderHeatmap} puts things, in pixels; exported for tests, not from the package. */
export interface HeatmapLayout {
  width: number;
  height: number;
  /** Top-left corner of the matrix and the side of one square cell. */
  left: number;
  top: number;
  cellPx: number;
  matrixW: number;
  matrixH: number;
  /** The colour bar spans x ∈ [colorbarLeft, colorbarLeft + colorbarWidthPx), y ∈ [top, top + matrixH). */
  colorbarLeft: number;
  colorbarWidthPx: number;
  xLabelTop: number;
  vmin: number;
  vmax: number;
  ticks: { values: number[]; step: number };
  tickTexts: string[];
}

/** Computes the heat map's layout from the matrix shape and measured label widths (input assumed valid). */
export function layoutHeatmap(options: HeatmapOptions): HeatmapLayout {
  const { matrix, rowLabels, colLabels, title } = options;
  const rows = matrix.length;
  const cols = colLabels.length;
  const cellPx = Math.max(
    LAYOUT.minCellPx,
    Math.min(LAYOUT.maxCellPx, Math.floor(LAYOUT.matrixTargetPx / Math.max(rows, cols))),
  );
  let vmin = Infinity;
  let vmax = -Infinity;
  for (const row of matrix) {
    for (const v of row) {
      vmin = Math.min(vmin, v);
      vmax = Math.max(vmax, v);
    }
  }
  const ticks = niceTicks(vmin, vmax, 7);
  const tickTexts = ticks.values.map((v) => formatTick(v, ticks.step));

  // Measure first, then size the canvas so nothing is clipped whatever the label lengths.
  const { ctx: probe } = createFigure(1, 1);
  setFont(probe, TEXT_PX.tick);
  const rowLabelW = maxTextWidth(probe, rowLabels);
  const colLabelW = maxTextWidth(probe, colLabels);
  const colorbarLabelW = maxTextWidth(probe, tickTexts);
  setFont(probe, TEXT_PX.title);
  const titleW = probe.measureText(title).width;
  const diag = Math.SQRT1_2;
  // A label rotated 45° about its right end drops by w·sin45 + (its height)·cos45 (see the anchor shift below).
  const colLabelDrop = Math.ceil(colLabelW * diag + TEXT_PX.tick * diag);
  const colLabelLeftOverhang = Math.ceil(colLabelW * diag);

  const matrixW = cols * cellPx;
  const matrixH = rows * cellPx;
  const yLabelBand = TEXT_PX.label + LAYOUT.labelPadPx;
  const left = Math.ceil(
    LAYOUT.marginPx +
      Math.max(yLabelBand + rowLabelW + LAYOUT.tickPx + LAYOUT.tickPadPx, colLabelLeftOverhang - cellPx / 2),
  );
  const top = LAYOUT.marginPx + TEXT_PX.title + LAYOUT.titlePadPx;
  const colorbarLeft = left + matrixW + LAYOUT.colorbarGapPx;
  const width = Math.max(
    Math.ceil(colorbarLeft + LAYOUT.colorbarWidthPx + LAYOUT.tickPx + LAYOUT.tickPadPx + colorbarLabelW) +
      LAYOUT.marginPx,
    Math.ceil(left + matrixW / 2 + titleW / 2 + LAYOUT.marginPx),
  );
  const xLabelTop = top + matrixH + LAYOUT.tickPx + LAYOUT.tickPadPx + colLabelDrop + LAYOUT.labelPadPx;
  const height = xLabelTop + TEXT_PX.label + 4 + LAYOUT.marginPx;
  return {
    width,
    height,
    left,
    top,
    cellPx,
    matrixW,
    matrixH,
    colorbarLeft,
    colorbarWidthPx: LAYOUT.colorbarWidthPx,
    xLabelTop,
    vmin,
    vmax,
    ticks,
    tickTexts,
  };
}

/**
 * A labelled heat map such as a confusion matrix (rows = true class, columns = predicted class), in the manner of
 * matplotlib's `imshow` + sklearn's `ConfusionMatrixDisplay`: square cells coloured with `viridis` from the
 * matrix's min (dark purple) to max (yellow), each cell's value printed in white on dark cells and black on light
 * ones, row labels on the left, column labels below rotated 45° so long class names (`T-shirt/top`) fit, a title,
 * axis labels and a colour bar with ticks on the right.
 *
 * Size: derived from the labels; a 10 × 10 FashionMNIST confusion matrix is 690 × 634 px (48-px cells).
 * Deterministic: the same input gives the same PNG bytes.
 *
 * @returns PNG bytes.
 * @throws {FiguresError} `FIGURES_BAD_INPUT` for an empty matrix, label counts that differ from the matrix's
 *   shape, ragged rows, or a non-finite value.
 * @example
 * const png = await renderHeatmap({
 *   matrix: confusion, rowLabels: classes, colLabels: classes,
 *   title: 'Confusion matrix', xLabel: 'Predicted label', yLabel: 'True label',
 * });
 */
export async function renderHeatmap(options: HeatmapOptions): Promise<Uint8Array> {
  validate(options);
  const { matrix, rowLabels, colLabels, title, xLabel, yLabel } = options;
  const format = options.valueFormat ?? defaultFormat(matrix);
  const { width, height, left, top, cellPx, matrixW, matrixH, colorbarLeft, xLabelTop, vmin, vmax, ticks, tickTexts } =
    layoutHeatmap(options);
  const rows = matrix.length;
  const cols = colLabels.length;
  const diag = Math.SQRT1_2;
  const { canvas, ctx } = createFigure(width, height);

  // Cells, then their values in a contrasting colour.
  // 13 px up to 31-px cells, then ~0.42 of the cell: 9 px in the smallest (22-px) cells.
  setFont(ctx, Math.min(LAYOUT.maxValuePx, Math.floor(cellPx * 0.42)));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const valueMaxW = cellPx - 4;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = matrix[r][c];
      const rgb = sampleColormap(VIRIDIS, vmax > vmin ? (v - vmin) / (vmax - vmin) : 0);
      const x = left + c * cellPx;
      const y = top + r * cellPx;
      ctx.fillStyle = toHex(rgb);
      ctx.fillRect(x, y, cellPx, cellPx);
      ctx.fillStyle = luminance(rgb) > 0.2 ? '#000000' : '#ffffff';
      // maxWidth squeezes a long number into its cell instead of letting it run into the neighbours.
      ctx.fillText(format(v), x + cellPx / 2, y + cellPx / 2, valueMaxW);
    }
  }
  strokeFrame(ctx, left, top, matrixW, matrixH);

  // Ticks and tick labels.
  ctx.fillStyle = '#000000';
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  setFont(ctx, TEXT_PX.tick);
  ctx.beginPath();
  for (let r = 0; r < rows; r++) {
    const y = crisp(top + r * cellPx + cellPx / 2 - 0.5);
    ctx.moveTo(left - 1, y);
    ctx.lineTo(left - 1 - LAYOUT.tickPx, y);
  }
  for (let c = 0; c < cols; c++) {
    const x = crisp(left + c * cellPx + cellPx / 2 - 0.5);
    ctx.moveTo(x, top + matrixH + 1);
    ctx.lineTo(x, top + matrixH + 1 + LAYOUT.tickPx);
  }
  ctx.stroke();
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  rowLabels.forEach((label, r) => {
    ctx.fillText(label, left - 1 - LAYOUT.tickPx - LAYOUT.tickPadPx, top + r * cellPx + cellPx / 2);
  });
  colLabels.forEach((label, c) => {
    ctx.save();
    // Right end of the label at the tick, running down-left at 45° (matplotlib rotation=45, ha='right').
    ctx.translate(
      left + c * cellPx + cellPx / 2 + (TEXT_PX.tick * diag) / 2,
      top + matrixH + 1 + LAYOUT.tickPx + LAYOUT.tickPadPx + (TEXT_PX.tick * diag) / 2,
    );
    ctx.rotate(-Math.PI / 4);
    ctx.fillText(label, 0, 0);
    ctx.restore();
  });

  // Title and axis labels.
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  setFont(ctx, TEXT_PX.title);
  ctx.fillText(title, left + matrixW / 2, top - LAYOUT.titlePadPx - 4);
  setFont(ctx, TEXT_PX.label);
  ctx.textBaseline = 'top';
  ctx.fillText(xLabel, left + matrixW / 2, xLabelTop);
  ctx.save();
  ctx.translate(LAYOUT.marginPx, top + matrixH / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();

  drawColorbar(ctx, colorbarLeft, top, matrixH, vmin, vmax, ticks.values, tickTexts);
  return encodePng(canvas);
}

/** A vertical colour bar: vmax at the top, vmin at the bottom, ticks and labels on its right. */
function drawColorbar(
  ctx: SKRSContext2D,
  x: number,
  y: number,
  h: number,
  vmin: number,
  vmax: number,
  tickValues: readonly number[],
  tickTexts: readonly string[],
): void {
  const w = LAYOUT.colorbarWidthPx;
  for (let i = 0; i < h; i++) {
    const t = h === 1 ? 0 : 1 - i / (h - 1);
    ctx.fillStyle = toHex(sampleColormap(VIRIDIS, t));
    ctx.fillRect(x, y + i, w, 1);
  }
  strokeFrame(ctx, x, y, w, h);
  ctx.fillStyle = '#000000';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  setFont(ctx, TEXT_PX.tick);
  ctx.beginPath();
  tickValues.forEach((v, i) => {
    const frac = vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.5;
    const ty = crisp(y + (1 - frac) * (h - 1));
    ctx.moveTo(x + w + 1, ty);
    ctx.lineTo(x + w + 1 + LAYOUT.tickPx, ty);
    ctx.fillText(tickTexts[i], x + w + 1 + LAYOUT.tickPx + LAYOUT.tickPadPx, ty);
  });
  ctx.stroke();
}
