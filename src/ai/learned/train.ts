import { createHash } from 'node:crypto';
import { emotions, type ClassificationInput } from '../classification.js';
import { evaluatePredictions, precisionRecallF1, type LabelledExample } from '../evaluation.js';
import { analyzeWithRules, type RuleAnalysis } from '../local-rules.js';
import { FEATURE_BITS, type SparseVector } from './features.js';
import {
  encodeWeights,
  quantize,
  scoreHeads,
  trainBinaryHeads,
  trainMulticlass,
  type QuantizedHeads,
  type TrainingOptions,
} from './linear-model.js';
import {
  combineEmotion,
  combineEscalations,
  LEARNED_TYPES,
  MODEL_FORMAT,
  messageFeatures,
  type LearnedModel,
  type ModelFile,
} from './model.js';

/**
 * Training the learned model from the corpus (data/classifier/): weights from the train split, the decision
 * thresholds and the emotion override margin from the dev split. The test split is not an input. Everything is
 * deterministic (seeded order, integer updates, fixed rounding), so the same corpus and code give the same
 * model file byte for byte: test/ai/learned-model.test.ts retrains and compares.
 */

export const TRAINING_OPTIONS: TrainingOptions = { epochs: 12, seed: 15, margin: 80, positiveStep: 1 };

export interface TrainingCorpus {
  /** The files' text, as read: hashed into the model file so that a stale model is caught. */
  trainText: string;
  devText: string;
  train: readonly LabelledExample[];
  dev: readonly LabelledExample[];
}

export function corpusSha256(trainText: string, devText: string): string {
  return createHash('sha256').update(trainText).update('\u0000').update(devText).digest('hex');
}

interface Prepared {
  example: LabelledExample;
  input: ClassificationInput;
  analysis: RuleAnalysis;
  escalation: SparseVector;
  emotion: SparseVector;
}

function prepare(example: LabelledExample): Prepared {
  const input = { message: example.message, context: example.context };
  const analysis = analyzeWithRules(input);
  return { example, input, analysis, ...messageFeatures(analysis) };
}

/** 12 significant digits: what the model file stores, and so what training measures with. */
const stored = (x: number): number => Number(x.toPrecision(12));

function storedHeads(heads: QuantizedHeads): QuantizedHeads {
  return { ...heads, scales: heads.scales.map(stored) };
}

/**
 * The lowest threshold allowed: the model must itself score a message as positive before it adds a type. Lower
 * thresholds look good on dev, where every message is a customer's, and fire on anything outside it ("At most
 * 500 messages per call." read as SPEAK_TO_HUMAN).
 */
const MIN_THRESHOLD = 0;

/**
 * The threshold of one type that maximises its F1 on dev, given what the rules already find: among the best,
 * the lowest (more recall), then halfway down to the next lower score, so that it does not sit on a dev
 * example.
 */
function tuneThreshold(dev: readonly Prepared[], model: QuantizedHeads, head: number): number {
  const type = LEARNED_TYPES[head];
  let ruleTp = 0;
  let ruleFp = 0;
  let positives = 0;
  const open: { score: number; gold: boolean }[] = [];
  for (const p of dev) {
    const gold = p.example.escalations.some((t) => t === type);
    if (gold) positives += 1;
    if (p.analysis.escalations.some((e) => e.type === type)) {
      if (gold) ruleTp += 1;
      else ruleFp += 1;
    } else if (type !== undefined && !p.analysis.ruledOut(type)) {
      open.push({ score: scoreHeads(model, p.escalation)[head] as number, gold });
    }
  }
  const scores = [...new Set(open.map((o) => o.score))].sort((a, b) => b - a);
  let best = { f1: precisionRecallF1(ruleTp, ruleFp, positives - ruleTp).f1, index: -1 };
  scores.forEach((threshold, index) => {
    const tp = ruleTp + open.filter((o) => o.gold && o.score >= threshold).length;
    const fp = ruleFp + open.filter((o) => !o.gold && o.score >= threshold).length;
    const { f1 } = precisionRecallF1(tp, fp, positives - tp);
    if (f1 >= best.f1) best = { f1, index };
  });
  if (best.index < 0) return stored(Math.max(MIN_THRESHOLD, (scores[0] ?? 0) + 1));
  const chosen = scores[best.index] as number;
  const below = scores[best.index + 1];
  return stored(Math.max(MIN_THRESHOLD, below === undefined ? chosen - 1 : (chosen + below) / 2));
}

/**
 * The margin by which the model must beat the rules' emotion to replace it, for the dev messages where the
 * rules say `found` (an emotion) or not (NEUTRAL): the most accurate on dev, halfway to the next candidate.
 */
function tuneOverrideMargin(
  dev: readonly Prepared[],
  model: LearnedModel['emotion'],
  found: boolean,
): number {
  const concerned = dev.filter((p) => (p.analysis.emotion.emotion !== 'NEUTRAL') === found);
  const candidates = [0];
  for (const p of concerned) {
    // The margin at which the model's choice for this message flips: just below it, the model's choice wins.
    const always = { ...model, overrideMargin: -Infinity, overrideFoundMargin: -Infinity };
    const chosen = combineEmotion(always, p.analysis, p.emotion).emotion;
    if (chosen === p.analysis.emotion.emotion) continue;
    const scores = scoreHeads(model, p.emotion);
    const gap =
      (scores[model.labels.indexOf(chosen)] as number) -
      (scores[model.labels.indexOf(p.analysis.emotion.emotion)] as number);
    candidates.push(gap);
  }
  const sorted = [...new Set(candidates)].sort((a, b) => a - b);
  const accuracyAt = (margin: number): number => {
    const trial = { ...model, overrideMargin: margin, overrideFoundMargin: margin };
    return concerned.filter((p) => combineEmotion(trial, p.analysis, p.emotion).emotion === p.example.emotion)
      .length;
  };
  let best = { accuracy: -1, index: 0 };
  sorted.forEach((margin, index) => {
    const accuracy = accuracyAt(margin);
    if (accuracy > best.accuracy) best = { accuracy, index };
  });
  const chosen = sorted[best.index] as number;
  const next = sorted[best.index + 1];
  return stored(next === undefined ? chosen + 1 : (chosen + next) / 2);
}

export function trainModel(corpus: TrainingCorpus, options: TrainingOptions = TRAINING_OPTIONS): ModelFile {
  const train = corpus.train.map(prepare);
  const dev = corpus.dev.map(prepare);

  const escalationHeads = storedHeads(
    quantize(
      trainBinaryHeads(
        train.map((p) => p.escalation),
        train.map((p) => LEARNED_TYPES.map((type) => p.example.escalations.includes(type))),
        LEARNED_TYPES.length,
        options,
      ),
      LEARNED_TYPES.length,
    ),
  );
  const emotionHeads = storedHeads(
    quantize(
      trainMulticlass(
        train.map((p) => p.emotion),
        train.map((p) => emotions.indexOf(p.example.emotion)),
        emotions.length,
        options,
      ),
      emotions.length,
    ),
  );

  const thresholds = LEARNED_TYPES.map((_, head) => tuneThreshold(dev, escalationHeads, head));
  const emotionModel = { ...emotionHeads, labels: emotions, overrideMargin: 0, overrideFoundMargin: 0 };
  const overrideMargin = tuneOverrideMargin(dev, emotionModel, false);
  const overrideFoundMargin = tuneOverrideMargin(dev, emotionModel, true);
  const model: LearnedModel = {
    escalation: { ...escalationHeads, labels: LEARNED_TYPES, thresholds },
    emotion: { ...emotionModel, overrideMargin, overrideFoundMargin },
  };
  const report = evaluatePredictions(
    dev.map((p) => p.example),
    dev.map((p) => ({
      escalations: combineEscalations(model.escalation, p.analysis, p.escalation, p.input),
      emotion: combineEmotion(model.emotion, p.analysis, p.emotion),
    })),
  );

  return {
    format: MODEL_FORMAT,
    featureBits: FEATURE_BITS,
    corpusSha256: corpusSha256(corpus.trainText, corpus.devText),
    training: { ...options },
    escalation: {
      labels: [...LEARNED_TYPES],
      thresholds,
      scales: escalationHeads.scales,
      weights: encodeWeights(escalationHeads.weights),
    },
    emotion: {
      labels: [...emotions],
      overrideMargin,
      overrideFoundMargin,
      scales: emotionHeads.scales,
      weights: encodeWeights(emotionHeads.weights),
    },
    dev: { macroF1: stored(report.macroF1), emotionAccuracy: stored(report.emotionAccuracy) },
  };
}
