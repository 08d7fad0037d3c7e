/**
 * A dashboard whose code is loaded on first mount (esbuild splits it into its own chunk): its tab shows at once, and
 * the libraries it needs (three.js for PROJECTOR, dagre for GRAPHS) are not parsed before the first tab's first
 * paint. State and changes that arrive while the chunk loads are handed over when it is mounted.
 */
import type { Dashboard, DashboardContext, DashboardView } from './types.ts';

type Change = Parameters<DashboardView['update']>[1][number];

/** `meta` must equal the loaded dashboard's id, title and plugins (the registry needs them before loading). */
export function lazyDashboard(meta: Pick<Dashboard, 'id' | 'title' | 'plugins'>, load: () => Promise<Dashboard>): Dashboard {
  return {
    ...meta,
    mount(element: HTMLElement, ctx: DashboardContext): DashboardView {
      let latest = ctx;
      let pending: Change[] = [];
      let view: DashboardView | null = null;
      let destroyed = false;
      element.textContent = 'Loading…';
      load().then((dashboard) => {
        if (destroyed) return;
        element.textContent = '';
        view = dashboard.mount(element, latest);
        if (pending.length) view.update(latest, pending);
        pending = [];
      }, (err: unknown) => {
        element.textContent = `Could not load the ${meta.title} dashboard: ${(err as Error).message}`;
      });
      return {
        update(next, changed) {
          latest = next;
          if (view) view.update(next, changed);
          else pending.push(...changed);
        },
        destroy() {
          destroyed = true;
          view?.destroy();
        },
      };
    },
  };
}
