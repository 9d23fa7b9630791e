import type { Scenario } from '../support/types.js';

export const subscriptionsScenario: Scenario = {
  id: 'subscriptions',
  title: 'Subscriptions',
  run() {
    return Promise.reject(new Error('subscriptions: not built yet'));
  },
};
