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
import { lazyDashboard } from './lazy.ts';

// Loaded on first visit: dagre and three.js are most of the bundle's bytes.
const graphsDashboard = lazyDashboard({ id: 'graphs', title: 'GRAPHS', plugins: ['graphs'] },
  async () => (await import('./graphs/index.ts')).graphsDashboard);
const projectorDashboard = lazyDashboard({ id: 'projector', title: 'PROJECTOR', plugins: ['projector'] },
  async () => (await import('./projector/index.ts')).projectorDashboard);

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
