import type { Dashboard } from '../types.ts';

export const hparamsDashboard: Dashboard = {
  id: 'hparams',
  title: 'HPARAMS',
  plugins: ['hparams'],
  mount(element) {
    element.textContent = 'HPARAMS';
    return { update() {}, destroy() { element.textContent = ''; } };
  },
};
