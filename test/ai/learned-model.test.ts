import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  classificationResultSchema,
  emotions,
  type ClassificationInput,
  type EscalationType,
} from '../../src/ai/classification.js';
import { parseLabelledJsonl } from '../../src/ai/evaluation.js';
import {
  FEATURE_BUCKETS,
  featureNames,
  featurize,
  fnv1a,
  hashFeatures,
  type FeatureInput,
} from '../../src/ai/learned/features.js';
import {
  decodeWeights,
  encodeWeights,
  quantize,
  scoreHeads,
  seededRandom,
  shuffledOrder,
  trainBinaryHeads,
  trainMulticlass,
} from '../../src/ai/learned/linear-model.js';
import {
  combineEmotion,
  combineEscalations,
  LEARNED_TYPES,
  loadModel,
  messageFeatures,
  modelFileSchema,
  type LearnedModel,
} from '../../src/ai/learned/model.js';
import committedModel from '../../src/ai/learned/model.json' with { type: 'json' };
import { corpusSha256, trainModel } from '../../src/ai/learned/train.js';
import { classifyLocally } from '../../src/ai/local-classifier.js';
import { analyzeWithRules } from '../../src/ai/local-rules.js';

const corpusText = (split: string): string =>
  readFileSync(new URL(`../../data/classifier/${split}.jsonl`, import.meta.url), 'utf8');

const input = (text: string, context: ClassificationInput['context'] = []): ClassificationInput => ({
  message: { type: 'TEXT', text },
  context,
});

const featureInput = (text: string, signals: string[] = []): FeatureInput => ({
  text,
  original: text,
  messageType: 'TEXT',
  botReply: undefined,
  previousCustomer: undefined,
  lastSender: undefined,
  signals,
});

describe('features', () => {
  it('hashes with 32-bit FNV-1a', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('names words, word pairs, character n-grams, negated words, layout and the rules’ signals', () => {
    const names = featureNames({
      ...featureInput("i don't need a human!!", ['rule:SPEAK_TO_HUMAN']),
      botReply: 'sorry, i did not understand',
    });
    expect(names).toEqual(
      expect.arrayContaining([
        'bias',
        'w:human',
        'p:a human',
        'c:<hu',
        'c:man>',
        'n:need',
        'n:human',
        's:!!',
        'bw:understand',
        'r:rule:SPEAK_TO_HUMAN',
      ]),
    );
    expect(featureNames(featureInput('I need a human'))).not.toContain('n:human');
  });

  it('counts a feature once and stays inside the buckets', () => {
    const once = hashFeatures(['x', 'y']);
    expect(hashFeatures(['x', 'y', 'x', 'y'])).toEqual(once);
    const vector = featurize(featureInput('bonjour, je voudrais réserver un vol pour Tunis'));
    expect(vector.indices.length).toBe(vector.values.length);
    for (const index of vector.indices) expect(index).toBeGreaterThanOrEqual(0);
    for (const index of vector.indices) expect(index).toBeLessThan(FEATURE_BUCKETS);
    expect(featurize(featureInput('bonjour, je voudrais réserver un vol pour Tunis'))).toEqual(vector);
  });
});

describe('averaged perceptrons', () => {
  const x = (...names: string[]) => hashFeatures(['bias', ...names]);
  const examples = [
    x('agent'),
    x('human'),
    x('agent', 'please'),
    x('price'),
    x('fare'),
    x('price', 'please'),
  ];
  const labels = [[true], [true], [true], [false], [false], [false]];
  const options = { epochs: 5, seed: 1, margin: 1, positiveStep: 1 };

  it('separate what they were trained on, one head per label', () => {
    const model = quantize(trainBinaryHeads(examples, labels, 1, options), 1);
    examples.forEach((example, i) => {
      expect((scoreHeads(model, example)[0] as number) > 0).toBe(labels[i]?.[0]);
    });
  });

  it('learn several classes at once', () => {
    const gold = [0, 0, 0, 1, 1, 1];
    const model = quantize(trainMulticlass(examples, gold, 2, options), 2);
    examples.forEach((example, i) => {
      const [a, b] = scoreHeads(model, example) as [number, number];
      expect(a > b ? 0 : 1).toBe(gold[i]);
    });
  });

  it('are deterministic: the same data and seed give the same weights, another seed another order', () => {
    expect(trainBinaryHeads(examples, labels, 1, options)).toEqual(
      trainBinaryHeads(examples, labels, 1, options),
    );
    expect(shuffledOrder(20, seededRandom(1))).toEqual(shuffledOrder(20, seededRandom(1)));
    expect(shuffledOrder(20, seededRandom(1))).not.toEqual(shuffledOrder(20, seededRandom(2)));
  });

  it('store 8-bit weights that survive base64', () => {
    const model = quantize(trainMulticlass(examples, [0, 0, 0, 1, 1, 1], 2, options), 2);
    expect(Math.max(...model.weights.map(Math.abs))).toBe(127);
    expect(decodeWeights(encodeWeights(model.weights), model.weights.length)).toEqual(model.weights);
    expect(() => decodeWeights(encodeWeights(model.weights), 3)).toThrow(/expected 3/);
  });
});

describe('the committed model (src/ai/learned/model.json)', () => {
  const model = loadModel(committedModel);

  it('is small and of the current format', () => {
    expect(modelFileSchema.safeParse(committedModel).success).toBe(true);
    expect(JSON.stringify(committedModel).length).toBeLessThan(400_000);
    expect(model.escalation.labels).toEqual(LEARNED_TYPES);
    expect(model.escalation.labels).not.toContain('FILE_SENT');
    expect(model.emotion.labels).toEqual(emotions);
  });

  it('was trained on the corpus as it is (else: npm run train)', () => {
    expect(committedModel.corpusSha256).toBe(corpusSha256(corpusText('train'), corpusText('dev')));
  });

  it('is what training produces from the corpus, weight for weight (else: npm run train)', () => {
    const trainText = corpusText('train');
    const devText = corpusText('dev');
    const trained = trainModel({
      trainText,
      devText,
      train: parseLabelledJsonl(trainText),
      dev: parseLabelledJsonl(devText),
    });
    expect(trained).toEqual(committedModel);
  }, 60_000);
});

describe('combining the model with the rules', () => {
  const model = loadModel(committedModel);
  /** The committed model with every threshold at −∞: it adds every type the rules do not rule out. */
  const eager: LearnedModel['escalation'] = {
    ...model.escalation,
    thresholds: model.escalation.thresholds.map(() => Number.NEGATIVE_INFINITY),
  };
  const added = (text: string, context: ClassificationInput['context'] = []): EscalationType[] => {
    const message = input(text, context);
    const analysis = analyzeWithRules(message);
    return combineEscalations(eager, analysis, messageFeatures(analysis).escalation, message).map(
      (e) => e.type,
    );
  };

  it('adds types the rules missed, quoting the whole message, with a confidence between 0.6 and 0.9', () => {
    const message = input('so yeah, is there any way somebody from your side could look at this with me');
    const analysis = analyzeWithRules(message);
    const found = combineEscalations(eager, analysis, messageFeatures(analysis).escalation, message);
    expect(found.map((e) => e.type)).toEqual(expect.arrayContaining(['SPEAK_TO_HUMAN', 'UNANSWERED']));
    for (const e of found) {
      expect(e.evidence).toBe(message.message.text);
      expect(e.confidence).toBeGreaterThanOrEqual(0.6);
      expect(e.confidence).toBeLessThanOrEqual(0.9);
    }
  });

  it('never adds a type whose cue the rules saw and rejected, nor FILE_SENT', () => {
    expect(added("I don't need to talk to anyone, just send me the form")).not.toContain('SPEAK_TO_HUMAN');
    expect(added('Are you a bot?')).not.toContain('SPEAK_TO_HUMAN');
    expect(added('تم خصم المبلغ مرتين')).not.toContain('DISCOUNT_REQUEST');
    expect(added('The promo code worked, thanks')).not.toContain('DISCOUNT_REQUEST');
    expect(added('My sister already booked our flights')).not.toContain('BOOK_FLIGHT');
    expect(added('I want to cancel my booking')).not.toContain('BOOK_FLIGHT');
    expect(added('Je ne vous demande pas le prix du billet')).not.toContain('FLIGHT_PRICES');
    expect(added('How much is an extra bag?')).not.toContain('FLIGHT_PRICES');
    expect(added('Combien de temps dure le vol ?')).not.toContain('FLIGHT_PRICES');
    expect(added('hello')).not.toContain('FILE_SENT');
  });

  it('keeps an emotion the rules found unless the model is sure, and never turns it into NEUTRAL', () => {
    const analysis = analyzeWithRules(input('You guys are the worst. Cancel everything.'));
    const features = messageFeatures(analysis).emotion;
    const unsure = { ...model.emotion, overrideMargin: Infinity, overrideFoundMargin: Infinity };
    expect(combineEmotion(unsure, analysis, features)).toEqual(analysis.emotion);
    const eagerEmotion = { ...model.emotion, overrideMargin: -Infinity, overrideFoundMargin: -Infinity };
    expect(combineEmotion(eagerEmotion, analysis, features).emotion).not.toBe('NEUTRAL');
  });

  it('gives a score in the range of the emotion it chose', () => {
    for (const text of [
      'Seriously?? Cancelled AGAIN',
      'Still nothing. Oh well.',
      'Yay we are off to Bali!!',
    ]) {
      const result = classifyLocally(input(text));
      expect(classificationResultSchema.safeParse(result).success).toBe(true);
      const { emotion, score } = result.emotion;
      if (emotion === 'ANGRY') expect(score).toBeLessThanOrEqual(-60);
      if (emotion === 'DISAPPOINTED') expect(score).toBeLessThan(0);
      if (emotion === 'HAPPY' || emotion === 'SATISFIED') expect(score).toBeGreaterThan(0);
      if (emotion === 'NEUTRAL') expect(score).toBe(0);
    }
  });
});
