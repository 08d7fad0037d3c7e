import type { Dashboard } from '../types.ts';

export const textDashboard: Dashboard = {
  id: 'text',
  title: 'TEXT',
  plugins: ['text'],
  mount(element) {
    element.textContent = 'TEXT';
    return { update() {}, destroy() { element.textContent = ''; } };
  },
};
