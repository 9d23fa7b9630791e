import type { EscalationType } from '../generated/prisma/enums.js';

/** DESIGN section 5: the code each escalation type carries in notifications (seed 000's event names). */
export const escalationCodes: Record<EscalationType, string> = {
  SPEAK_TO_HUMAN: 'user_request_to_speak_to_human',
  DISCOUNT_REQUEST: 'user_request_for_discount',
  BOOK_FLIGHT: 'user_request_to_book_flight',
  FLIGHT_PRICES: 'user_request_about_flight_prices',
  FILE_SENT: 'user_request_file_format',
  UNANSWERED: 'user_request_not_answer',
};
