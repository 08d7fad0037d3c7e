/** An RGB colour, each channel an integer 0–255. */
export type Rgb = readonly [number, number, number];

/** A 256-entry lookup table: entry i is the colour for the normalized value i / 255. */
export type Colormap = readonly Rgb[];

function parseHex(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Linear interpolation between evenly spaced anchors, as matplotlib's LinearSegmentedColormap.from_list does. */
function lutFromAnchors(hexes: readonly string[]): Colormap {
  const anchors = hexes.map(parseHex);
  const lut: Rgb[] = [];
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (anchors.length - 1);
    const k = Math.min(Math.floor(t), anchors.length - 2);
    const f = t - k;
    const a = anchors[k];
    const b = anchors[k + 1];
    lut.push([0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as unknown as Rgb);
  }
  return lut;
}

/**
 * matplotlib's `Greys`: white at 0, black at 1 (ColorBrewer's 9-class Greys, interpolated), the colormap the
 * tutorial's `matplotlib_imshow(img, one_channel=True)` uses. High pixel values come out dark.
 */
export const GREYS: Colormap = lutFromAnchors([
  '#ffffff', '#f0f0f0', '#d9d9d9', '#bdbdbd', '#969696', '#737373', '#525252', '#252525', '#000000',
]);

/**
 * matplotlib's default `viridis`, rebuilt from its 11 colours at 0, 0.1, …, 1 (each within one step of 255 of
 * matplotlib's 256-entry table): dark purple at 0 through teal to yellow at 1.
 */
export const VIRIDIS: Colormap = lutFromAnchors([
  '#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26',
  '#fde725',
]);

/** matplotlib's `tab10`, the default colour cycle: 10 distinct categorical colours, as CSS hex strings. */
export const TAB10: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

/** The LUT entry for `t` in [0, 1] (clamped), rounding as matplotlib does (`int(t * N)`, N = 256, top bin 255). */
export function sampleColormap(lut: Colormap, t: number): Rgb {
  const i = Math.min(255, Math.max(0, Math.floor(t * 256)));
  return lut[i];
}

/** `#rrggbb` for an {@link Rgb}. */
export function toHex([r, g, b]: Rgb): string {
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

/** Relative luminance (sRGB, WCAG), 0 for black to 1 for white: decides black or white text on a cell. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
