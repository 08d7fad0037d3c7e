/** Every plugin's routes, as the server dispatches them (`/data/plugin/<plugin>/<route>`). */
import { audioRoutes, imagesRoutes } from './images.ts';
import { emptyPlugins } from './core.ts';
import { graphsRoutes } from './graphs.ts';
import { distributionsRoutes, histogramsRoutes } from './histograms.ts';
import { hparamsRoutes } from './hparams.ts';
import { prCurvesRoutes } from './pr-curves.ts';
import { projectorRoutes } from './projector.ts';
import { scalarsRoutes } from './scalars.ts';
import { textRoutes } from './text.ts';
import { timeseriesRoutes } from './timeseries.ts';
import type { PluginRoutes } from './types.ts';

/** Every plugin the board answers, one module each. */
export const BUILTIN_PLUGINS: readonly PluginRoutes[] = [
  scalarsRoutes,
  imagesRoutes,
  audioRoutes,
  histogramsRoutes,
  distributionsRoutes,
  prCurvesRoutes,
  textRoutes,
  timeseriesRoutes,
  graphsRoutes,
  hparamsRoutes,
  projectorRoutes,
  ...emptyPlugins,
];
