import type { Scenario } from '../support/types.js';
import { abuseScenario } from './abuse.js';
import { dashboardScenario } from './dashboard.js';
import { fanoutScenario } from './fanout.js';
import { handoffScenario } from './handoff.js';
import { ingestScenario } from './ingest.js';
import { jobsScenario } from './jobs.js';
import { latencyScenario } from './latency.js';
import { monitoringScenario } from './monitoring.js';
import { searchScenario } from './search.js';
import { sentimentScenario } from './sentiment.js';
import { startupScenario } from './startup.js';
import { subscriptionsScenario } from './subscriptions.js';

/** In the order of the benchmark issue, then what the former `npm run measure:*` scripts measured. */
export const scenarios: Scenario[] = [
  ingestScenario,
  dashboardScenario,
  subscriptionsScenario,
  fanoutScenario,
  jobsScenario,
  sentimentScenario,
  startupScenario,
  abuseScenario,
  latencyScenario,
  monitoringScenario,
  handoffScenario,
  searchScenario,
];
