/**
 * TensorBoard's core routes (`/data/runs`, `/data/environment`, `/data/plugins_listing`, ...), answered as
 * TensorBoard 2.20's `core_plugin.py` and `application.py` do, from the provider.
 */
import type { PluginRoutes, RouteContext, RouteHandler } from './types.ts';
import { jsonReply } from './types.ts';

/** How a dashboard is loaded by TensorBoard's frontend (the `loading_mechanism` of `/data/plugins_listing`). */
type LoadingMechanism =
  | { type: 'NG_COMPONENT' }
  | { type: 'CUSTOM_ELEMENT'; element_name: string }
  | { type: 'IFRAME'; module_path: string };

/** One dashboard of TensorBoard 2.20, in tab order. */
interface Dashboard {
  plugin: string;
  tabName: string;
  loading: LoadingMechanism;
  disableReload: boolean;
  /** Plugin names of summary data that make the dashboard enabled (TensorBoard's `data_plugin_names()`). */
  dataPlugins: readonly string[];
}

const element = (name: string): LoadingMechanism => ({ type: 'CUSTOM_ELEMENT', element_name: name });

/** TensorBoard 2.20's plugins in tab order, as `/data/plugins_listing` lists them (without its Python-only ones). */
export const DASHBOARDS: readonly Dashboard[] = [
  { plugin: 'timeseries', tabName: 'Time Series', loading: { type: 'NG_COMPONENT' }, disableReload: false, dataPlugins: ['scalars', 'histograms', 'images'] },
  { plugin: 'scalars', tabName: 'scalars', loading: element('tf-scalar-dashboard'), disableReload: false, dataPlugins: ['scalars'] },
  { plugin: 'custom_scalars', tabName: 'Custom Scalars', loading: element('tf-custom-scalar-dashboard'), disableReload: false, dataPlugins: ['custom_scalars'] },
  { plugin: 'images', tabName: 'images', loading: element('tf-image-dashboard'), disableReload: false, dataPlugins: ['images'] },
  { plugin: 'audio', tabName: 'audio', loading: element('tf-audio-dashboard'), disableReload: false, dataPlugins: ['audio'] },
  { plugin: 'debugger-v2', tabName: 'Debugger V2', loading: { type: 'NG_COMPONENT' }, disableReload: false, dataPlugins: ['debugger-v2'] },
  {
    plugin: 'graphs',
    tabName: 'graphs',
    loading: element('tf-graph-dashboard'),
    disableReload: true,
    dataPlugins: ['graphs', 'graph_run_metadata', 'graph_run_metadata_graph', 'graph_keras_model', 'graph_tagged_run_metadata'],
  },
  { plugin: 'distributions', tabName: 'distributions', loading: element('tf-distribution-dashboard'), disableReload: false, dataPlugins: ['histograms'] },
  { plugin: 'histograms', tabName: 'histograms', loading: element('tf-histogram-dashboard'), disableReload: false, dataPlugins: ['histograms'] },
  { plugin: 'text', tabName: 'text', loading: element('tf-text-dashboard'), disableReload: false, dataPlugins: ['text'] },
  { plugin: 'pr_curves', tabName: 'PR Curves', loading: element('tf-pr-curve-dashboard'), disableReload: false, dataPlugins: ['pr_curves'] },
  { plugin: 'profile_redirect', tabName: 'Profile', loading: element('tf-profile-redirect-dashboard'), disableReload: false, dataPlugins: [] },
  { plugin: 'hparams', tabName: 'hparams', loading: element('tf-hparams-dashboard'), disableReload: false, dataPlugins: ['hparams'] },
  { plugin: 'mesh', tabName: 'mesh', loading: element('mesh-dashboard'), disableReload: false, dataPlugins: ['mesh'] },
  { plugin: 'wit_redirect', tabName: 'What-If Tool', loading: element('tf-wit-redirect-dashboard'), disableReload: false, dataPlugins: [] },
  {
    plugin: 'projector',
    tabName: 'projector',
    loading: { type: 'IFRAME', module_path: '/data/plugin/projector/index.js' },
    disableReload: true,
    dataPlugins: ['projector'],
  },
];

/** The TensorBoard version whose API this server reproduces (`/data/environment`). */
export const TENSORBOARD_API_VERSION = '2.20.0';

/** Core routes keyed by their path below the optional `/experiment/<id>` prefix. */
export function coreRoutes(plugins: readonly PluginRoutes[]): Readonly<Record<string, RouteHandler>> {
  const byName = new Map(plugins.map((p) => [p.plugin, p]));

  async function enabled(dashboard: Dashboard, ctx: RouteContext, withData: Set<string>): Promise<boolean> {
    if (dashboard.dataPlugins.some((name) => withData.has(name))) return true;
    const routes = byName.get(dashboard.plugin);
    if (!routes?.isActive) return false;
    try {
      return Boolean(await routes.isActive(ctx));
    } catch (err) {
      ctx.warn({ plugin: dashboard.plugin, err: (err as Error).message }, 'plugin listing: isActive failed; marked inactive');
      return false;
    }
  }

  return {
    '/data/runs': (_req, ctx) => jsonReply(ctx.provider.listRuns().map((run) => run.name)),
    '/data/logdir': (_req, ctx) => jsonReply({ logdir: ctx.logdir }),
    '/data/window_properties': () => jsonReply({ window_title: '' }),
    '/data/experiments': () => jsonReply([]),
    '/data/experiment_runs': () => jsonReply([]),
    '/data/environment': (_req, ctx) =>
      jsonReply({
        version: TENSORBOARD_API_VERSION,
        data_location: ctx.logdir,
        window_title: '',
        experiment_name: '',
        experiment_description: '',
        creation_time: 0,
        debug: {
          data_provider: `tbpipe-board(logdir=${JSON.stringify(ctx.logdir)})`,
          flags: {
            logdir: ctx.logdir,
            host: ctx.host,
            port: ctx.port,
            reload_interval: ctx.reloadIntervalSeconds,
            samples_per_plugin: ctx.samplesPerPlugin,
          },
        },
      }),
    '/data/plugins_listing': async (_req, ctx) => {
      const withData = new Set(ctx.provider.listPlugins());
      const listing: Record<string, unknown> = {};
      for (const dashboard of DASHBOARDS) {
        listing[dashboard.plugin] = {
          disable_reload: dashboard.disableReload,
          enabled: await enabled(dashboard, ctx, withData),
          remove_dom: false,
          tab_name: dashboard.tabName,
          loading_mechanism: dashboard.loading,
        };
      }
      return jsonReply(listing);
    },
  };
}

/** The listings TensorBoard answers for plugins that have no data here (audio aside, which is real). */
export const emptyPlugins: readonly PluginRoutes[] = [
  { plugin: 'mesh', routes: { '/tags': () => jsonReply({}) } },
  { plugin: 'custom_scalars', routes: { '/layout': () => jsonReply({}) } },
  { plugin: 'debugger-v2', routes: { '/runs': () => jsonReply({}) } },
];
