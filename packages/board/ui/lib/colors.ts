/** The run palette, shared by every dashboard (which run gets which colour: `run-colors.ts`). The first
 *  {@link PRIMARY_COLORS} are far apart and used first; the rest are close to one of them and used only after. */
export const PALETTE: readonly string[] = [
  '#ff7043', '#0077bb', '#009988', '#ee3377', '#33bbee', '#cc3311', '#228833', '#ccbb44',
  '#aa3377', '#4477aa', '#66ccee', '#bbbbbb', '#ee7733', '#994455', '#997700', '#6699cc',
];

/** How many of {@link PALETTE}'s colours, from the start, are given before any of the others. */
export const PRIMARY_COLORS = 8;

/** `#rrggbb` with an alpha in 0..1, as an rgba() string (for raw series and bands). */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Colours of chart chrome per theme (axes, grid, text); the CSS variables mirror them for the page. */
export function chartTheme(theme: 'light' | 'dark'): { axis: string; grid: string; text: string; bg: string } {
  return theme === 'dark'
    ? { axis: '#9aa0a6', grid: 'rgba(255,255,255,0.08)', text: '#e8eaed', bg: '#202124' }
    : { axis: '#5f6368', grid: 'rgba(0,0,0,0.07)', text: '#202124', bg: '#ffffff' };
}
