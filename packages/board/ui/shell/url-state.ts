/**
 * The app's state in the URL query, so a view can be bookmarked and shared: `tab`, `run` (repeated; absent = every
 * run selected), `runFilter`, `tagFilter`, and each dashboard's own params (e.g. `smoothing`, `x`). Param changes
 * replace the history entry (a dragged slider must not flood history); tab changes push one.
 */
export class UrlState {
  private params: URLSearchParams;

  constructor(private readonly onExternalChange: () => void) {
    this.params = new URLSearchParams(location.search);
    window.addEventListener('popstate', () => {
      this.params = new URLSearchParams(location.search);
      this.onExternalChange();
    });
  }

  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  getAll(name: string): string[] {
    return this.params.getAll(name);
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** Sets (or with undefined / empty string deletes) one param; `push` adds a history entry. */
  set(name: string, value: string | readonly string[] | undefined, push = false): void {
    this.params.delete(name);
    if (Array.isArray(value)) for (const v of value) this.params.append(name, v);
    else if (value !== undefined && value !== '') this.params.set(name, value as string);
    this.write(push);
  }

  /** Replaces every param at once (navigation to another tab with its params). */
  replaceAll(next: Record<string, string | readonly string[]>, push: boolean): void {
    this.params = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) {
      if (Array.isArray(v)) for (const x of v) this.params.append(k, x);
      else this.params.set(k, v as string);
    }
    this.write(push);
  }

  private timer: ReturnType<typeof setTimeout> | null = null;

  /** History writes: a push at once; replaces coalesced (a dragged slider would otherwise call replaceState at
   *  every input event, which Chromium throttles with a warning after a couple hundred calls). */
  private write(push: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (push) this.writeNow(true);
    else this.timer = setTimeout(() => { this.timer = null; this.writeNow(false); }, 150);
  }

  private writeNow(push: boolean): void {
    const query = this.params.toString();
    const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
    if (push) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }
}
