/**
 * Run colours: a function of the run's name, the same on every dashboard. A run's preferred palette slot is a hash
 * of its name; a run takes the least used slot, searching from its preferred one, so runs stay apart while the
 * palette lasts. A colour, once given, is never changed during the page's life, whatever runs appear later (a new run
 * that sorts or starts before the others included); runs first seen together are given slots in name order, so the
 * same set of runs gets the same colours on every load.
 */
import { PALETTE } from './colors.ts';

/** FNV-1a over the name's UTF-16 code units: cheap, and spreads similar names (`lr=0.1`, `lr=0.2`) apart. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The colours given so far in one page. */
export class RunColors {
  private readonly given = new Map<string, number>();
  private readonly uses: number[];

  constructor(private readonly palette: readonly string[] = PALETTE) {
    this.uses = palette.map(() => 0);
  }

  /** Gives colours to the runs not seen before, in name order (call with each new run list). */
  assign(runs: Iterable<string>): void {
    const fresh = [...new Set(runs)].filter((r) => !this.given.has(r)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const run of fresh) {
      const n = this.palette.length;
      const preferred = nameHash(run) % n;
      let best = preferred;
      for (let i = 1; i < n; i++) {
        const slot = (preferred + i) % n;
        if (this.uses[slot]! < this.uses[best]!) best = slot;
      }
      this.given.set(run, best);
      this.uses[best]!++;
    }
  }

  /** The run's colour (given now if the run is new). */
  color(run: string): string {
    if (!this.given.has(run)) this.assign([run]);
    return this.palette[this.given.get(run)!]!;
  }
}
