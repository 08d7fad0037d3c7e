/** Every plugin's routes, as the server dispatches them (`/data/plugin/<plugin>/<route>`). */
import { audioRoutes, imagesRoutes } from './images.ts';
import { emptyPlugins } from './core.ts';
import { distributionsRoutes, histogramsRoutes } from './histograms.ts';
import { prCurvesRoutes } from './pr-curves.ts';
import { scalarsRoutes } from './scalars.ts';
import { textRoutes } from './text.ts';
import { timeseriesRoutes } from './timeseries.ts';
import type { PluginRoutes } from './types.ts';

/** The plugins this package answers itself (graphs, hparams and projector live in their own modules). */
export const BUILTIN_PLUGINS: readonly PluginRoutes[] = [
  scalarsRoutes,
  imagesRoutes,
  audioRoutes,
  histogramsRoutes,
  distributionsRoutes,
  prCurvesRoutes,
  textRoutes,
  timeseriesRoutes,
  ...emptyPlugins,
];
