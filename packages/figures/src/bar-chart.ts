import { createFigure, crisp, encodePng, setFont, strokeFrame, TEXT_PX } from './canvas.ts';
import { badInput } from './errors.ts';
import { TAB10 } from './colormaps.ts';
import { formatTick, niceTicks } from './ticks.ts';

/** Input of {@link renderBarChart}. */
export interface BarChartOptions {
  /** One label per bar, drawn left of it, top to bottom in this order (e.g. `Shirt → T-shirt/top`). */
  labels: readonly string[];
  /** One finite value ≥ 0 per bar. */
  values: readonly number[];
  /** Optional text printed right of each bar (default: the value). */
  valueTexts?: readonly string[];
  /** Drawn in bold above the bars. */
  title: string;
  /** Optional grey line under the title. */
  subtitle?: string;
  /** Label under the value axis. */
  xLabel: string;
}

const LAYOUT = {
  barsWidthPx: 520,
  rowPx: 24,
  barFill: 0.7,
  marginPx: 16,
  titleGapPx: 6,
  axesPadTopPx: 12,
  tickPx: 5,
  tickPadPx: 4,
  labelPadPx: 8,
  valuePadPx: 6,
} as const;

/**
 * A horizontal bar chart with labelled bars, the value printed at each bar's end and a value axis with ticks below:
 * what evaluate draws instead of the confusion matrix above 30 classes (the most frequent confusions, `true →
 * predicted`), in matplotlib's look (tab10 blue bars, DejaVu Sans). Size: 24 px per bar, width from the labels.
 * Deterministic: the same input gives the same PNG bytes.
 * @returns PNG bytes.
 * @throws {FiguresError} `FIGURES_BAD_INPUT` for no bars, label and value counts that differ, or a value that is
 *   negative or not finite.
 * @example const png = await renderBarChart({ labels: ['Shirt → T-shirt/top'], values: [112], title: 'Top confused pairs', xLabel: 'test images' });
 */
export async function renderBarChart(options: BarChartOptions): Promise<Uint8Array> {
  const { labels, values, title, subtitle, xLabel } = options;
  if (labels.length === 0) throw badInput('0 bars', 'at least 1', 'pass one label and one value per bar');
  if (values.length !== labels.length) throw badInput(`${labels.length} labels and ${values.length} values`, 'one value per label', 'pass equally long labels and values');
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0) throw badInput(`value ${i} = ${v}`, 'a finite number ≥ 0', 'pass counts or other non-negative values');
  });
  const texts = options.valueTexts ?? values.map((v) => String(v));
  const max = Math.max(...values);
  const ticks = niceTicks(0, max > 0 ? max : 1, 6);
  // 5 % headroom, so the longest bar ends before the frame and its value stays outside it.
  const axisMax = Math.max(max > 0 ? max * 1.05 : 1, ticks.values.at(-1) ?? 1);
  const tickTexts = ticks.values.map((v) => formatTick(v, ticks.step));

  const { ctx: probe } = createFigure(1, 1);
  setFont(probe, TEXT_PX.tick);
  const labelW = Math.ceil(Math.max(...labels.map((l) => probe.measureText(l).width)));
  const valueW = Math.ceil(Math.max(...texts.map((t) => probe.measureText(t).width)));
  setFont(probe, TEXT_PX.title, 'bold');
  const titleW = Math.ceil(probe.measureText(title).width);

  let top = LAYOUT.marginPx + TEXT_PX.title;
  if (subtitle) top += LAYOUT.titleGapPx + TEXT_PX.tick;
  top += LAYOUT.axesPadTopPx;
  const left = LAYOUT.marginPx + labelW + LAYOUT.tickPx + LAYOUT.tickPadPx;
  const axW = LAYOUT.barsWidthPx;
  const axH = labels.length * LAYOUT.rowPx;
  const width = Math.max(left + axW + LAYOUT.valuePadPx + valueW + LAYOUT.marginPx, titleW + 2 * LAYOUT.marginPx);
  const height = top + axH + LAYOUT.tickPx + LAYOUT.tickPadPx + TEXT_PX.tick + LAYOUT.labelPadPx + TEXT_PX.label + LAYOUT.marginPx;
  const { canvas, ctx } = createFigure(width, height);
  const px = (v: number) => left + (v / axisMax) * axW;

  // Bars, labels and values.
  ctx.textBaseline = 'middle';
  setFont(ctx, TEXT_PX.tick);
  labels.forEach((label, i) => {
    const cy = top + i * LAYOUT.rowPx + LAYOUT.rowPx / 2;
    const barH = Math.round(LAYOUT.rowPx * LAYOUT.barFill);
    ctx.fillStyle = TAB10[0];
    ctx.fillRect(left, Math.round(cy - barH / 2), Math.max(0, px(values[i]) - left), barH);
    ctx.fillStyle = '#000000';
    ctx.textAlign = 'right';
    ctx.fillText(label, left - LAYOUT.tickPx - LAYOUT.tickPadPx, cy);
    ctx.textAlign = 'left';
    ctx.fillText(texts[i], px(values[i]) + LAYOUT.valuePadPx, cy);
  });
  strokeFrame(ctx, left, top, axW, axH);

  // Value axis.
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ticks.values.forEach((v, k) => {
    const x = crisp(px(v) - 0.5);
    ctx.moveTo(x, top + axH + 1);
    ctx.lineTo(x, top + axH + 1 + LAYOUT.tickPx);
    ctx.fillText(tickTexts[k], x, top + axH + 1 + LAYOUT.tickPx + LAYOUT.tickPadPx);
  });
  ctx.stroke();
  setFont(ctx, TEXT_PX.label);
  ctx.fillText(xLabel, left + axW / 2, top + axH + LAYOUT.tickPx + LAYOUT.tickPadPx + TEXT_PX.tick + LAYOUT.labelPadPx);

  // Title and subtitle.
  setFont(ctx, TEXT_PX.title, 'bold');
  ctx.fillText(title, width / 2, LAYOUT.marginPx);
  if (subtitle) {
    setFont(ctx, TEXT_PX.tick);
    ctx.fillStyle = '#555555';
    ctx.fillText(subtitle, width / 2, LAYOUT.marginPx + TEXT_PX.title + LAYOUT.titleGapPx);
  }
  return encodePng(canvas);
}
