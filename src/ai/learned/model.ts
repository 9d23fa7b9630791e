import { z } from 'zod';
import {
  emotions,
  escalationTypes,
  type ClassificationInput,
  type DetectedEscalation,
  type Emotion,
  type EmotionResult,
  type EscalationType,
} from '../classification.js';
import { wholeMessageEvidence } from '../evidence.js';
import type { RuleAnalysis } from '../local-rules.js';
import {
  FEATURE_BITS,
  FEATURE_BUCKETS,
  featurize,
  featurizeWithSignals,
  type FeatureInput,
  type SparseVector,
} from './features.js';
import { decodeWeights, scoreHeads, type QuantizedHeads } from './linear-model.js';

/**
 * The learned model beside the rules, and how the two are combined:
 * - escalations: a rule hit always counts (with the rules' evidence); the model adds a type the rules missed
 *   when its score passes the type's threshold (chosen on the dev split), unless the rules saw the cue and
 *   rejected it (a negation, a past booking, another item's price: see `RuleAnalysis.ruledOut`). FILE_SENT is
 *   never learned: it is the message type.
 * - emotion: the model's class wins when it beats the rules' class by more than a margin (chosen on dev), a
 *   higher one when the rules found an emotion than when they found none; an emotion the rules found keeps
 *   its leaning (never NEUTRAL, never the opposite feeling: the model tells disappointed from angry).
 * The model file (model.json) is written by `npm run train` (scripts/train-classifier.ts).
 */

/** The escalation types the model learns: all but FILE_SENT. */
export const LEARNED_TYPES: readonly EscalationType[] = escalationTypes.filter((t) => t !== 'FILE_SENT');

export const MODEL_FORMAT = 'linear-perceptron-v1';

const headsSchema = z.object({ scales: z.array(z.number()), weights: z.string() });

export const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  featureBits: z.number().int(),
  /** sha256 of train.jsonl and dev.jsonl, in that order, as trained on. */
  corpusSha256: z.string(),
  training: z.object({
    epochs: z.number().int(),
    seed: z.number().int(),
    margin: z.number(),
    positiveStep: z.number(),
  }),
  escalation: headsSchema.extend({
    labels: z.array(z.enum(escalationTypes)),
    thresholds: z.array(z.number()),
  }),
  emotion: headsSchema.extend({
    labels: z.array(z.enum(emotions)),
    /** The model's emotion replaces the rules' NEUTRAL when its score beats theirs by more than this. */
    overrideMargin: z.number(),
    /** The same, when the rules found an emotion (their cues are seldom wrong): a higher bar. */
    overrideFoundMargin: z.number(),
  }),
  /** The combined classifier's figures on the dev split when the model was trained (for information). */
  dev: z.object({ macroF1: z.number(), emotionAccuracy: z.number() }),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

export interface LearnedModel {
  escalation: QuantizedHeads & { labels: readonly EscalationType[]; thresholds: readonly number[] };
  emotion: QuantizedHeads & {
    labels: readonly Emotion[];
    overrideMargin: number;
    overrideFoundMargin: number;
  };
}

/** Validates a model file and decodes its weights; throws on a file of another format or size. */
export function loadModel(json: unknown): LearnedModel {
  const file = modelFileSchema.parse(json);
  if (file.featureBits !== FEATURE_BITS) {
    throw new Error(`model file has ${file.featureBits} feature bits, the code ${FEATURE_BITS}`);
  }
  const { escalation, emotion } = file;
  if (escalation.thresholds.length !== escalation.labels.length) throw new Error('thresholds ≠ labels');
  return {
    escalation: {
      heads: escalation.labels.length,
      scales: escalation.scales,
      weights: decodeWeights(escalation.weights, escalation.labels.length * FEATURE_BUCKETS),
      labels: escalation.labels,
      thresholds: escalation.thresholds,
    },
    emotion: {
      heads: emotion.labels.length,
      scales: emotion.scales,
      weights: decodeWeights(emotion.weights, emotion.labels.length * FEATURE_BUCKETS),
      labels: emotion.labels,
      overrideMargin: emotion.overrideMargin,
      overrideFoundMargin: emotion.overrideFoundMargin,
    },
  };
}

/** The rules' findings as feature names: the model learns when to trust them. */
function signals(analysis: RuleAnalysis, forEscalations: boolean): string[] {
  const { facts } = analysis;
  const out = [`emotion:${analysis.emotion.emotion}`, `lang:${facts.language}`];
  if (facts.botFailed) out.push('bot-failed');
  if (analysis.saysUnanswered) out.push('says-unanswered');
  if (analysis.human?.manager) out.push('manager');
  // The lexicon's evidence, graded: the model learns where the rules' cut-offs between emotions fall short.
  for (const [kind, value] of Object.entries(analysis.emotionTally ?? {})) {
    const amount = typeof value === 'boolean' ? Number(value) : value;
    if (amount > 0) out.push(`tally:${kind}`, `tally:${kind}:${Math.min(4, Math.round(amount))}`);
  }
  if (forEscalations) {
    for (const e of analysis.escalations) out.push(`rule:${e.type}`);
    if (facts.offer) out.push(`offer:${facts.offer}`);
  }
  return out;
}

function textInput(analysis: RuleAnalysis): Omit<FeatureInput, 'signals'> {
  const { facts } = analysis;
  const previous = [...facts.context].reverse().find((c) => c.sender === 'customer');
  return {
    text: facts.message.text,
    original: facts.message.original,
    messageType: facts.input.message.type,
    botReply: facts.botReply?.text,
    previousCustomer: previous?.normalized.text,
    lastSender: facts.context.at(-1)?.sender,
  };
}

/** The two feature vectors of a message: for the escalation heads, and for the emotion head. */
export function messageFeatures(analysis: RuleAnalysis): { escalation: SparseVector; emotion: SparseVector } {
  const [escalation, emotion] = featurizeWithSignals(textInput(analysis), [
    signals(analysis, true),
    signals(analysis, false),
  ]);
  return { escalation: escalation as SparseVector, emotion: emotion as SparseVector };
}

/** The emotion head's vector alone (what emotionAndTopicsLocally needs). */
export function emotionFeatures(analysis: RuleAnalysis): SparseVector {
  return featurize({ ...textInput(analysis), signals: signals(analysis, false) });
}

/** Confidence of a model-added escalation: 0.6 at the threshold, up to 0.9 well above it. */
function modelConfidence(score: number, threshold: number): number {
  const above = Math.max(0, score - threshold);
  return Math.round((0.6 + 0.3 * (1 - Math.exp(-above))) * 100) / 100;
}

/** Rules first, then what the model adds above its thresholds and outside the rules' vetoes. */
export function combineEscalations(
  model: LearnedModel['escalation'],
  analysis: RuleAnalysis,
  features: SparseVector,
  input: ClassificationInput,
): DetectedEscalation[] {
  const found = [...analysis.escalations];
  const scores = scoreHeads(model, features);
  model.labels.forEach((type, h) => {
    if (found.some((e) => e.type === type)) return;
    const score = scores[h] as number;
    const threshold = model.thresholds[h] as number;
    if (score < threshold || analysis.ruledOut(type)) return;
    found.push({
      type,
      confidence: modelConfidence(score, threshold),
      evidence: wholeMessageEvidence(input.message.text),
    });
  });
  return found;
}

/** A score in the emotion's range when the model, not the rules, chose it. */
const MODEL_EMOTION_SCORE: Readonly<Record<Emotion, number>> = {
  ANGRY: -70,
  DISAPPOINTED: -35,
  NEUTRAL: 0,
  SATISFIED: 50,
  HAPPY: 70,
};

/** Emotions of the same leaning: the model may tell DISAPPOINTED from ANGRY, SATISFIED from HAPPY. */
const LEANING: Readonly<Record<Emotion, readonly Emotion[]>> = {
  ANGRY: ['ANGRY', 'DISAPPOINTED'],
  DISAPPOINTED: ['ANGRY', 'DISAPPOINTED'],
  HAPPY: ['HAPPY', 'SATISFIED'],
  SATISFIED: ['HAPPY', 'SATISFIED'],
  NEUTRAL: emotions,
};

export function combineEmotion(
  model: LearnedModel['emotion'],
  analysis: RuleAnalysis,
  features: SparseVector,
): EmotionResult {
  const scores = scoreHeads(model, features);
  const rule = analysis.emotion;
  const scoreOf = (emotion: Emotion): number => {
    const index = model.labels.indexOf(emotion);
    return index < 0 ? -Infinity : (scores[index] as number);
  };
  let chosen: Emotion = rule.emotion;
  for (const emotion of model.labels) if (scoreOf(emotion) > scoreOf(chosen)) chosen = emotion;
  // An emotion the rules' cues found keeps its leaning: never NEUTRAL, never the opposite feeling. The model
  // only tells disappointed from angry (satisfied from happy), and only when it reads the same leaning itself.
  if (chosen === rule.emotion || !LEANING[rule.emotion].includes(chosen)) return rule;
  const margin = rule.emotion === 'NEUTRAL' ? model.overrideMargin : model.overrideFoundMargin;
  if (scoreOf(chosen) - scoreOf(rule.emotion) <= margin) return rule;
  return { emotion: chosen, score: MODEL_EMOTION_SCORE[chosen] };
}
