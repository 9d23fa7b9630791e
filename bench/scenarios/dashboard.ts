import type { Scenario } from '../support/types.js';

export const dashboardScenario: Scenario = {
  id: 'dashboard',
  title: 'Dashboard read',
  run() {
    return Promise.reject(new Error('dashboard: not built yet'));
  },
};
