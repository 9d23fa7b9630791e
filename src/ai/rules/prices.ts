import { type NormalizedText } from '../text-normalize.js';
import { AR, alt, B, E, findAll, isQuestionAt, overlaps, rx, sentenceAt, type Span } from './matcher.js';
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
  rx(`${B}كم (?:حق|يطلع|تطلع|بتطلع|يكلف|تكلف)`),
];

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
  ])}${E}`,
);

export interface PriceQuestion {
  span: Span;
  confidence: number;
}

function isAsking(text: string, cue: Span): boolean {
  if (isQuestionAt(text, cue.start)) return true;
  const sentence = sentenceAt(text, cue.start);
  if (text.slice(sentence.start, cue.start).trim() === '') return true; // "Price of business class to Singapore"
  return new RegExp(KNOW_REQUEST.source, 'u').test(text.slice(sentence.start, sentence.end));
}

/** Confidence that the price asked about is a fare, or 0 when it is something else or unknown. */
function fareConfidence(message: NormalizedText, cue: Span, context: readonly NormalizedText[]): number {
  const inSentence = topicOf(message, sentenceAt(message.text, cue.start), cue.start);
  if (inSentence !== 'none') return inSentence === 'flight' ? 0.85 : 0;
  const inMessage = topicOf(message, undefined, cue.start);
  if (inMessage !== 'none') return inMessage === 'flight' ? 0.8 : 0;
  for (const earlier of [...context].reverse().slice(0, 4)) {
    const topic = topicOf(earlier);
    if (topic !== 'none') return topic === 'flight' ? 0.7 : 0;
  }
  return 0;
}

/** The first question about a flight's price in `message`; `exclude` holds discount spans. */
export function findPriceQuestion(
  message: NormalizedText,
  context: readonly NormalizedText[],
  exclude: readonly Span[] = [],
): PriceQuestion | undefined {
  const text = message.text;
  const cues = PRICE_CUES.flatMap((re) => findAll(text, re))
    .filter((cue) => !exclude.some((d) => overlaps(d, cue)))
    .sort((a, b) => a.start - b.start);
  for (const cue of cues) {
    if (!isAsking(text, cue)) continue;
    const confidence = fareConfidence(message, cue, context);
    if (confidence > 0) return { span: cue, confidence };
  }
  return undefined;
}
