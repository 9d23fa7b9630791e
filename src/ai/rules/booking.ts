import { type NormalizedText } from '../text-normalize.js';
import { alt, AR, B, E, findAll, matches, rx, sentenceAt, type Span } from './matcher.js';
import { isNegatedAt } from './negation.js';
import { topicOf } from './travel-terms.js';

/**
 * BOOK_FLIGHT: a present wish to book, including conditional orders ("if it's under €200, book it").
 * Past bookings ("I already booked", "je viens de réserver", "حجزت"), bookings in a condition ("if we book two
 * seats"), changes to a booking and non-flight bookings (hotel, table, course) do not count.
 */

const BOOKING_VERBS: readonly RegExp[] = [
  // English base forms only: "booked", "booking ref" and "rebook" do not match.
  rx(`(?<!(?:a|the|my|this|that|your|our|phone|note|face) )${B}(?:book|reserve)${E}`),
  rx(`${B}make (?:a|the|my|our) (?:booking|reservation)${E}`),
  rx(
    `${B}(?:buy|purchase|get|grab|issue)(?: me| us)?(?: (?:a|an|the|two|three|four|\\d+))? (?:plane |flight |return |one-way )?(?:tickets?|seats?|flights?)${E}`,
  ),
  rx(
    `${B}(?:interested in|thinking (?:of|about)|planning (?:on|to)|considering|looking (?:into|to)|help (?:me )?(?:with )?|go ahead with|proceed with) (?:booking|reserving|book|reserve)${E}`,
  ),
  rx(`${B}(?:get|put) (?:me|us) (?:on|down for) (?:[\\p{L}\\p{N}:]+ ){0,4}?(?:flights?|planes?|one)${E}`),
  // Typed in a hurry: "boook me on teh next flght".
  rx(`${B}bo+k (?:me|us)${E}`),
  // "I want 2 return tickets to Rome": asking for tickets is asking to buy them.
  rx(
    `${B}(?:i|we)(?:'d| would)? (?:want|need|like) (?:to get )?(?:a|an|one|two|three|four|\\d+) (?:return |one-way |plane |flight |economy |business )?(?:tickets?|seats?|flights?)${E}`,
  ),
  rx(`${B}(?:je voudrais|je veux|il me faut|j'aimerais) (?:un|une|deux|trois|\\d+) (?:billets?|places?)${E}`),
  rx(
    `${B}[وف]?(?:ابي|ابغى|بدي|اريد|عايز|عاوز|ودي|محتاج) (?:\\d+ )?(?:تذكره|تذكرتين|تذاكر|مقعد|مقعدين|كرسي|كرسيين)`,
  ),
  rx(`${B}[وف]?(?:اشتري|اشترى|نشتري|شراء|تشتريلي|اشتريلي)(?: لي)? (?:\\d+ )?(?:تذكره|تذكرتين|تذاكر)`),
  // French
  rx(`${B}(?:reserver|reservez|reserve|reservons|reserves)(?:-moi|-nous|-le|-la|-les)?${E}`),
  rx(`${B}(?:faire|effectuer) une reservation${E}`),
  rx(
    `${B}(?:acheter|prendre|prenez-moi|achetez-moi)(?: (?:un|une|des|deux|trois|\\d+))? (?:billets?|places?|vols?)${E}`,
  ),
  // Arabic: احجز / تحجز / نحجز with future or progressive prefixes and "for me" suffixes.
  rx(`${B}[وف]?(?:س|ب|ح|رح |راح )?[اتني]حجز(?:و|وا|ي|ين)?(?:ه|ها|هم)?(?: ?لي| ?لنا)?${E}`),
  rx(`${B}[وف]?بحجز${E}`),
  // Arabic: the noun حجز after a wish ("أرغب في حجز رحلة", "ابي حجز").
  rx(
    `${B}[وف]?(?:ارغب|نرغب|اريد|نريد|ابي|ابغى|ابغي|بدي|بدنا|ودي|حاب|حابب|ممكن|عايز|عاوز|بغيت|محتاج|احتاج|ارجو|اود|نود|يمكنك|يمكنكم|تستطيع)(?: في| ب)? (?:ال)?حجز${E}`,
  ),
  // Arabizi: e7joz, a7joz, b7joz, 7jozli.
  rx(`${B}(?:b|n|t|bi|ba|ta)?[aei]?(?:7|h)[jg][oie]?z(?:li|lna|ilna|ili)?${E}`),
  rx(`${B}(?:7otni|7ottni|7ottli|7otli) (?:3a|3ala|3al)${E}`),
  rx(`${B}(?:ashtery|ashtri|eshtri|neshtri) (?:\\d+ )?(?:tazkara|tazkaret|tazaker|ticket)`),
];

/** Words that make the booking verb past, conditional or someone else's habit, not a request. */
const NOT_A_REQUEST_BEFORE = rx(
  `${alt([
    `${B}(?:if|when|once|before|after|until|whether) (?:i|we|you|they|he|she|it)(?: (?:can|could|do|should|were to|had))?(?: not)? ?$`,
    `${B}did (?:i|you|we|they|he|she)(?: not)? ?$`,
    `${B}(?:si|quand|lorsque|avant de|apres avoir) (?:je |j'|on |nous |vous )?$`,
    `${B}(?:si|quand|avant|avant que) (?:je|on|nous|vous) $`,
    `${B}(?:viens|vient|venons|venez|viennent) de $`,
    // French perfect tenses: folded, "a réservé" looks like "réserve" (but "m'aider à réserver" is a request).
    `(?<!(?:aider|aidez|aidiez|aide|pret|prete|prets|pretes|commencer|arriver|reussir|hesiter|chercher|cherche|cherchons|penser|pense|pensons) )${B}(?:ai|as|a|avons|avez|ont|est|sont|ete|etait|avait|avions)(?: (?:deja|bien|tout))? $`,
    `${B}(?:اذا|لو|لما|قبل ما|قبل لا|بعد ما|لين|ان|اللي|الي|كنت|كان) $`,
    `${B}(?:2abel ma|ba3d ma|eza|lamma|law) $`,
    // How booking works, not a booking: "how far in advance should I book", "cheaper to book on the app".
    `${B}(?:should|must|do|shall) (?:i|we)(?: \\p{L}+)? $`,
    `${B}(?:cheaper|better|best|easier|possible|how|where|when|what) to $`,
    `${B}(?:moins cher|mieux|plus simple|comment|ou|quand|faut-il) (?:de |d')?$`,
    `${B}(?:deja|qui) $`,
    // The customer's own future: "I'll book", "je réserverai", "رح احجز", "ra7 e7joz".
    `${B}(?:i'?ll|i will|we'?ll|we will|going to) $`,
    `${B}(?:رح|راح|ح|بـ) ?$`,
    `${B}ra7 $`,
  ])}`,
);

/** Booking something other than a flight. */
const OTHER_BOOKING_OBJECT = rx(
  `^ ?(?:(?:me|us|a|an|the|my|our|your|un|une|le|la|les|mon|ma|لي|لنا) ){0,2}(?:[\\p{L}-]+ )?(?:${alt([
    'hotels?',
    'rooms?',
    'tables?',
    'appointments?',
    'meetings?',
    'calls?',
    'class(?:es)?',
    'courses?',
    'lessons?',
    'sessions?',
    'tests?',
    'exams?',
    'tours?',
    'cars?',
    'taxis?',
    'restaurants?',
    'spa',
    'visits?',
    'demo',
    'hotel',
    'chambres?',
    'cours',
    'rendez-vous',
    'rdv',
    'voitures?',
    'fndq',
    'فندق',
    'غرفه',
    'موعد',
    'طاوله',
    'دوره',
    'كورس',
    'سياره',
    'اوضه',
    'شقه',
    'شاليه',
    'تاكسي',
    'تكسي',
    'معاد',
    'maw3ed',
    'taxi',
    'bassinets?',
    'berceau',
    'wheelchairs?',
    'assistance',
    'meals?',
    'rental cars?',
    'engineer',
    'placement',
  ])})${E}`,
);

/** A change to an existing booking: "change my booking", "الغاء حجز", "modifier ma réservation". */
const CHANGE_BEFORE = rx(
  `${alt([`${B}(?:change|modify|cancel|move|amend)(?: my| the| our)? ?$`, `${B}(?:الغاء|الغي|تعديل|تغيير|رقم) (?:ال)?$`])}`,
);

/** A booking put off: "I'll book later", "ra7 e7joz ba3dein", "je réserverai plus tard", "بحجز بعدين". */
const LATER = rx(
  `${B}(?:later|another time|plus tard|ulterieurement|بعدين|لاحقا|بعدها|ba3dein|ba3den|ba3dain|ba3d shwai)${E}`,
);

/** A booking put off until something happens: "I'll book when my leave is approved", "احجز لما ينزل السعر". */
const WHEN_LATER = rx(
  `^ ?(?:[\\p{L}\\p{N}]+ ){0,3}?(?:when|once|as soon as|quand|lorsque|des que|لما|عندما|حين|lamma|lama)${E}`,
);

export interface BookingRequest {
  span: Span;
  confidence: number;
}

function isRequestContext(text: string, span: Span): boolean {
  const sentence = sentenceAt(text, span.start);
  const before = text.slice(Math.max(sentence.start, span.start - 40), span.start);
  const after = text.slice(span.end, Math.min(sentence.end, span.end + 30));
  if (matches(NOT_A_REQUEST_BEFORE, before)) return false;
  if (matches(CHANGE_BEFORE, before)) return false;
  if (matches(OTHER_BOOKING_OBJECT, after)) return false;
  if (matches(LATER, text.slice(span.end, Math.min(sentence.end, span.end + 20)))) return false;
  if (matches(WHEN_LATER, text.slice(span.end, sentence.end))) return false;
  return !isNegatedAt(text, span.start);
}

/**
 * How sure the booking is of a flight: a flight named in the sentence or message, else in the recent
 * conversation; nothing named at all still counts, weakly (a travel bot's booking is a flight by default).
 */
function flightConfidence(message: NormalizedText, span: Span, context: readonly NormalizedText[]): number {
  const sentence = sentenceAt(message.text, span.start);
  const inSentence = topicOf(message, sentence, span.start);
  if (inSentence === 'flight') return 0.9;
  if (inSentence === 'other') return 0;
  const inMessage = topicOf(message, undefined, span.start);
  if (inMessage === 'flight') return 0.85;
  if (inMessage === 'other') return 0;
  for (const earlier of [...context].reverse().slice(0, 4)) {
    const topic = topicOf(earlier);
    if (topic === 'flight') return 0.75;
    if (topic === 'other') return 0;
  }
  return 0.55;
}

export function findBookingRequest(
  message: NormalizedText,
  context: readonly NormalizedText[],
): BookingRequest | undefined {
  const text = message.text;
  const candidates = BOOKING_VERBS.flatMap((re) => findAll(text, re)).sort((a, b) => a.start - b.start);
  for (const span of candidates) {
    if (!isRequestContext(text, span)) continue;
    const confidence = flightConfidence(message, span, context);
    if (confidence > 0) return { span, confidence };
  }
  return undefined;
}

/** A booking already made, by the customer or someone else: "I already booked", "ma sœur a réservé", "حجزت". */
const PAST_BOOKING = rx(
  `${alt([
    `${B}(?:i|we|he|she|they|my \\p{L}+|our \\p{L}+|company|agent)(?: (?:have|has|had|'ve|'d))?(?: already| just)? (?:booked|reserved|bought|purchased|paid for)${E}`,
    `${B}(?:already|just) (?:booked|reserved|bought|purchased)${E}`,
    `${B}(?:j'ai|ai|a|avons|avez|ont|as)(?: deja| bien| juste)? (?:reserve|achete|pris|paye)(?:e|s|es)?${E}`,
    `${B}(?:viens|vient|venons|venez) de (?:reserver|acheter)${E}`,
    `${B}[وف]?(?:حجزت|حجزنا|حجزتلنا|حجزتلي|حجزلنا|حجزلي|حجزو|حجزوا|حجزوها|قد حجزت|لقد حجزت|اتممت الحجز|تم الحجز)`,
    `${B}(?:7ajazt|7ajazna|7jazt|7agazt|7agazna|7ajazet|7ajazetelna|7ajaz)${E}`,
  ])}`,
);

/**
 * Whether the rules saw a booking mentioned and ruled a request out: a booking already made, a condition
 * ("before I book"), a change to an existing booking, a hotel or table, or a negation. The learned model may
 * not add BOOK_FLIGHT then.
 */
/** Changing or cancelling a booking that exists: "cancel my booking", "décaler mon vol", "الغاء حجزي". */
const EXISTING_BOOKING_CHANGE = rx(
  `${alt([
    `${B}(?:cancel|change|modify|move|amend|reschedule|upgrade)(?: my| the| our| this)? (?:booking|reservation|flight|ticket|trip|return|seat)s?${E}`,
    `${B}(?:annuler|modifier|changer|decaler|deplacer|reporter)(?: ma| mon| la| le| notre| nos| mes)? (?:reservation|vol|billet|retour|depart|voyage)s?${E}`,
    `${B}[وف]?(?:الغاء|الغي|نلغي|تلغي|تعديل|تغيير|اغير|غير|نغير|اعدل|تاجيل|اجل|اقدم|قدم)(?: موعد| تاريخ)? ${AR}(?:حجز|رحله|تذكره|موعد)`,
    `${B}(?:elghi|alghi|ghayyer|ghayer|a8ayar|aghayyar|t2ajjel|a2ajjel)(?: maw3ed| tari5)? (?:el |l)?(?:7ajz|7agz|re7le|re7la|tazkara|maw3ed)`,
  ])}`,
);

export function bookingRuledOut(message: NormalizedText, context: readonly NormalizedText[]): boolean {
  const text = message.text;
  if (matches(PAST_BOOKING, text)) return true;
  if (matches(EXISTING_BOOKING_CHANGE, text)) return true;
  const candidates = BOOKING_VERBS.flatMap((re) => findAll(text, re));
  return candidates.some(
    (span) => !isRequestContext(text, span) || flightConfidence(message, span, context) === 0,
  );
}
