import type { Scenario } from '../support/types.js';

export const startupScenario: Scenario = {
  id: 'startup',
  title: 'Start-up',
  run() {
    return Promise.reject(new Error('startup: not built yet'));
  },
};
