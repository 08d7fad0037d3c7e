/** Every dashboard of the app, in TensorBoard's tab order. The shell shows a tab when one of its plugins is enabled
 *  in /data/plugins_listing. Part 3 adds GRAPHS, DISTRIBUTIONS, HISTOGRAMS and PROJECTOR on their lines here. */
import type { Dashboard } from './types.ts';
import { scalarsDashboard } from './scalars/index.ts';
import { imagesDashboard } from './images/index.ts';
import { prCurvesDashboard } from './pr_curves/index.ts';
import { textDashboard } from './text/index.ts';
import { hparamsDashboard } from './hparams/index.ts';
import { distributionsDashboard } from './distributions/index.ts';
import { histogramsDashboard } from './histograms/index.ts';
import { graphsDashboard } from './graphs/index.ts';
import { projectorDashboard } from './projector/index.ts';

export const DASHBOARDS: Dashboard[] = [
  scalarsDashboard,
  imagesDashboard,
  graphsDashboard,
  distributionsDashboard,
  histogramsDashboard,
  prCurvesDashboard,
  projectorDashboard,
  textDashboard,
  hparamsDashboard,
];
