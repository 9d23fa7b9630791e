import { checkBotReply as check, handOffWaitingCustomers } from '../../services/handoff-moments.js';
import { checkSlas as raiseDueSlaAlerts } from '../../services/sla.js';
import type { JobHandlerFor } from '../handler.js';

/** A bot reply that may fall under a CONFIDENCE handoff rule. */
export const checkBotReply: JobHandlerFor<'checkBotReply'> = (deps, payload) => check(deps, payload);

/** Customers waiting past a TIMEOUT handoff rule's limit go to humans. */
export const handoffTimeouts: JobHandlerFor<'handoffTimeouts'> = async (deps) => ({
  handedOver: await handOffWaitingCustomers(deps),
});

/** SLA warnings and breaches now due are raised and published. */
export const checkSlas: JobHandlerFor<'checkSlas'> = async (deps) => ({
  raised: (await raiseDueSlaAlerts(deps)).length,
});
