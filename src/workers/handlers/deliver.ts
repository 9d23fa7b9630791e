import { deliverNotification } from '../../services/notification-delivery.js';
import type { JobHandlerFor } from '../handler.js';

/** Sends one notification delivery; a failed attempt queues its retry in the transaction that records it. */
export const deliver: JobHandlerFor<'deliver'> = (deps, { deliveryId }) =>
  deliverNotification(deps, { deliveryId });
