/**
 * `@tbpipe/figures`: the tutorial's matplotlib figures as pure functions returning PNG bytes, drawn with skia
 * (`@napi-rs/canvas`) and the bundled DejaVu Sans, so they look the same on hosts without fonts and give the same
 * bytes for the same input.
 */
export { renderPredictionsFigure, predictionsFigureWidth, IMAGE_SIDE } from './predictions-figure.ts';
export type { PredictionsFigureOptions, PredictionTitle } from './predictions-figure.ts';
export { renderHeatmap } from './heatmap.ts';
export type { HeatmapOptions } from './heatmap.ts';
export { renderScatter } from './scatter.ts';
export type { ScatterOptions } from './scatter.ts';
export { fontFamily, ensureFonts } from './fonts.ts';
export { FiguresError } from './errors.ts';
export { TAB10, GREYS, VIRIDIS } from './colormaps.ts';
export type { Rgb, Colormap } from './colormaps.ts';
