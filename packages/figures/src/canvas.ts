import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { ensureFonts, fontFamily } from './fonts.ts';

/** Text sizes in CSS pixels, from matplotlib's defaults at 100 dpi (10 pt ticks and labels, 12 pt titles). */
export const TEXT_PX = { tick: 13, label: 14, title: 17, predictionTitle: 19 } as const;

/** A white canvas of the given size in pixels with the bundled font ready, like a fresh matplotlib figure. */
export function createFigure(widthPx: number, heightPx: number): { canvas: Canvas; ctx: SKRSContext2D } {
  ensureFonts();
  const canvas = createCanvas(widthPx, heightPx);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, widthPx, heightPx);
  ctx.fillStyle = '#000000';
  ctx.strokeStyle = '#000000';
  ctx.textBaseline = 'alphabetic';
  // The canvas default is `10px sans-serif`, which a host without fonts cannot draw: never leave it in place.
  setFont(ctx, TEXT_PX.tick);
  return { canvas, ctx };
}

/** Sets `ctx.font` to the bundled DejaVu Sans at `sizePx`. */
export function setFont(ctx: SKRSContext2D, sizePx: number, weight: 'normal' | 'bold' = 'normal'): void {
  ctx.font = `${weight === 'bold' ? 'bold ' : ''}${sizePx}px "${fontFamily}"`;
}

/** The canvas as PNG bytes. Same pixels give the same bytes: no timestamps or other metadata are written. */
export async function encodePng(canvas: Canvas): Promise<Uint8Array> {
  const buf = await canvas.encode('png');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * A 1-px line crisp on the pixel grid: canvas coordinates are pixel edges, so a 1-px stroke must run through
 * pixel centres (x + 0.5) or it smears over two half-grey pixels.
 */
export function crisp(v: number): number {
  return Math.round(v) + 0.5;
}

/** Draws a matplotlib-style axes frame (black 1-px spines) around the rectangle. */
export function strokeFrame(ctx: SKRSContext2D, x: number, y: number, w: number, h: number): void {
  ctx.save();
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  ctx.strokeRect(crisp(x) - 1, crisp(y) - 1, Math.round(w) + 1, Math.round(h) + 1);
  ctx.restore();
}
