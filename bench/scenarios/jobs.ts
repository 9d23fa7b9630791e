import type { Scenario } from '../support/types.js';

export const jobsScenario: Scenario = {
  id: 'jobs',
  title: 'Jobs',
  run() {
    return Promise.reject(new Error('jobs: not built yet'));
  },
};
