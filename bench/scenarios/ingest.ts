import type { Scenario } from '../support/types.js';

export const ingestScenario: Scenario = {
  id: 'ingest',
  title: 'Ingest',
  run() {
    return Promise.reject(new Error('ingest: not built yet'));
  },
};
