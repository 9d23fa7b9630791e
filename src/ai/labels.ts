import { emotions, escalationTypes, type Emotion, type EscalationType } from './classification.js';

/**
 * The label definitions, in one place: the labelled corpus (data/classifier/README.md) was written against
 * them, the OpenAI-compatible prompt (prompts.ts) is built from them, and docs/classifier.md quotes them.
 * Changing a definition means relabelling the corpus, retraining (npm run train) and re-measuring.
 */

export interface LabelDefinition {
  /** What the label means, in one sentence. */
  readonly meaning: string;
  /** Cases that count, beyond the obvious ones. */
  readonly includes: readonly string[];
  /** Near misses that do NOT count. */
  readonly excludes: readonly string[];
}

export const ESCALATION_DEFINITIONS: Readonly<Record<EscalationType, LabelDefinition>> = {
  SPEAK_TO_HUMAN: {
    meaning: 'the customer wants a human (person, agent, representative, manager, "someone") to take over.',
    includes: [
      'indirect requests: "can someone call me back", "can a colleague take over", "Hello?? I asked for a human agent"',
      'accepting the bot\'s offer of an agent ("yes please" after "shall I connect you to an agent?")',
    ],
    excludes: [
      'negations ("I don\'t need a human", "no need to call me")',
      '"are you a bot?" and other questions about who is answering',
      'merely naming or praising an agent, asking about opening hours of a call centre',
    ],
  },
  DISCOUNT_REQUEST: {
    meaning: 'the customer asks for money off or about a reduction.',
    includes: [
      'promo codes, coupons, vouchers, discounts, special or reduced rates, waiving a fee',
      'price matching, refunding the difference after a price drop',
      '"is the discount still valid on my booking", "the code does not work, can you apply it"',
    ],
    excludes: [
      'a full refund, a cancellation refund, compensation',
      '"the coupon worked" and other codes that already did their job',
      '"تم خصم المبلغ" / "انخصم" / "اتخصم" / "et5asam": the amount was charged or deducted, not a discount',
    ],
  },
  BOOK_FLIGHT: {
    meaning: 'a present intent to book a flight or buy a plane ticket.',
    includes: [
      'conditional orders ("if it\'s under €200 book it")',
      'accepting the bot\'s offer to book, choosing one of the flights the bot listed ("the 15:20 one, book it")',
    ],
    excludes: [
      '"I already booked", "my sister booked", a booking that does not show in the app',
      'changing the date of, cancelling or adding to an existing booking',
      'booking a hotel, a table, a taxi, an appointment or a course; "not yet, I\'m comparing"',
    ],
  },
  FLIGHT_PRICES: {
    meaning: 'the customer asks the fare of a flight or ticket.',
    includes: [
      '"how much?" when the conversation is about a flight',
      'comparing fares ("is Tuesday cheaper than Friday?"), asking for a budget or a quote',
    ],
    excludes: [
      'baggage, seat, upgrade, change, cancellation, pet or sports-gear fees',
      'prices of courses, hotel rooms, products or phone plans',
      '"I\'m not asking about the fare", "I don\'t care about the price", flight duration ("how long")',
    ],
  },
  FILE_SENT: {
    meaning: 'the message is a file: its type is IMAGE, AUDIO, VIDEO or FILE, with or without a caption.',
    includes: ['a voice note or a photo without any words'],
    excludes: ['"I\'ll send the scan later", "can I email the documents?": talking about a file is not one'],
  },
  UNANSWERED: {
    meaning:
      "the bot's last reply says it does not know, cannot help or did not understand, or the customer says the bot answered something else.",
    includes: [
      'the customer stays calm ("ok, thanks anyway") after the bot failed',
      '"that\'s not what I asked", "you misunderstood me", "read my message"',
    ],
    excludes: ['the bot answered the question (even briefly), or an agent has replied since the bot'],
  },
};

export const EMOTION_DEFINITIONS: Readonly<Record<Emotion, LabelDefinition>> = {
  ANGRY: {
    meaning: 'hostile, insulting or threatening.',
    includes: [
      'threats to sue, complain publicly or leave; insults ("useless", "liars", "scam")',
      'sarcasm that mocks ("wow, amazing service, losing my bag twice takes real talent")',
      'shouted demands on top of a complaint ("HUMAN. AGENT. NOW.")',
    ],
    excludes: ['mild frustration without hostility: that is DISAPPOINTED'],
  },
  DISAPPOINTED: {
    meaning: 'let down, frustrated or mildly negative.',
    includes: [
      'waiting without news ("still no update, 6 weeks"), "unfortunately", "that\'s a shame"',
      'sarcasm without insult ("Great. Another delay.")',
    ],
    excludes: ['a neutral report of a problem with no feeling shown ("I was charged twice, please check")'],
  },
  NEUTRAL: {
    meaning: 'factual or polite, no clear feeling.',
    includes: ['questions, requests, "ok", "thanks in advance", "no thanks"'],
    excludes: [],
  },
  SATISFIED: {
    meaning: 'content with what was done.',
    includes: ['thanks for a solved problem ("refund arrived, thank you"), "perfect, that works"'],
    excludes: ['thanks in advance or a polite closing on a request: NEUTRAL'],
  },
  HAPPY: {
    meaning: 'positive or excited in general.',
    includes: [
      'excitement and joy ("can\'t wait!!", "we\'re getting married", "yay my upgrade came through")',
    ],
    excludes: [],
  },
};

/** For a file without words, the emotion comes from the customer's earlier words in the conversation. */
export const FILE_EMOTION_RULE =
  "For an image, audio, video or file without a caption, the emotion is the customer's mood in the conversation so far (NEUTRAL when there is none).";

function describe(name: string, definition: LabelDefinition): string {
  const lines = [`- ${name}: ${definition.meaning}`];
  if (definition.includes.length > 0) lines.push(`  Counts: ${definition.includes.join('; ')}.`);
  if (definition.excludes.length > 0) lines.push(`  Does NOT count: ${definition.excludes.join('; ')}.`);
  return lines.join('\n');
}

/** The escalation definitions as prompt text, one entry per type in the contract's order. */
export function escalationDefinitionsText(): string {
  return escalationTypes.map((type) => describe(type, ESCALATION_DEFINITIONS[type])).join('\n');
}

/** The emotion definitions as prompt text, in the contract's order. */
export function emotionDefinitionsText(): string {
  return [
    ...emotions.map((emotion) => describe(emotion, EMOTION_DEFINITIONS[emotion])),
    FILE_EMOTION_RULE,
  ].join('\n');
}
