/**
 * `@tbpipe/figures`: the tutorial's matplotlib figures as pure functions returning PNG bytes, drawn with skia
 * (`@napi-rs/canvas`) and the bundled DejaVu Sans, so they look the same on hosts without fonts and give the same
 * bytes for the same input.
 */
export { renderPredictionsFigure, predictionsFigureWidth, drawnSize, IMAGE_SIDE, CELL_SIDE, TUTORIAL_IMAGE_SHAPE } from './predictions-figure.ts';
export type { PredictionsFigureOptions, PredictionTitle, ImageShape } from './predictions-figure.ts';
export { renderHeatmap } from './heatmap.ts';
export type { HeatmapOptions } from './heatmap.ts';
export { renderScatter } from './scatter.ts';
export type { ScatterOptions } from './scatter.ts';
export { fontFamily, ensureFonts } from './fonts.ts';
export { FiguresError } from './errors.ts';
export { TAB10, GREYS, VIRIDIS } from './colormaps.ts';
export type { Rgb, Colormap } from './colormaps.ts';
export { makeImageGrid } from './image-grid.ts';
export type { RgbImage } from './image-grid.ts';
export { CATEGORICAL, categoricalColor } from './palette.ts';
export { renderBarChart } from './bar-chart.ts';
export type { BarChartOptions } from './bar-chart.ts';
