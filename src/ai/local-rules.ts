import {
  canonicalEscalations,
  fileMessageTypes,
  type ClassificationInput,
  type DetectedEscalation,
  type EmotionResult,
  type EscalationType,
  type Language,
} from './classification.js';
import { wholeMessageEvidence } from './evidence.js';
import { bookingRuledOut, findBookingRequest } from './rules/booking.js';
import {
  lastBotReply,
  normalizeContext,
  previousCustomerMessage,
  sharesContentWords,
  type NormalizedContext,
} from './rules/conversation.js';
import { discountRuledOut, discountSpans, findDiscountRequest } from './rules/discount.js';
import { NEUTRAL_EMOTION, scoreEmotion, scoreEmotionWithEvidence, type Tally } from './rules/emotion.js';
import { findHumanRequest, humanRequestRuledOut, type HumanRequest } from './rules/human.js';
import { detectLanguage } from './rules/language.js';
import { evidenceOf } from './rules/matcher.js';
import { acceptance, offerIn, type Offer } from './rules/offers.js';
import { fareQuestionRuledOut, findFareFollowUp, findPriceQuestion } from './rules/prices.js';
import { findCustomerUnanswered, isBotFallback } from './rules/unanswered.js';
import { normalizeWithMap, type NormalizedText } from './text-normalize.js';

/**
 * The rules of the local classifier: what they find in one message, before the learned model
 * (learned/) adds what they missed. Deterministic, no network; kept apart from local-classifier.ts so that
 * training (learned/train.ts) reads the rules without loading the committed model.
 */

/** Everything the rules need about one message, computed once. */
export interface Facts {
  input: ClassificationInput;
  message: NormalizedText;
  context: NormalizedContext[];
  contextTexts: NormalizedText[];
  language: Language;
  botReply: NormalizedText | undefined;
  botFailed: boolean;
  offer: Offer | undefined;
}

function hasWords(text: string): boolean {
  return /[\p{L}\p{N}\p{Extended_Pictographic}]/u.test(text);
}

/** The message's language; for a bare file or a too-short message, the language of the conversation so far. */
function languageOf(input: ClassificationInput): Language {
  const own = detectLanguage(input.message.text);
  if (own !== 'other') return own;
  const earlier = [...input.context].reverse();
  // The customer's own words first, then the bot's: the conversation's language.
  for (const m of [...earlier.filter((c) => c.sender === 'customer'), ...earlier]) {
    const language = detectLanguage(m.text);
    if (language !== 'other') return language;
  }
  return 'other';
}

export function gatherFacts(input: ClassificationInput, options: { offers?: boolean } = {}): Facts {
  const context = normalizeContext(input.context);
  const botReply = lastBotReply(context);
  return {
    input,
    message: normalizeWithMap(input.message.text),
    context,
    contextTexts: context.map((c) => c.normalized),
    language: languageOf(input),
    botReply,
    botFailed: botReply ? isBotFallback(botReply.text) : false,
    // What the bot offered matters to escalations only.
    offer: botReply && options.offers !== false ? offerIn(botReply.text) : undefined,
  };
}

function escalation(
  type: DetectedEscalation['type'],
  confidence: number,
  evidence: string,
): DetectedEscalation {
  return { type, confidence, evidence };
}

/** "Yes please" to the bot's offer of a person or of a booking. */
function acceptedOffer(facts: Facts, offer: Offer): DetectedEscalation | undefined {
  if (facts.offer !== offer) return undefined;
  const span = acceptance(facts.message.text);
  if (!span) return undefined;
  const type = offer === 'human' ? 'SPEAK_TO_HUMAN' : 'BOOK_FLIGHT';
  return escalation(type, 0.7, evidenceOf(facts.message, span));
}

function humanEscalation(facts: Facts, request: HumanRequest | undefined): DetectedEscalation | undefined {
  if (request)
    return escalation('SPEAK_TO_HUMAN', request.confidence, evidenceOf(facts.message, request.span));
  return acceptedOffer(facts, 'human');
}

function bookingEscalation(facts: Facts): DetectedEscalation | undefined {
  const booking = findBookingRequest(facts.message, facts.contextTexts);
  if (booking) return escalation('BOOK_FLIGHT', booking.confidence, evidenceOf(facts.message, booking.span));
  return acceptedOffer(facts, 'booking');
}

function discountEscalation(facts: Facts): DetectedEscalation | undefined {
  const discount = findDiscountRequest(facts.message.text);
  return (
    discount && escalation('DISCOUNT_REQUEST', discount.confidence, evidenceOf(facts.message, discount.span))
  );
}

function priceEscalation(facts: Facts): DetectedEscalation | undefined {
  const exclude = discountSpans(facts.message.text);
  const price = findPriceQuestion(facts.message, facts.contextTexts, exclude);
  if (price) return escalation('FLIGHT_PRICES', price.confidence, evidenceOf(facts.message, price.span));
  const followUp = findFareFollowUp(facts.message, facts.botReply, facts.contextTexts);
  return (
    followUp &&
    escalation('FLIGHT_PRICES', followUp.confidence, wholeMessageEvidence(facts.input.message.text))
  );
}

function fileEscalation(facts: Facts): DetectedEscalation | undefined {
  if (!fileMessageTypes.includes(facts.input.message.type)) return undefined;
  return escalation('FILE_SENT', 1, wholeMessageEvidence(facts.input.message.text));
}

/** The bot's last reply failed, or the customer says it answered something else. */
function unansweredEscalation(facts: Facts): DetectedEscalation | undefined {
  const said = findCustomerUnanswered(facts.message.text);
  const evidence = said ? evidenceOf(facts.message, said) : wholeMessageEvidence(facts.input.message.text);
  if (facts.botFailed) return escalation('UNANSWERED', 0.9, evidence);
  if (said) return escalation('UNANSWERED', facts.botReply ? 0.8 : 0.6, evidence);
  return undefined;
}

/** The rules' emotion, and the evidence they weighed (none for a file without words: the earlier words decide). */
function emotionOf(facts: Facts, human: HumanRequest | undefined): { result: EmotionResult; tally?: Tally } {
  const previous = previousCustomerMessage(facts.context);
  if (!hasWords(facts.message.text)) {
    // A voice note or a photo without caption: the customer's last words tell the mood.
    return { result: previous ? scoreEmotion(previous, detectLanguage(previous.original)) : NEUTRAL_EMOTION };
  }
  return scoreEmotionWithEvidence(facts.message, facts.language, {
    repeatsAfterFailure:
      facts.botFailed && previous !== undefined && sharesContentWords(facts.message, previous),
    saysUnanswered: findCustomerUnanswered(facts.message.text) !== undefined,
    asksForManager: human?.manager ?? false,
  });
}

/** What the rules make of one message. */
export interface RuleAnalysis {
  facts: Facts;
  human: HumanRequest | undefined;
  /** The escalations the rules found, in the contract's order (empty when not asked for). */
  escalations: DetectedEscalation[];
  emotion: EmotionResult;
  /** The lexicon's evidence behind `emotion` (absent for a file without words). */
  emotionTally: Tally | undefined;
  /** The customer says the bot did not answer or understand. */
  saysUnanswered: boolean;
  /**
   * Whether the rules saw the type's cue and rejected it (negated, a past booking, another item's price…):
   * the learned model may not add the type then. Computed on demand, since the model seldom asks.
   */
  ruledOut: (type: EscalationType) => boolean;
}

/** Whether the rules saw a type's cue in the message and rejected it. */
function ruledOut(facts: Facts, type: EscalationType): boolean {
  const text = facts.message.text;
  switch (type) {
    case 'SPEAK_TO_HUMAN':
      return humanRequestRuledOut(text);
    case 'DISCOUNT_REQUEST':
      return discountRuledOut(text);
    case 'BOOK_FLIGHT':
      return bookingRuledOut(facts.message, facts.contextTexts);
    case 'FLIGHT_PRICES':
      return fareQuestionRuledOut(facts.message, facts.contextTexts, discountSpans(text));
    default:
      return false;
  }
}

function memoized(facts: Facts): (type: EscalationType) => boolean {
  const known = new Map<EscalationType, boolean>();
  return (type) => {
    let verdict = known.get(type);
    if (verdict === undefined) {
      verdict = ruledOut(facts, type);
      known.set(type, verdict);
    }
    return verdict;
  };
}

/**
 * Runs the rules. `escalations: false` skips the escalation rules and the bot's offers (most of the cost):
 * what the emotion alone needs.
 */
export function analyzeWithRules(
  input: ClassificationInput,
  options: { escalations?: boolean } = {},
): RuleAnalysis {
  const withEscalations = options.escalations !== false;
  const facts = gatherFacts(input, { offers: withEscalations });
  const human = findHumanRequest(facts.message.text);
  const found = withEscalations
    ? [
        humanEscalation(facts, human),
        discountEscalation(facts),
        bookingEscalation(facts),
        priceEscalation(facts),
        fileEscalation(facts),
        unansweredEscalation(facts),
      ].filter((e): e is DetectedEscalation => e !== undefined)
    : [];
  const emotion = emotionOf(facts, human);
  return {
    facts,
    human,
    escalations: canonicalEscalations(found),
    emotion: emotion.result,
    emotionTally: emotion.tally,
    saysUnanswered: findCustomerUnanswered(facts.message.text) !== undefined,
    ruledOut: withEscalations ? memoized(facts) : () => false,
  };
}
