/**
 * The contract between the app shell (ui/main.ts, tabs, run selector, URL state) and each dashboard
 * (ui/dashboards/<name>/). A dashboard is mounted into an element and updated when the shell's state changes; it
 * talks to the server only through TensorBoard's routes and /api/*, via `fetchJson`/`fetchBytes`.
 */

/** What the shell gives every dashboard. */
export interface DashboardContext {
  /** Runs the user has selected, in /data/runs order. */
  selectedRuns: readonly string[];
  /** Every run, in /data/runs order. */
  allRuns: readonly string[];
  /** The run's colour, stable across dashboards and reloads (CSS colour string). */
  runColor(run: string): string;
  /** Tag filter regex as typed by the user ('' = all); dashboards match tags against it case-insensitively. */
  tagFilter: string;
  /** Dashboard-specific state kept in the URL (e.g. smoothing); read with get, change with set (pushes to the URL). */
  getParam(name: string): string | undefined;
  setParam(name: string, value: string | undefined): void;
  /** GET/POST to the server, relative to its root (e.g. `data/plugin/scalars/tags`); throws on HTTP errors. */
  fetchJson<T = unknown>(path: string, init?: RequestInit): Promise<T>;
  fetchBytes(path: string, init?: RequestInit): Promise<ArrayBuffer>;
  /** 'light' | 'dark', following prefers-color-scheme. */
  theme: 'light' | 'dark';
  /** Switch to another tab with these URL params (e.g. HPARAMS → a run's SCALARS: `navigate('scalars', { run: [name] })`,
   *  where `run` lists the runs to select). Optional so dashboards written before it still type-check. */
  navigate?(tab: string, params: Record<string, string | readonly string[]>): void;
}

/** A mounted dashboard. */
export interface DashboardView {
  /** The shell's state changed (runs, filter, theme, params) or the server reported new data (`changed` lists the
   *  SSE messages since the last update, empty when only state changed). Must keep the user's zoom and selection. */
  update(ctx: DashboardContext, changed: readonly { run: string; plugin: string; tag: string; lastStep: number }[]): void;
  destroy(): void;
}

/** A tab. */
export interface Dashboard {
  /** URL id, e.g. 'scalars'. */
  id: string;
  /** Tab title, e.g. 'SCALARS'. */
  title: string;
  /** Plugin names in /data/plugins_listing whose `enabled` makes this tab appear (any of them). */
  plugins: readonly string[];
  mount(element: HTMLElement, ctx: DashboardContext): DashboardView;
  /** GET paths (as given to `fetchJson`) the shell requests at page load, in parallel with the run list, when this
   *  is the tab shown first; the dashboard's first `fetchJson` of each is answered from that request. Optional. */
  prefetch?: readonly string[];
}
