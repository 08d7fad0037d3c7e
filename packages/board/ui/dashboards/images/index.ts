import type { Dashboard } from '../types.ts';

export const imagesDashboard: Dashboard = {
  id: 'images',
  title: 'IMAGES',
  plugins: ['images'],
  mount(element) {
    element.textContent = 'IMAGES';
    return { update() {}, destroy() { element.textContent = ''; } };
  },
};
