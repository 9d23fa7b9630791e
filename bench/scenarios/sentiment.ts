import type { Scenario } from '../support/types.js';

export const sentimentScenario: Scenario = {
  id: 'sentiment',
  title: 'Hourly sentiment at scale',
  run() {
    return Promise.reject(new Error('sentiment: not built yet'));
  },
};
