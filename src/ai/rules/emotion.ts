import { type Emotion, type EmotionResult, type Language } from '../classification.js';
import { type NormalizedText } from '../text-normalize.js';
import {
  ARABIC_CUES,
  ENGLISH_CUES,
  FRENCH_CUES,
  UNIVERSAL_CUES,
  URGENCY,
  type EmotionCue,
} from './emotion-lexicon.js';
import { findAll, sentenceAt, type Span } from './matcher.js';
import { isNegatedAt } from './negation.js';

/**
 * Emotion from a weighted lexicon plus how the message is written. Negative cues outweigh politeness; among
 * negative messages, hostility (insults, threats, or shouting, "??", urgency and manager demands on top of a
 * complaint) makes ANGRY, anything milder DISAPPOINTED. Among positive ones, excitement makes HAPPY and thanks
 * or a resolved problem makes SATISFIED.
 */

/** Facts about the conversation that the classifier already knows and that colour the emotion. */
export interface EmotionSignals {
  /** The customer repeats what they asked before, after the bot failed to answer it. */
  repeatsAfterFailure?: boolean;
  /** The customer says they were not answered or understood. */
  saysUnanswered?: boolean;
  /** The customer asks for a manager or supervisor. */
  asksForManager?: boolean;
}

interface Hit {
  span: Span;
  cue: EmotionCue;
}

/** The weighted evidence behind an emotion: what the cues and the way the message is written add up to. */
export interface Tally {
  anger: number;
  disappointment: number;
  happiness: number;
  satisfaction: number;
  positive: number;
  /** Hostility on top of a complaint: shouting, "??", urgency, repeated failures, manager demands. */
  hostility: number;
  /** Excitement on top of a positive message: "!!", stretched words. */
  excitement: number;
  /** Shouted demands for a manager or for speed ("Get me a manager NOW!!"), hostile without any insult. */
  demanding: boolean;
}

function cuesFor(language: Language): EmotionCue[] {
  // Latin-script lexicons are kept apart where words are false friends ("hâte" is not "hate").
  const cues = [...UNIVERSAL_CUES, ...ARABIC_CUES];
  if (language !== 'fr') cues.push(...ENGLISH_CUES);
  if (language !== 'en') cues.push(...FRENCH_CUES);
  return cues;
}

/** Every cue match, longest first, without overlaps ("can't wait" beats "can't", "no thanks" beats "thanks"). */
function collectHits(text: string, cues: readonly EmotionCue[]): Hit[] {
  const all = cues.flatMap((cue) => findAll(text, cue.re).map((span) => ({ span, cue })));
  all.sort((a, b) => b.span.end - b.span.start - (a.span.end - a.span.start) || a.span.start - b.span.start);
  const kept: Hit[] = [];
  for (const hit of all) {
    if (!kept.some((k) => hit.span.start < k.span.end && k.span.start < hit.span.end)) kept.push(hit);
  }
  return kept.sort((a, b) => a.span.start - b.span.start);
}

const ACRONYMS = new Set([
  'OK',
  'ID',
  'PDF',
  'USA',
  'UK',
  'EU',
  'UAE',
  'KSA',
  'AM',
  'PM',
  'TV',
  'SMS',
  'DM',
  'ETA',
]);
const ACRONYMS_MORE = new Set([
  'FAQ',
  'VIP',
  'ASAP',
  'PS',
  'NYC',
  'USD',
  'EUR',
  'GBP',
  'AED',
  'SAR',
  'QR',
  'TBH',
]);

/** Words written in capitals for emphasis ("My REFUND", "CODE PROMO"), not acronyms or references. */
function shoutedWords(original: string): number {
  const words = original.match(/(?<![\p{L}\p{N}])\p{Lu}{2,}(?![\p{L}\p{N}])/gu) ?? [];
  return words.filter((w) => !ACRONYMS.has(w) && !ACRONYMS_MORE.has(w)).length;
}

function layoutSignals(original: string): {
  multiExclaim: boolean;
  multiQuestion: boolean;
  stretched: boolean;
} {
  return {
    multiExclaim: /!\s*!/u.test(original),
    multiQuestion: /\?\s*\?|\?\s*!|!\s*\?|؟\s*؟/u.test(original),
    stretched: /(\p{L})\1{2,}/u.test(original) && !/ه{3,}/u.test(original),
  };
}

function tokenCount(text: string, span: Span): number {
  return (text.slice(span.start, span.end).match(/[\p{L}\p{N}]+/gu) ?? []).length;
}

/** Adds one cue hit to the tally; negated cues flip ("not happy") or vanish ("not disappointed"). */
function addHit(tally: Tally, hit: Hit, text: string): void {
  const { kind, weight, negatable } = hit.cue;
  const negated = negatable && isNegatedAt(text, hit.span.start, { window: 3, questionsAreRequests: false });
  if (negated) {
    if (kind === 'happiness' || kind === 'satisfaction' || kind === 'positive') tally.disappointment += 1.5;
    return;
  }
  if (kind === 'anger') tally.anger += weight;
  else if (kind === 'disappointment') tally.disappointment += weight;
  else if (kind === 'repeated') {
    tally.disappointment += weight;
    tally.hostility += 1;
  } else if (kind === 'happiness') tally.happiness += weight;
  else if (kind === 'satisfaction') tally.satisfaction += weight;
  else if (kind === 'positive') {
    // "Nice!" is glad in general; "Great, thanks" or "Perfect." is content with what was done.
    if (/^ ?!/u.test(text.slice(hit.span.end))) tally.happiness += weight;
    else tally.positive += weight;
  }
}

/** "Wrong colour AND a hole in the sleeve. Great." — a lone approving word after a complaint is sarcasm. */
function isSarcasm(hit: Hit, text: string, complaint: boolean): boolean {
  if (!complaint) return false;
  const light = hit.cue.kind === 'positive' || (hit.cue.kind === 'happiness' && hit.cue.weight <= 1);
  return light && tokenCount(text, sentenceAt(text, hit.span.start)) <= 3;
}

function tallyOf(normalized: NormalizedText, language: Language, signals: EmotionSignals): Tally {
  const text = normalized.text;
  const tally: Tally = {
    anger: 0,
    disappointment: 0,
    happiness: 0,
    satisfaction: 0,
    positive: 0,
    hostility: 0,
    excitement: 0,
    demanding: false,
  };
  const hits = collectHits(text, cuesFor(language));
  const isNegative = (h: Hit): boolean => ['anger', 'disappointment', 'repeated'].includes(h.cue.kind);
  const complaint = hits.some(isNegative) || !!signals.saysUnanswered || !!signals.repeatsAfterFailure;
  for (const hit of hits) {
    if (isSarcasm(hit, text, complaint)) tally.disappointment += 1;
    else addHit(tally, hit, text);
  }
  if (signals.saysUnanswered) tally.disappointment += 1;
  if (signals.repeatsAfterFailure) tally.disappointment += 1;
  if (/ه{3,}/u.test(normalized.original)) tally.happiness += 1; // Arabic laughter, "هههه"

  const layout = layoutSignals(normalized.original);
  tally.hostility += Math.min(2, shoutedWords(normalized.original));
  tally.hostility += layout.multiQuestion || layout.multiExclaim ? 1 : 0;
  const pressing = findAll(text, URGENCY).length > 0 || !!signals.asksForManager;
  tally.hostility += findAll(text, URGENCY).length > 0 ? 1 : 0;
  tally.hostility += signals.asksForManager ? 1 : 0;
  tally.demanding = pressing && tally.hostility >= 3;
  tally.excitement += (layout.multiExclaim ? 1 : 0) + (layout.stretched ? 1 : 0);
  return tally;
}

const clamp = (value: number, min: number, max: number): number =>
  Math.round(Math.min(max, Math.max(min, value)));

function decide(t: Tally): EmotionResult {
  const negative = t.anger + t.disappointment;
  const positive = t.happiness + t.satisfaction + t.positive;
  if (negative > 0 && negative * 2 >= positive) {
    if (t.anger >= 2 || t.hostility >= 2) {
      return { emotion: 'ANGRY', score: -clamp(50 + 10 * (t.anger + t.hostility), 60, 100) };
    }
    return { emotion: 'DISAPPOINTED', score: -clamp(15 + 10 * negative, 20, 55) };
  }
  if (t.demanding && positive === 0) {
    return { emotion: 'ANGRY', score: -clamp(50 + 10 * t.hostility, 60, 100) };
  }
  if (positive > 0) {
    const happy = t.happiness + t.excitement;
    const satisfied = t.satisfaction + (t.happiness > 0 ? 0 : t.positive);
    const emotion: Emotion = happy > satisfied ? 'HAPPY' : 'SATISFIED';
    return emotion === 'HAPPY'
      ? { emotion, score: clamp(50 + 10 * happy, 60, 100) }
      : { emotion, score: clamp(30 + 10 * satisfied, 35, 75) };
  }
  return { emotion: 'NEUTRAL', score: 0 };
}

/** The emotion of one customer message (normalised), with what the conversation tells about it. */
export function scoreEmotion(
  normalized: NormalizedText,
  language: Language,
  signals: EmotionSignals = {},
): EmotionResult {
  return decide(tallyOf(normalized, language, signals));
}

/** The emotion with the evidence it was decided from (the learned model reads the evidence too). */
export function scoreEmotionWithEvidence(
  normalized: NormalizedText,
  language: Language,
  signals: EmotionSignals = {},
): { result: EmotionResult; tally: Tally } {
  const tally = tallyOf(normalized, language, signals);
  return { result: decide(tally), tally };
}

export const NEUTRAL_EMOTION: EmotionResult = { emotion: 'NEUTRAL', score: 0 };
