import type { SKRSContext2D } from '@napi-rs/canvas';
import { categoricalColor } from './palette.ts';
import { createFigure, crisp, encodePng, setFont, strokeFrame, TEXT_PX } from './canvas.ts';
import { badInput } from './errors.ts';
import { formatTick, niceTicks } from './ticks.ts';

/** Input of {@link renderScatter}. */
export interface ScatterOptions {
  /** n points as interleaved x, y pairs (length 2n, n ≥ 1), e.g. a 2-D PCA or UMAP embedding. Finite values. */
  points: Float32Array;
  /** n class indices, each in [0, classNames.length). Point i is drawn in colour `categoricalColor(labels[i])`. */
  labels: Uint8Array | Uint16Array | Int32Array;
  /**
   * At least one class name, shown in the legend in this order. The first 10 colours are matplotlib's `tab10`;
   * up to 39 are distinct (`CATEGORICAL`), past that they repeat. A legend taller than the axes lists the
   * classes that fit and then how many more there are.
   */
  classNames: readonly string[];
  /** Drawn in bold above the axes. */
  title: string;
  /** Optional second line under the title, in grey (e.g. `PCA of 10 000 test images`). */
  subtitle?: string;
  /** Optional label under the x axis. */
  xLabel?: string;
  /** Optional label left of the y axis, rotated. */
  yLabel?: string;
}

/**
 * Layout in pixels. 900 × 640, matplotlib-like: axes with outward ticks, 5 % data margins (`axes.xmargin`), and
 * the legend outside the axes on the right (`bbox_to_anchor=(1.02, 1)`), so it never hides points.
 */
const LAYOUT = {
  widthPx: 900,
  heightPx: 640,
  marginPx: 16,
  titleGapPx: 6,
  axesPadTopPx: 14,
  tickPx: 5,
  tickPadPx: 4,
  labelPadPx: 8,
  dataMargin: 0.05,
  legendGapPx: 16,
  legendPadPx: 8,
  legendRowPx: 20,
  legendMarkerPx: 5,
} as const;

function validate(o: ScatterOptions): number {
  const { points, labels, classNames } = o;
  if (classNames.length === 0) {
    throw badInput('0 class names', 'at least 1', 'pass one name per class');
  }
  if (points.length === 0 || points.length % 2 !== 0) {
    throw badInput(
      `points of length ${points.length}`,
      'a positive even length (x, y pairs)',
      'pass n points as a Float32Array of 2n interleaved coordinates',
    );
  }
  const n = points.length / 2;
  if (labels.length !== n) {
    throw badInput(`${n} points and ${labels.length} labels`, 'one label per point', 'pass labels.length === points.length / 2');
  }
  for (let i = 0; i < n; i++) {
    if (!(labels[i] >= 0 && labels[i] < classNames.length)) {
      throw badInput(
        `label ${labels[i]} at point ${i}`,
        `a class index in [0, ${classNames.length})`,
        'pass class indices that match classNames',
      );
    }
    if (!Number.isFinite(points[2 * i]) || !Number.isFinite(points[2 * i + 1])) {
      throw badInput(
        `point ${i} = (${points[2 * i]}, ${points[2 * i + 1]})`,
        'finite coordinates',
        'drop or fix NaN/Infinity points before plotting',
      );
    }
  }
  return n;
}

/** [lo, hi] of one coordinate, widened by matplotlib's 5 % margin; a zero range gets ±0.5 so it stays visible. */
function viewLimits(points: Float32Array, axis: 0 | 1): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = axis; i < points.length; i += 2) {
    lo = Math.min(lo, points[i]);
    hi = Math.max(hi, points[i]);
  }
  if (hi === lo) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * LAYOUT.dataMargin;
  return [lo - pad, hi + pad];
}

/** Marker radius in pixels: smaller as the cloud gets denser, so 10 000 points stay legible. */
function markerRadiusPx(n: number): number {
  return n <= 1000 ? 4 : n <= 5000 ? 3 : 2.5;
}

/** Where {@link renderScatter} puts things, in pixels and data units; exported for tests, not from the package. */
export interface ScatterLayout {
  width: number;
  height: number;
  /** The axes (plot area) rectangle; the frame is drawn just outside it. */
  left: number;
  top: number;
  axW: number;
  axH: number;
  /** The legend box sits at (left + axW + legendGapPx, top). */
  legendLeft: number;
  /** Legend rows: one per class, or, when they do not fit beside the axes, as many as fit with the last saying how many more. */
  legendRows: string[];
  legendW: number;
  legendH: number;
  /** View limits in data units. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  xt: { values: number[]; step: number };
  yt: { values: number[]; step: number };
  xTexts: string[];
  yTexts: string[];
}

/** Computes the scatter plot's layout from the data range and measured label widths (input assumed valid). */
export function layoutScatter(options: ScatterOptions): ScatterLayout {
  const { points, classNames, subtitle, xLabel, yLabel } = options;
  const { widthPx: width, heightPx: height } = LAYOUT;
  const [x0, x1] = viewLimits(points, 0);
  const [y0, y1] = viewLimits(points, 1);
  const xt = niceTicks(x0, x1, 9);
  const yt = niceTicks(y0, y1, 8);
  const xTexts = xt.values.map((v) => formatTick(v, xt.step));
  const yTexts = yt.values.map((v) => formatTick(v, yt.step));

  const { ctx: probe } = createFigure(1, 1);
  setFont(probe, TEXT_PX.tick);
  const yTickW = Math.max(...yTexts.map((t) => probe.measureText(t).width));
  let top = LAYOUT.marginPx + TEXT_PX.title;
  if (subtitle) top += LAYOUT.titleGapPx + TEXT_PX.tick;
  top += LAYOUT.axesPadTopPx;
  const maxRows = Math.max(1, Math.floor((height - LAYOUT.marginPx - top - LAYOUT.legendPadPx * 2) / LAYOUT.legendRowPx));
  const legendRows =
    classNames.length <= maxRows ? [...classNames] : [...classNames.slice(0, maxRows - 1), `… ${classNames.length - (maxRows - 1)} more classes`];
  const legendTextW = Math.max(...legendRows.map((t) => probe.measureText(t).width));
  const legendW = Math.ceil(LAYOUT.legendPadPx * 3 + LAYOUT.legendMarkerPx * 2 + legendTextW);
  const legendH = LAYOUT.legendPadPx * 2 + legendRows.length * LAYOUT.legendRowPx;
  const yLabelBand = yLabel ? TEXT_PX.label + LAYOUT.labelPadPx : 0;
  const left = Math.ceil(LAYOUT.marginPx + yLabelBand + yTickW + LAYOUT.tickPx + LAYOUT.tickPadPx);
  const right = width - LAYOUT.marginPx - legendW - LAYOUT.legendGapPx;
  const xLabelBand = xLabel ? TEXT_PX.label + LAYOUT.labelPadPx : 0;
  const bottom = height - LAYOUT.marginPx - xLabelBand - TEXT_PX.tick - LAYOUT.tickPadPx - LAYOUT.tickPx;
  return {
    width,
    height,
    left,
    top,
    axW: right - left,
    axH: bottom - top,
    legendLeft: right + LAYOUT.legendGapPx,
    legendRows,
    legendW,
    legendH,
    x0,
    x1,
    y0,
    y1,
    xt,
    yt,
    xTexts,
    yTexts,
  };
}

/**
 * A 2-D scatter plot coloured by class (matplotlib's `tab10` colours for the first 10, then `CATEGORICAL`): axes frame with outward ticks and tick
 * labels, title (bold) with an optional grey subtitle, optional axis labels, and a framed legend of class names to
 * the right of the axes. Points are opaque discs drawn in input order (later points on top, as in matplotlib);
 * 10 000 points render in a few tens of milliseconds.
 *
 * Size: 900 × 640 px. Deterministic: the same input gives the same PNG bytes.
 *
 * @returns PNG bytes.
 * @throws {FiguresError} `FIGURES_BAD_INPUT` for no points, an odd `points` length, a label count that differs
 *   from the point count, a label outside the class range, a non-finite coordinate, or no class names.
 * @example
 * const png = await renderScatter({
 *   points: pca2d, labels, classNames: classes, title: 'Test images, PCA', subtitle: '10 000 points',
 * });
 */
export async function renderScatter(options: ScatterOptions): Promise<Uint8Array> {
  const n = validate(options);
  const { points, labels, classNames, title, subtitle, xLabel, yLabel } = options;
  const { width, height, left, top, axW, axH, legendW, legendH, legendRows, x0, x1, y0, y1, xt, yt, xTexts, yTexts } =
    layoutScatter(options);
  const right = left + axW;
  const bottom = top + axH;
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * axW;
  const py = (y: number) => bottom - ((y - y0) / (y1 - y0)) * axH;
  const { canvas, ctx } = createFigure(width, height);

  // Points: one path per run of equal labels keeps input order (z-order) while batching native calls.
  const r = markerRadiusPx(n);
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, axW, axH);
  ctx.clip();
  let i = 0;
  while (i < n) {
    const label = labels[i];
    ctx.beginPath();
    for (; i < n && labels[i] === label; i++) {
      const cx = px(points[2 * i]);
      const cy = py(points[2 * i + 1]);
      ctx.moveTo(cx + r, cy);
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    }
    ctx.fillStyle = categoricalColor(label);
    ctx.fill();
  }
  ctx.restore();
  strokeFrame(ctx, left, top, axW, axH);

  // Ticks and tick labels.
  ctx.fillStyle = '#000000';
  ctx.lineWidth = 1;
  setFont(ctx, TEXT_PX.tick);
  ctx.beginPath();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  xt.values.forEach((v, k) => {
    const x = crisp(px(v) - 0.5);
    ctx.moveTo(x, bottom + 1);
    ctx.lineTo(x, bottom + 1 + LAYOUT.tickPx);
    ctx.fillText(xTexts[k], x, bottom + 1 + LAYOUT.tickPx + LAYOUT.tickPadPx);
  });
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  yt.values.forEach((v, k) => {
    const y = crisp(py(v) - 0.5);
    ctx.moveTo(left - 1, y);
    ctx.lineTo(left - 1 - LAYOUT.tickPx, y);
    ctx.fillText(yTexts[k], left - 1 - LAYOUT.tickPx - LAYOUT.tickPadPx, y);
  });
  ctx.stroke();

  // Title, subtitle and axis labels.
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  setFont(ctx, TEXT_PX.title, 'bold');
  ctx.fillText(title, left + axW / 2, LAYOUT.marginPx);
  if (subtitle) {
    setFont(ctx, TEXT_PX.tick);
    ctx.fillStyle = '#555555';
    ctx.fillText(subtitle, left + axW / 2, LAYOUT.marginPx + TEXT_PX.title + LAYOUT.titleGapPx);
    ctx.fillStyle = '#000000';
  }
  setFont(ctx, TEXT_PX.label);
  if (xLabel) ctx.fillText(xLabel, left + axW / 2, height - LAYOUT.marginPx - TEXT_PX.label);
  if (yLabel) {
    ctx.save();
    ctx.translate(LAYOUT.marginPx, top + axH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();
  }

  drawLegend(ctx, right + LAYOUT.legendGapPx, top, legendW, legendH, legendRows, classNames.length);
  return encodePng(canvas);
}

/**
 * matplotlib's legend look: white box, light grey rounded frame, one marker and name per class; a last row of
 * `… N more classes` (when `rows` is shorter than the class count) has no marker.
 */
function drawLegend(
  ctx: SKRSContext2D,
  x: number,
  y: number,
  w: number,
  h: number,
  rows: readonly string[],
  classCount: number,
): void {
  ctx.save();
  ctx.fillStyle = '#ffffff';
  ctx.strokeStyle = '#cccccc';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.roundRect(crisp(x), crisp(y), w, h, 3);
  ctx.fill();
  ctx.stroke();
  setFont(ctx, TEXT_PX.tick);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  rows.forEach((name, k) => {
    const cy = y + LAYOUT.legendPadPx + k * LAYOUT.legendRowPx + LAYOUT.legendRowPx / 2;
    const cx = x + LAYOUT.legendPadPx + LAYOUT.legendMarkerPx;
    if (rows.length === classCount || k < rows.length - 1) {
      ctx.fillStyle = categoricalColor(k);
      ctx.beginPath();
      ctx.arc(cx, cy, LAYOUT.legendMarkerPx, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.fillStyle = '#000000';
    ctx.fillText(name, cx + LAYOUT.legendMarkerPx + LAYOUT.legendPadPx, cy);
  });
  ctx.restore();
}
