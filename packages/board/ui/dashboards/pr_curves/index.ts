import type { Dashboard } from '../types.ts';

export const prCurvesDashboard: Dashboard = {
  id: 'pr_curves',
  title: 'PR CURVES',
  plugins: ['pr_curves'],
  mount(element) {
    element.textContent = 'PR CURVES';
    return { update() {}, destroy() { element.textContent = ''; } };
  },
};
