import { alt, B, E, matches, rx, type Span } from './matcher.js';

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
    `${B}(?:احولك|نحولك|اوصلك|نوصلك|اربطك|تكلم موظف|تتواصل مع|التحدث مع|تحكي مع|تتكلم مع|تكلم احد|تحكي مع حدا)`,
    // Someone will call you, a chat with an agent: "an advisor can call you back", "un conseiller peut vous rappeler".
    `${B}(?:an? |one of our |our )?(?:agents?|advis[eo]rs?|colleagues?|representatives?|specialists?|team(?: members?)?|someone|experts?) (?:can|could|will|would) (?:call|contact|reach|phone|ring|get back to|email) you`,
    `${B}(?:open|start) a (?:chat|conversation|call) with (?:a |an |our )?(?:live |human )?(?:agent|advis[eo]r|person|colleague|specialist)`,
    `${B}(?:un |une |l'|le |la )?(?:conseiller|conseillere|agent|collegue|specialiste|expert)s? (?:peut|peuvent|pourra|va|vont) vous (?:rappeler|contacter|appeler|recontacter)`,
    `${B}vous (?:orienter|diriger|rediriger) vers (?:un|une|le|la|notre) (?:conseiller|conseillere|agent|service|equipe)`,
    `${B}(?:transfere|transferer|passer|rediriger|orienter) (?:au|a la|a notre|vers (?:le|la|un|une|notre)) (?:service|equipe|conseiller|agent)`,
    `${B}(?:يقدر|يمكن|ممكن|فيه|في|يستطيع|بيقدر) (?:ل)?(?:مستشار|موظف|احد|حدا|حد|زميل)(?:نا)? (?:يتصل|الاتصال|يكلمك|يحكيك|يرن|يتواصل|التواصل)`,
    `${B}(?:7awlak|7awelak|7awlik|a7awlak|a7awlik|wasslak|n7awlak)${E}`,
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
    `(?:yes|yeah|yep|yup|sure|absolutely|definitely|of course|please do|go ahead|do it|gladly|that would be (?:great|good|perfect|nice|helpful)|that works|works for me|sounds good)${E}`,
    `please[^\\p{L}\\p{N}]*$`,
    `(?:ok|okay|alright|fine|perfect|great)(?:[ ,!]+(?:please|go ahead|do it|yes|thanks?|thank you|that'?s fine|sure))?[^\\p{L}\\p{N}]*$`,
    `(?:ok|okay|alright|fine)[ ,!]+(?:please|go ahead|do it|yes)${E}`,
    `(?:oui|ouais|volontiers|bien sur|allez-y|avec plaisir|ca marche|parfait|tres bien|ce serait (?:parfait|bien|super|top))${E}`,
    `(?:d'accord|ok)(?:[ ,!]+(?:svp|s'il vous plait|allez-y|oui|merci))?[^\\p{L}\\p{N}]*$`,
    `(?:d'accord|ok)[ ,!]+(?:svp|s'il vous plait|allez-y|oui)${E}`,
    `(?:نعم|ايوه|ايوا|اكيد|ياريت|يا ريت|طبعا|اوكي|اي|ايه|اه|مناسب|يناسبني|بيناسبني|ماشي|تمام)${E}`,
    `(?:تمام|طيب|ماشي)[ ،,!]+(?:لو سمحت|من فضلك|يلا|الله يخليك)${E}`,
    `(?:aywa|eh|na3am|akid|akeed|yalla|eya|yareet|ya reet|tamam|mashi|bynesebni|mneseb)${E}`,
  ])}`,
);

/** What the bot's reply offered, if it offered a person or a booking. */
export function offerIn(botReply: string): Offer | undefined {
  if (matches(HUMAN_OFFER, botReply)) return 'human';
  if (matches(BOOKING_OFFER, botReply)) return 'booking';
  return undefined;
}

/** The accepting words at the start of a short answer, if the answer accepts. */
/** A refusal anywhere in a short answer ("ok, no thanks", "la2 merci") is not an acceptance. */
const REFUSAL = rx(
  `${B}(?:no|nope|not|non|pas|la2|la|لا|لأ|مش|مو|ما|no thanks|not now|later|plus tard|بعدين|ba3dein)${E}`,
);

export function acceptance(text: string): Span | undefined {
  if (matches(REFUSAL, text)) return undefined;
  const words = text.split(/\s+/u).filter(Boolean).length;
  if (words > 12) return undefined;
  const m = new RegExp(ACCEPT.source, 'u').exec(text);
  return m ? { start: m.index, end: m.index + m[0].length } : undefined;
}
