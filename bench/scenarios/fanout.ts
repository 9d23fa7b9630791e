import type { Scenario } from '../support/types.js';

export const fanoutScenario: Scenario = {
  id: 'fanout',
  title: 'Fan-out',
  run() {
    return Promise.reject(new Error('fanout: not built yet'));
  },
};
