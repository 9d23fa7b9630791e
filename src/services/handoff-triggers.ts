// Handoff rule triggers: what each type's value looks like (validated on input, parsed again when read,
// so a row written around the API never matches by accident), and whether a rule matches the facts of one
// moment in a conversation. Pure: no database, no clock; src/services/handoff.ts loads and applies.
import { z } from 'zod';
import {
  emotions,
  escalationTypes,
  languages,
  type DetectedEscalation,
  type EmotionResult,
} from '../ai/classification.js';
import { isNegatedAt } from '../ai/rules/negation.js';
import { B, E, findAll } from '../ai/rules/matcher.js';
import { isBotFallback } from '../ai/rules/unanswered.js';
import {
  foldPattern,
  normalizeText,
  normalizeWithMap,
  originalSlice,
  type NormalizedText,
} from '../ai/text-normalize.js';
import type { HandoffTriggerType } from '../generated/prisma/enums.js';
import { badInput } from '../kernel/errors.js';

const keyword = z.string().trim().min(1).max(100);
const pattern = z
  .string()
  .min(1)
  .max(200)
  .superRefine((source, ctx) => {
    const problem = unsafePatternProblem(source);
    if (problem) ctx.addIssue({ code: 'custom', message: `pattern "${source}" ${problem}` });
  });

/** The value of each trigger type; fields of other types are refused (a typo must not silently do nothing). */
export const triggerSchemas = {
  KEYWORD: z
    .strictObject({
      keywords: z.array(keyword).max(50).default([]),
      patterns: z.array(pattern).max(20).default([]),
      /** Only messages detected in these languages; empty: any. */
      languages: z.array(z.enum(languages)).max(languages.length).default([]),
    })
    .refine((value) => value.keywords.length + value.patterns.length > 0, 'give keywords or patterns'),
  INTENT: z.strictObject({
    escalationType: z.enum(escalationTypes),
    minConfidence: z.number().min(0).max(1).default(0.5),
  }),
  SENTIMENT: z
    .strictObject({
      /** The emotions that hand over, at an intensity (|score|) of at least minIntensity. */
      emotions: z.array(z.enum(emotions)).max(emotions.length).default([]),
      minIntensity: z.number().int().min(0).max(100).default(0),
      /** Or: the customer's score fell at each of their last N messages and ends below zero. */
      trendMessages: z.number().int().min(2).max(10).nullable().default(null),
    })
    .refine(
      (value) => value.emotions.length > 0 || value.trendMessages !== null,
      'give emotions or trendMessages',
    ),
  TIMEOUT: z.strictObject({
    /** The customer's last message has waited this long without any reply (bot or human). */
    seconds: z.number().int().min(10).max(86_400),
  }),
  CONFIDENCE: z.strictObject({
    /** A bot reply whose reported confidence is below this hands over. */
    below: z.number().min(0).max(1).default(0.5),
    /** Also a bot reply that reads as "I'm not sure / I don't have that information". */
    fallbackReplies: z.boolean().default(true),
  }),
  MANUAL: z.strictObject({}),
} as const satisfies Record<HandoffTriggerType, z.ZodType>;

export type TriggerValue<T extends HandoffTriggerType> = z.infer<(typeof triggerSchemas)[T]>;
export type Trigger = { [T in HandoffTriggerType]: { type: T } & TriggerValue<T> }[HandoffTriggerType];

/** The trigger as given (GraphQL input: every field optional), validated for its type; BAD_USER_INPUT otherwise. */
export function parseTrigger(type: HandoffTriggerType, given: Record<string, unknown>): Trigger {
  const present = Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== null && value !== undefined),
  );
  const parsed = triggerSchemas[type].safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? `${issue.path.join('.')}: ` : '';
    const message =
      issue.code === 'unrecognized_keys'
        ? `${issue.keys.join(', ')} ${issue.keys.length > 1 ? 'are' : 'is'} not used by ${type} triggers`
        : `${field}${issue.message}`;
    throw badInput(`Invalid ${type} trigger: ${message}.`);
  }
  return { type, ...parsed.data } as Trigger;
}

/** A stored trigger, or null when the row does not hold a valid one (it then never matches). */
export function storedTrigger(type: HandoffTriggerType, value: unknown): Trigger | null {
  const parsed = triggerSchemas[type].safeParse(value);
  return parsed.success ? ({ type, ...parsed.data } as Trigger) : null;
}

/**
 * Patterns are matched against every customer message in a shared worker: refuse what can take
 * exponential time (a quantified group that itself contains a quantifier, back-references, lookbehind) or
 * does not compile.
 */
export function unsafePatternProblem(source: string): string | null {
  try {
    new RegExp(foldPattern(source), 'u');
  } catch {
    return 'is not a valid regular expression';
  }
  if (/\\[1-9]|\\k</.test(source)) return 'may not use back-references';
  if (/\(\?<[=!]/.test(source)) return 'may not use lookbehind';
  if (quantifiesRepetition(source)) return 'may not nest quantifiers';
  return null;
}

/**
 * Whether a group that holds a quantifier or an alternation, at any depth, is itself repeated (`*`, `+`,
 * `{n,}`): (a+)+, ((a+))+, (\w*x)*, (a|ab){2,}. Escapes and character classes are skipped.
 */
function quantifiesRepetition(source: string): boolean {
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const ch = source[i]!;
    if (ch === '\\') {
      i += 1;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') groups.push(false);
    else if (ch === ')') {
      const risky = groups.pop() ?? false;
      if (risky && /[*+{]/.test(source[i + 1] ?? '')) return true;
      // A group holding a repetition makes its enclosing group risky too.
      if (risky && groups.length) groups[groups.length - 1] = true;
    } else if ((ch === '*' || ch === '+' || ch === '{' || ch === '|') && groups.length) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}

/** What is known at one moment of a conversation, for the triggers of that moment. */
export type HandoffFacts =
  | {
      kind: 'customer-message';
      text: string;
      language: string | null;
      escalations: readonly DetectedEscalation[];
      emotion: EmotionResult;
      /** Emotion scores of the customer's recent messages, oldest first, this one last. */
      recentScores: readonly number[];
    }
  | { kind: 'bot-message'; text: string; confidence: number | null }
  | { kind: 'timeout'; waitedSeconds: number }
  | { kind: 'manual'; reason: string };

export interface RuleMatch {
  /** Why, in words a person reads on the conversation ("refund", "ANGRY (-70)", "confidence 0.2 < 0.5"). */
  evidence: string;
}

/** Compiled keyword matchers, by the rule's id and version. */
const compiled = new Map<string, RegExp[]>();
const MAX_COMPILED = 5000;

function matchersOf(cacheKey: string, trigger: TriggerValue<'KEYWORD'>): RegExp[] {
  let found = compiled.get(cacheKey);
  if (!found) {
    const escaped = trigger.keywords
      .map((word) => normalizeText(word).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .filter(Boolean);
    found = [
      ...(escaped.length ? [new RegExp(`${B}(?:${escaped.join('|')})${E}`, 'gu')] : []),
      ...trigger.patterns.map((source) => new RegExp(foldPattern(source), 'giu')),
    ];
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(cacheKey, found);
  }
  return found;
}

/** Normalized customer texts, shared by the rules evaluated for one message. */
const normalizedOf = (() => {
  let last: { text: string; normalized: NormalizedText } | undefined;
  return (text: string) => {
    if (last?.text !== text) last = { text, normalized: normalizeWithMap(text) };
    return last.normalized;
  };
})();

/**
 * Whether the trigger matches the facts; `cacheKey` names the rule's version (its compiled keywords are
 * kept). Each type answers only to its moment: a customer message for KEYWORD, INTENT and SENTIMENT, a bot
 * reply for CONFIDENCE, the wait for TIMEOUT, the request for MANUAL.
 */
export function matchTrigger(trigger: Trigger, facts: HandoffFacts, cacheKey: string): RuleMatch | null {
  switch (trigger.type) {
    case 'KEYWORD': {
      if (facts.kind !== 'customer-message') return null;
      if (trigger.languages.length && !trigger.languages.some((language) => language === facts.language)) {
        return null;
      }
      const normalized = normalizedOf(facts.text);
      for (const matcher of matchersOf(cacheKey, trigger)) {
        for (const span of findAll(normalized.text, matcher)) {
          // "I don't want a refund" is not a request for one.
          if (isNegatedAt(normalized.text, span.start)) continue;
          return { evidence: originalSlice(normalized, span.start, span.end) };
        }
      }
      return null;
    }
    case 'INTENT': {
      if (facts.kind !== 'customer-message') return null;
      const found = facts.escalations.find(
        (escalation) =>
          escalation.type === trigger.escalationType && escalation.confidence >= trigger.minConfidence,
      );
      return found ? { evidence: `${found.type} (${found.confidence.toFixed(2)}): ${found.evidence}` } : null;
    }
    case 'SENTIMENT': {
      if (facts.kind !== 'customer-message') return null;
      const { emotion, score } = facts.emotion;
      if (trigger.emotions.includes(emotion) && Math.abs(score) >= trigger.minIntensity) {
        return { evidence: `${emotion} (${score})` };
      }
      const n = trigger.trendMessages;
      if (n !== null && facts.recentScores.length >= n) {
        const last = facts.recentScores.slice(-n);
        const falling = last.every((value, index) => index === 0 || value < last[index - 1]!);
        if (falling && last[last.length - 1]! < 0) return { evidence: `falling: ${last.join(' → ')}` };
      }
      return null;
    }
    case 'CONFIDENCE': {
      if (facts.kind !== 'bot-message') return null;
      if (facts.confidence !== null && facts.confidence < trigger.below) {
        return { evidence: `confidence ${facts.confidence} < ${trigger.below}` };
      }
      if (trigger.fallbackReplies && isBotFallback(normalizeText(facts.text))) {
        return { evidence: `the bot could not answer: ${facts.text.slice(0, 200)}` };
      }
      return null;
    }
    case 'TIMEOUT':
      return facts.kind === 'timeout' && facts.waitedSeconds >= trigger.seconds
        ? { evidence: `waited ${Math.floor(facts.waitedSeconds)} s (limit ${trigger.seconds} s)` }
        : null;
    case 'MANUAL':
      return facts.kind === 'manual' ? { evidence: facts.reason } : null;
  }
}

/** Whether a bot reply can match any CONFIDENCE trigger at all (ingestion queues a check only then). */
export function botReplyNeedsCheck(content: string, confidence: number | null | undefined): boolean {
  return (confidence !== null && confidence !== undefined) || isBotFallback(normalizeText(content));
}
