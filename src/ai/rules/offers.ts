import { alt, B, E, rx, type Span } from './matcher.js';

/**
 * Short answers to the bot's own offers: "Would you like me to connect you with an agent?" → "yes please" is a
 * request for a person; "Shall I book it?" → "sure" is a request to book. "No thanks" is neither.
 */

export type Offer = 'human' | 'booking';

const HUMAN_OFFER = rx(
  `${alt([
    `${B}(?:connect|transfer|put|pass|hand|forward|redirect)(?:ing)? you (?:through |over )?(?:to|with)${E}`,
    `${B}(?:speak|talk|chat) (?:to|with) (?:one of our|an?|our) (?:agents?|advis[eo]rs?|colleagues?|team|human|representatives?|staff)`,
    `${B}(?:mette|mettre|transfere|transferer|passe|passer|rediriger) (?:en relation|en contact|a un|vers)`,
    `${B}(?:parler|echanger) (?:a|avec) un (?:conseiller|agent|collegue)`,
    `${B}(?:احولك|نحولك|اوصلك|نوصلك|اربطك|تكلم موظف|تتواصل مع)`,
  ])}`,
);

const BOOKING_OFFER = rx(
  `${alt([
    `${B}(?:shall|should|can|may) i (?:go ahead and )?(?:book|reserve)${E}`,
    `${B}(?:would|do) you (?:like|want) (?:me )?to (?:go ahead and )?(?:book|reserve)${E}`,
    `${B}(?:want|like) me to (?:book|reserve)${E}`,
    `${B}(?:souhaitez|voulez|voulez-vous|souhaitez-vous)(?:-vous)? (?:que je )?(?:reserve|reserver)`,
    `${B}(?:احجز لك|احجزلك|نحجز لك|نحجزلك|تحب احجز|تبي احجز|تبغى احجز|تحب نحجز|اكمل الحجز|نكمل الحجز)`,
  ])}`,
);

/** An answer that accepts: a yes word at the start, or "ok/d'accord/تمام" followed by please. */
const ACCEPT = rx(
  `^[^\\p{L}\\p{N}]*${alt([
    `(?:yes|yeah|yep|yup|sure|absolutely|definitely|of course|please do|go ahead|do it)${E}`,
    `please[^\\p{L}\\p{N}]*$`,
    `(?:ok|okay|alright|fine)[ ,!]+(?:please|go ahead|do it|yes)${E}`,
    `(?:oui|ouais|volontiers|bien sur|allez-y|avec plaisir)${E}`,
    `(?:d'accord|ok)[ ,!]+(?:svp|s'il vous plait|allez-y|oui)${E}`,
    `(?:نعم|ايوه|ايوا|اكيد|ياريت|يا ريت|طبعا|اوكي)${E}`,
    `(?:تمام|طيب|ماشي)[ ،,!]+(?:لو سمحت|من فضلك|يلا|الله يخليك)${E}`,
    `(?:aywa|eh|na3am|akid|akeed|yalla|eya)${E}`,
  ])}`,
);

/** What the bot's reply offered, if it offered a person or a booking. */
export function offerIn(botReply: string): Offer | undefined {
  if (new RegExp(HUMAN_OFFER.source, 'u').test(botReply)) return 'human';
  if (new RegExp(BOOKING_OFFER.source, 'u').test(botReply)) return 'booking';
  return undefined;
}

/** The accepting words at the start of a short answer, if the answer accepts. */
export function acceptance(text: string): Span | undefined {
  const words = text.split(/\s+/u).filter(Boolean).length;
  if (words > 12) return undefined;
  const m = new RegExp(ACCEPT.source, 'u').exec(text);
  return m ? { start: m.index, end: m.index + m[0].length } : undefined;
}
