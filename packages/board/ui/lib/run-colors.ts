/**
 * Run colours: a function of the run's name, the same on every dashboard. A run's preferred palette slot is a hash
 * of its name; a run takes the least used slot, searching from its preferred one through the far-apart primary
 * colours first and the rest after, so runs stay apart (and the first eight clearly so) while the palette lasts. A colour, once given, is never changed during the page's life, whatever runs appear later (a new run
 * that sorts or starts before the others included); runs first seen together are given slots in name order, so the
 * same set of runs gets the same colours on every load.
 */
import { PALETTE, PRIMARY_COLORS } from './colors.ts';

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

  constructor(private readonly palette: readonly string[] = PALETTE, private readonly primary = PRIMARY_COLORS) {
    this.uses = palette.map(() => 0);
  }

  /** The slots a run looks at, best first: the primary ones from its hash, then the others from its hash. */
  private order(run: string): number[] {
    const h = nameHash(run);
    const p = this.primary;
    const rest = this.palette.length - p;
    return [
      ...Array.from({ length: p }, (_, i) => (h + i) % p),
      ...Array.from({ length: rest }, (_, i) => p + ((h + i) % rest)),
    ];
  }

  /** Gives colours to the runs not seen before, in name order (call with each new run list). */
  assign(runs: Iterable<string>): void {
    const fresh = [...new Set(runs)].filter((r) => !this.given.has(r)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const run of fresh) {
      let best = -1;
      for (const slot of this.order(run)) if (best < 0 || this.uses[slot]! < this.uses[best]!) best = slot;
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
