// The handoff triggers on their own: what each type accepts, and when it matches and must not.
import { describe, expect, it } from 'vitest';
import {
  matchTrigger,
  parseTrigger,
  unsafePatternProblem,
  type HandoffFacts,
} from '../src/services/handoff-triggers.js';

const customer = (
  text: string,
  overrides: Partial<Extract<HandoffFacts, { kind: 'customer-message' }>> = {},
) =>
  ({
    kind: 'customer-message',
    text,
    language: 'en',
    escalations: [],
    emotion: { emotion: 'NEUTRAL', score: 0 },
    recentScores: [0],
    ...overrides,
  }) satisfies HandoffFacts;

let version = 0;
const match = (
  type: Parameters<typeof parseTrigger>[0],
  value: Record<string, unknown>,
  facts: HandoffFacts,
) => matchTrigger(parseTrigger(type, value), facts, `rule:${++version}`);

describe('handoff trigger values', () => {
  it('refuses fields of another type, missing values and values out of range', () => {
    expect(() => parseTrigger('INTENT', { escalationType: 'SPEAK_TO_HUMAN', keywords: ['x'] })).toThrow(
      /keywords is not used by INTENT/,
    );
    expect(() => parseTrigger('KEYWORD', {})).toThrow(/give keywords or patterns/);
    expect(() => parseTrigger('SENTIMENT', {})).toThrow(/give emotions or trendMessages/);
    expect(() => parseTrigger('TIMEOUT', { seconds: 5 })).toThrow(/seconds/);
    expect(() => parseTrigger('CONFIDENCE', { below: 2 })).toThrow(/below/);
    expect(parseTrigger('CONFIDENCE', {})).toEqual({ type: 'CONFIDENCE', below: 0.5, fallbackReplies: true });
  });

  it('refuses patterns that do not compile or can take exponential time', () => {
    expect(unsafePatternProblem('(unclosed')).toMatch(/not a valid/);
    expect(unsafePatternProblem('(a+)+$')).toMatch(/nest/);
    expect(unsafePatternProblem('(\\w*x)*')).toMatch(/nest/);
    expect(unsafePatternProblem('(a|ab){2,}')).toMatch(/nest/);
    expect(unsafePatternProblem('((a+))+')).toMatch(/nest/);
    expect(unsafePatternProblem('(?:x(?:a|b)y)*')).toMatch(/nest/);
    expect(unsafePatternProblem('[(]a+[)]+')).toBeNull();
    expect(unsafePatternProblem('\\(a+\\)+')).toBeNull();
    expect(unsafePatternProblem('(.)\\1')).toMatch(/back-references/);
    expect(unsafePatternProblem('(?<!no )refund')).toMatch(/lookbehind/);
    expect(unsafePatternProblem('refund(s|ed)? (now|today)')).toBeNull();
  });
});

describe('matching', () => {
  it('KEYWORD: whole words on normalized text, Arabic variants, not negated, in its languages', () => {
    expect(match('KEYWORD', { keywords: ['refund'] }, customer('I need a REFUND now'))).toEqual({
      evidence: 'REFUND',
    });
    expect(match('KEYWORD', { keywords: ['refund'] }, customer('refunded already'))).toBeNull();
    expect(match('KEYWORD', { keywords: ['refund'] }, customer("I don't want a refund"))).toBeNull();
    expect(
      match(
        'KEYWORD',
        { keywords: ['réservation'] },
        customer('Je veux changer la RESERVATION', { language: 'fr' }),
      ),
    ).toEqual({
      evidence: 'RESERVATION',
    });
    expect(
      match('KEYWORD', { keywords: ['استرداد'] }, customer('أريد إسْتِرداد المبلغ', { language: 'ar' })),
    ).not.toBeNull();
    expect(
      match('KEYWORD', { keywords: ['refund'], languages: ['ar'] }, customer('refund please')),
    ).toBeNull();
    expect(match('KEYWORD', { patterns: ['refund(s|ed)? (now|today)'] }, customer('Refund today!'))).toEqual({
      evidence: 'Refund today',
    });
  });

  it('INTENT: the escalation at or above the confidence', () => {
    const asks = customer('a real person', {
      escalations: [{ type: 'SPEAK_TO_HUMAN', confidence: 0.6, evidence: 'a real person' }],
    });
    expect(match('INTENT', { escalationType: 'SPEAK_TO_HUMAN', minConfidence: 0.5 }, asks)).not.toBeNull();
    expect(match('INTENT', { escalationType: 'SPEAK_TO_HUMAN', minConfidence: 0.7 }, asks)).toBeNull();
    expect(match('INTENT', { escalationType: 'DISCOUNT_REQUEST' }, asks)).toBeNull();
  });

  it('SENTIMENT: the emotion at an intensity, or a falling trend that ends below zero', () => {
    const angry = customer('furious', { emotion: { emotion: 'ANGRY', score: -70 } });
    expect(match('SENTIMENT', { emotions: ['ANGRY'], minIntensity: 50 }, angry)).toEqual({
      evidence: 'ANGRY (-70)',
    });
    expect(match('SENTIMENT', { emotions: ['ANGRY'], minIntensity: 80 }, angry)).toBeNull();
    expect(match('SENTIMENT', { emotions: ['DISAPPOINTED'] }, angry)).toBeNull();
    const falling = customer('hmm', { recentScores: [20, 0, -10] });
    expect(match('SENTIMENT', { trendMessages: 3 }, falling)).toEqual({ evidence: 'falling: 20 → 0 → -10' });
    expect(
      match('SENTIMENT', { trendMessages: 3 }, customer('ok', { recentScores: [20, 10, 5] })),
    ).toBeNull();
    expect(match('SENTIMENT', { trendMessages: 3 }, customer('ok', { recentScores: [0, -10] }))).toBeNull();
  });

  it('CONFIDENCE, TIMEOUT and MANUAL: each at its own moment only', () => {
    const bot = (text: string, confidence: number | null): HandoffFacts => ({
      kind: 'bot-message',
      text,
      confidence,
    });
    expect(match('CONFIDENCE', { below: 0.5 }, bot('Terminal 1?', 0.2))).toEqual({
      evidence: 'confidence 0.2 < 0.5',
    });
    expect(match('CONFIDENCE', { below: 0.5 }, bot('Terminal 3.', 0.9))).toBeNull();
    expect(match('CONFIDENCE', {}, bot("Sorry, I don't have that information.", null))).not.toBeNull();
    expect(
      match('CONFIDENCE', { fallbackReplies: false }, bot("Sorry, I don't have that information.", null)),
    ).toBeNull();
    expect(match('CONFIDENCE', { below: 0.5 }, customer('Terminal 1?'))).toBeNull();
    expect(match('TIMEOUT', { seconds: 60 }, { kind: 'timeout', waitedSeconds: 61 })).not.toBeNull();
    expect(match('TIMEOUT', { seconds: 60 }, { kind: 'timeout', waitedSeconds: 59 })).toBeNull();
    expect(match('MANUAL', {}, { kind: 'manual', reason: 'VIP' })).toEqual({ evidence: 'VIP' });
    expect(match('MANUAL', {}, customer('VIP'))).toBeNull();
  });
});
