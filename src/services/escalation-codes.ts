import type { EscalationType } from '../generated/prisma/enums.js';

/** The code each escalation type carries in notifications (the `event` of the dashboard payload, emails and webhooks). */
export const escalationCodes: Record<EscalationType, string> = {
  SPEAK_TO_HUMAN: 'user_request_to_speak_to_human',
  DISCOUNT_REQUEST: 'user_request_for_discount',
  BOOK_FLIGHT: 'user_request_to_book_flight',
  FLIGHT_PRICES: 'user_request_about_flight_prices',
  FILE_SENT: 'user_request_file_format',
  UNANSWERED: 'user_request_not_answer',
};
