import { type NormalizedText } from '../text-normalize.js';
import {
  alt,
  AR,
  B,
  E,
  findAll,
  isQuestionAt,
  matches,
  overlaps,
  rx,
  sentenceAt,
  type Span,
} from './matcher.js';
import { topicOf } from './travel-terms.js';

/**
 * FLIGHT_PRICES: a question about the fare of a flight or ticket. The priced thing is read from the sentence,
 * then the rest of the message, then the recent conversation ("how much are they?" after the bot listed
 * flights). Bags, seats, fees, courses and products are other prices; haggling ("a better price") is a
 * discount request, not a price question.
 */

const PRICE_CUES: readonly RegExp[] = [
  rx(
    `${B}${alt([
      'how much(?! (?:time|longer|luggage|baggage|weight|kg|kilos?|bags?|does it weigh))',
      'prices?',
      'pricing',
      'priced',
      'costs?',
      'costing',
      'fares?',
      'how (?:expensive|pricey|costly|dear)',
      'cheapest',
      'rates?',
      'quote',
      // French
      "combien(?! de| d')",
      'prix',
      'tarifs?',
      'coute(?:nt|rait|raient)?',
      'cout',
      'quel montant',
      // Arabizi
      'b?2?ad+e(?:sh|ch)',
      'b?2?ad+ai(?:sh|ch)',
      '(?:2a)?s[ie]?3r',
      '2?as3ar',
      'bi?kam',
    ])}${E}`,
  ),
  rx(`${AR}(?:سعر|اسعار)`),
  rx(`${B}[وف]?(?:بكم|بقديش|قديش|بكام|ثمن|تكلفه|تكلف|يكلف|كلفه)${E}`),
  rx(`${B}كم (?:حق|يطلع|تطلع|بتطلع|يكلف|تكلف|تاخذون|تاخذ|تبون|تطلبون)`),
  rx(`${B}(?:تاخذون|تاخدوا|بتاخدوا|بتاخد|بتاخدو) (?:كم|كام|قديش)`),
  rx(`${B}قد ايه`),
  // What they charge: "what do you charge for a flight", "combien vous prenez".
  rx(
    `${B}${alt(['(?:what|how much) do(?:es)? (?:you|it|they) (?:charge|ask)', 'combien (?:vous )?(?:prenez|demandez|facturez)'])}${E}`,
  ),
];

/**
 * Comparing fares: "is the morning flight cheaper?", "moins cher que celui du soir", "ارخص", "arkhas". Not when
 * money off is in the message ("the same flight is now cheaper, refund the difference" is a discount request).
 */
const COMPARATIVE_CUES: readonly RegExp[] = [
  rx(
    `${B}${alt(['cheaper', '(?:more|less) expensive', 'pricier', '(?:moins|plus) chers?', 'arkhas', 'ar5as', 'aghla', 'a8la'])}${E}`,
  ),
  rx(`${B}[وف]?(?:ارخص|اغلى|اغلي|ارخصها|اغلاها)${E}`),
];

/** Price words that are themselves questions: "how much", "combien", "بكم", "قديش", "2adesh". */
const INTERROGATIVE_CUE = rx(
  `^(?:how much|combien|[وف]?(?:بكم|بقديش|قديش|بكام|كم)|b?2?ad+(?:e|ai)(?:sh|ch)|bi?kam|قد ايه)`,
);

/** How long, not how much: "combien de temps dure le vol", "how long is the flight", "كم مدة الرحلة". */
const DURATION_QUESTION = rx(
  `${alt([
    `${B}how (?:long|many hours)`,
    `${B}how much time`,
    `${B}combien (?:de temps|d'heures)`,
    `${B}(?:كم|قديش|قد ايه|ما) (?:مده|تستغرق|ساعه|ساعات|بتاخد|بياخد|ياخذ|تاخذ|بتطول)`,
    `${B}(?:بتاخد|بياخد|تاخذ|ياخذ|تستغرق) (?:قد ايه|قديش|كم)`,
    `${B}(?:مده|مدة) (?:الرحله|الطيران)`,
    `${AR}(?:مدت|مده)(?:ها|ه)?${E}`,
    `${B}(?:2adesh|kam|ad eh|2ad eh) (?:moddet|sa3a|sa3at|btekhod|bt2a5od|bte5od|btakhod|byekhod)`,
  ])}`,
);

/** Asking to be told, without a question mark: "I'd like to know the price", "ابي اعرف السعر". */
const KNOW_REQUEST = rx(
  `${B}${alt([
    'know',
    'tell me',
    'let me know',
    'send me',
    'give me',
    'quote',
    'connaitre',
    'savoir',
    'dites-moi',
    'indiquer',
    'اعرف',
    'نعرف',
    'تقولي',
    'قلي',
    'خبرني',
    'ارسل',
    'ابعت',
    'معرفه',
    'a3ref',
    'a3raf',
    // Asking again: "I asked the price of a flight to Tunis".
    'i asked',
    "j'ai demande",
    'سالت',
    'سالتك',
    'sa2alt',
  ])}${E}`,
);

/** "I'm not asking the fare", "je ne vous demande pas le prix", "ما اسأل عن السعر", "السعر مش فارق". */
const NOT_ASKING = rx(
  `${alt([
    `(?:${B}not|n'?t|${B}never) (?:really )?(?:asking|ask|asked|care|interested|bothered|looking)(?: (?:about|for|at|you))?`,
    `${B}(?:ne|n') ?(?:vous |te |t')?(?:demande|demandais|parle|interesse|cherche)(?: pas| plus)`,
    `${B}(?:m'en fiche|m'en fous|peu importe|je m'en moque)`,
    `${B}(?:ما|مش|مو|مب|لا|انا ما|انا مش) ?(?:اسال|بسال|عم اسال|يهمني|فارق|فارقه|مهم|يهم|ادور|بدور)`,
    `${B}(?:mish|msh|mosh|ma|mesh) (?:3am )?(?:es2al|bes2al|bas2al|mohem|far2|fare2)`,
  ])}`,
);
const NOT_ASKING_AFTER = rx(
  `^[^.!?]{0,30}?${alt([
    `${B}(?:doesn'?t|does not|don'?t) matter`,
    `${B}(?:m'importe peu|n'est pas (?:important|la question)|je m'en fiche)`,
    `${B}(?:ما يهمني|مش فارق|مو مهم|مش مهم|ما بيهمني|لا يهمني)`,
    `${B}(?:mish mohem|msh mohem|ma byhemmni)`,
  ])}`,
);

function notAsking(text: string, cue: Span): boolean {
  const sentence = sentenceAt(text, cue.start);
  const before = text.slice(Math.max(sentence.start, cue.start - 50), cue.start);
  const after = text.slice(cue.end, sentence.end);
  return matches(NOT_ASKING, before) || matches(NOT_ASKING_AFTER, after);
}

export interface PriceQuestion {
  span: Span;
  confidence: number;
}

function isAsking(text: string, cue: Span): boolean {
  if (notAsking(text, cue)) return false;
  const sentence = sentenceAt(text, cue.start);
  if (matches(DURATION_QUESTION, text.slice(sentence.start, sentence.end))) return false;
  if (isQuestionAt(text, cue.start)) return true;
  if (matches(INTERROGATIVE_CUE, text.slice(cue.start, cue.end))) return true;
  // "Three different prices for the SAME flight. Which one is real??": the question follows the price.
  if (sentence.end < text.length && isQuestionAt(text, sentence.end)) return true;
  if (text.slice(sentence.start, cue.start).trim() === '') return true; // "Price of business class to Singapore"
  return matches(KNOW_REQUEST, text.slice(sentence.start, sentence.end));
}

/** A capitalised place right after the price words, on the original text (case matters). */
const DESTINATION_AFTER = /^[^.!?\n]{0,25}?(?<![\p{L}\p{N}])(?:to|pour|vers|à)\s+\p{Lu}\p{Ll}{2,}/u;

/** What the price asked about is: a fare (with a confidence), another item, or unknown. */
function pricedThing(
  message: NormalizedText,
  cue: Span,
  context: readonly NormalizedText[],
): { topic: 'flight' | 'other' | 'none'; confidence: number } {
  // "How much to add a bag?", "combien pour ajouter un bagage": the thing named right after the cue is priced.
  const sentence = sentenceAt(message.text, cue.start);
  const right = topicOf(message, { start: cue.end, end: Math.min(sentence.end, cue.end + 40) }, cue.end);
  if (right !== 'none') return { topic: right, confidence: 0.85 };
  const inSentence = topicOf(message, sentence, cue.start);
  if (inSentence !== 'none') return { topic: inSentence, confidence: 0.85 };
  const inMessage = topicOf(message, undefined, cue.start);
  if (inMessage !== 'none') return { topic: inMessage, confidence: 0.8 };
  for (const earlier of [...context].reverse().slice(0, 4)) {
    const topic = topicOf(earlier);
    if (topic !== 'none') return { topic, confidence: 0.7 };
  }
  // "How much to Beirut?", "combien pour Alger ?": a price with a destination and nothing else named.
  const after = message.original.slice(message.ends[cue.end - 1] ?? message.original.length);
  if (DESTINATION_AFTER.test(after)) return { topic: 'flight', confidence: 0.6 };
  return { topic: 'none', confidence: 0 };
}

/** Confidence that the price asked about is a fare, or 0 when it is something else or unknown. */
function fareConfidence(message: NormalizedText, cue: Span, context: readonly NormalizedText[]): number {
  const thing = pricedThing(message, cue, context);
  return thing.topic === 'flight' ? thing.confidence : 0;
}

/** The first question about a flight's price in `message`; `exclude` holds discount spans. */
function priceCues(text: string, exclude: readonly Span[]): Span[] {
  const cues = exclude.length > 0 ? PRICE_CUES : [...PRICE_CUES, ...COMPARATIVE_CUES];
  return cues
    .flatMap((re) => findAll(text, re))
    .filter((cue) => !exclude.some((d) => overlaps(d, cue)))
    .sort((a, b) => a.start - b.start);
}

/**
 * Whether the rules saw a price mentioned and ruled a fare question out: the customer says they are not asking
 * it, asks how long rather than how much, uses the price words inside a money-off request, or asks another
 * item's price (a bag, a seat, a course) and names no flight.
 * The learned model may not add FLIGHT_PRICES then.
 */
export function fareQuestionRuledOut(
  message: NormalizedText,
  context: readonly NormalizedText[],
  exclude: readonly Span[] = [],
): boolean {
  const text = message.text;
  if (matches(DURATION_QUESTION, text)) return true;
  // Price words inside a money-off request ("سعر خاص للطلاب", "s3r 5as"): a discount, not a fare question.
  if (PRICE_CUES.some((re) => findAll(text, re).some((cue) => exclude.some((d) => overlaps(d, cue)))))
    return true;
  return priceCues(text, exclude).some((cue) => {
    if (notAsking(text, cue)) return true;
    if (!isAsking(text, cue)) return false;
    return pricedThing(message, cue, context).topic === 'other' && topicOf(message) === 'other';
  });
}

export function findPriceQuestion(
  message: NormalizedText,
  context: readonly NormalizedText[],
  exclude: readonly Span[] = [],
): PriceQuestion | undefined {
  const text = message.text;
  for (const cue of priceCues(text, exclude)) {
    if (!isAsking(text, cue)) continue;
    const confidence = fareConfidence(message, cue, context);
    if (confidence > 0) return { span: cue, confidence };
  }
  return undefined;
}

/** An amount or a fare in the bot's reply: "$215", "from 950 AED", "à partir de 190 €", "بسعر ٣٩٠ ريال". */
const QUOTED_PRICE = rx(
  `${alt([
    `[$€£]\\s?\\d`,
    `\\d[\\d.,]*\\s?(?:[$€£]|usd|eur|gbp|aed|sar|jod|egp|qar|kwd|omr|bhd|mad|tnd|dzd|lbp|try|inr|nok|chf|cad|aud|jpy|dhs?|dirhams?|riyals?|dinars?|euros?|dollars?|pounds?|ريال|درهم|دينار|جنيه|دولار|يورو)`,
    `${B}(?:fares? (?:start|from|is|are)|prices? (?:start|from|is|are)|starts? at|a partir de|from \\d)`,
    `${AR}(?:بسعر|سعرها|سعره|تبدا من|يبدا من)`,
  ])}`,
);

/** A short follow-up that asks again about the same thing: "and for two people?", "et en septembre ?", "w el raj3a?". */
const FOLLOW_UP = rx(
  `^[^\\p{L}\\p{N}]*${alt([`(?:and|what about|how about|et|et pour|et en|ou|w|wel)${E}`, '(?:طيب |طب )?و'])}`,
);

/**
 * A fare question without price words: a short follow-up ("and the return?", "et pour deux personnes ?")
 * right after the bot quoted a fare for a flight.
 */
export function findFareFollowUp(
  message: NormalizedText,
  botReply: NormalizedText | undefined,
  context: readonly NormalizedText[],
): PriceQuestion | undefined {
  if (!botReply || !matches(QUOTED_PRICE, botReply.text)) return undefined;
  const text = message.text;
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0 || words.length > 7) return undefined;
  if (!matches(FOLLOW_UP, text) || !isQuestionAt(text, 0)) return undefined;
  if (topicOf(message) === 'other') return undefined;
  const topic = [botReply, ...[...context].reverse().slice(0, 3)]
    .map((m) => topicOf(m))
    .find((t) => t !== 'none');
  return topic === 'flight' ? { span: { start: 0, end: text.length }, confidence: 0.6 } : undefined;
}
