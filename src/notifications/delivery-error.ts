/**
 * A failed delivery. `permanent` failures (a refused address, a recipient the provider rejects for good)
 * are not retried; the others are retried on the channel's schedule.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/** Error text fit for NotificationDelivery.lastError. */
export function describeDeliveryError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
