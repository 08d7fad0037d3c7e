import {
  schemeAccent,
  schemeCategory10,
  schemeDark2,
  schemePaired,
  schemePastel1,
  schemePastel2,
  schemeSet1,
  schemeSet2,
  schemeSet3,
  schemeTableau10,
} from 'd3-scale-chromatic';

/** CIE L*a*b* (D65) of a `#rrggbb` colour. */
export function toLab(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** Colours closer than this (CIE76 ΔE) to one already kept are dropped: ~15 is "clearly another colour". */
const MIN_DELTA_E = 15;
/** Colours lighter than this L* vanish on the white background of a figure. */
const MAX_LIGHTNESS = 90;

/**
 * The categorical sets of d3-scale-chromatic (ColorBrewer's Dark2, Set1, Set2, Paired, Accent, Set3, Pastel2,
 * Pastel1 by Cynthia Brewer; Tableau10; Category10), in that order after Category10 — which is matplotlib's `tab10`
 * colour for colour, so figures of up to 10 classes are unchanged — with every colour dropped that is within ΔE 15 of
 * one kept before it or too light for a white background. 39 distinct colours; past that, colours repeat (the
 * scatter's legend says so).
 */
export const CATEGORICAL: readonly string[] = (() => {
  const sets = [schemeCategory10, schemeDark2, schemeSet1, schemeSet2, schemePaired, schemeAccent, schemeTableau10, schemeSet3, schemePastel2, schemePastel1];
  const kept: string[] = [];
  const labs: [number, number, number][] = [];
  for (const set of sets) {
    for (const colour of set) {
      const lab = toLab(colour);
      if (lab[0] > MAX_LIGHTNESS) continue;
      if (labs.some((k) => Math.hypot(lab[0] - k[0], lab[1] - k[1], lab[2] - k[2]) < MIN_DELTA_E)) continue;
      kept.push(colour);
      labs.push(lab);
    }
  }
  return kept;
})();

/** The colour of class `index` (any index ≥ 0): {@link CATEGORICAL}, repeating past its length. */
export function categoricalColor(index: number): string {
  return CATEGORICAL[index % CATEGORICAL.length];
}
