import { describe, expect, it } from 'vitest';
import {
  accuracy,
  confusionMatrix,
  evaluate,
  evaluatePredictions,
  formatReport,
  languageGaps,
  macroF1,
  parseLabelledJsonl,
  precisionRecallF1,
  reportJson,
  typeMetrics,
  type LabelledExample,
} from '../../src/ai/evaluation.js';
import { type EscalationType } from '../../src/ai/classification.js';

describe('precisionRecallF1', () => {
  it('computes the three scores from counts', () => {
    const s = precisionRecallF1(3, 1, 2);
    expect(s.precision).toBeCloseTo(0.75);
    expect(s.recall).toBeCloseTo(0.6);
    expect(s.f1).toBeCloseTo((2 * 0.75 * 0.6) / 1.35);
  });

  it('counts an empty denominator as 0 rather than NaN', () => {
    expect(precisionRecallF1(0, 0, 0)).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(precisionRecallF1(0, 0, 4)).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});

describe('typeMetrics and macroF1 on a hand-computed example', () => {
  // SPEAK_TO_HUMAN: tp 1 (row 0), fn 1 (row 1), fp 1 (row 2) → P = R = F1 = 0.5.
  // DISCOUNT_REQUEST: tp 1 (row 1) → P = R = F1 = 1. The other four types never occur.
  const gold: EscalationType[][] = [['SPEAK_TO_HUMAN'], ['SPEAK_TO_HUMAN', 'DISCOUNT_REQUEST'], []];
  const predicted: EscalationType[][] = [['SPEAK_TO_HUMAN'], ['DISCOUNT_REQUEST'], ['SPEAK_TO_HUMAN']];
  const metrics = typeMetrics(gold, predicted);

  it('counts true and false positives and negatives per type', () => {
    const human = metrics.find((m) => m.type === 'SPEAK_TO_HUMAN');
    expect(human).toMatchObject({ tp: 1, fp: 1, fn: 1, support: 2, precision: 0.5, recall: 0.5, f1: 0.5 });
    const discount = metrics.find((m) => m.type === 'DISCOUNT_REQUEST');
    expect(discount).toMatchObject({ tp: 1, fp: 0, fn: 0, support: 1, f1: 1 });
    expect(metrics.map((m) => m.type)).toEqual([
      'SPEAK_TO_HUMAN',
      'DISCOUNT_REQUEST',
      'BOOK_FLIGHT',
      'FLIGHT_PRICES',
      'FILE_SENT',
      'UNANSWERED',
    ]);
  });

  it('averages F1 over the types that occur, leaving absent ones out', () => {
    expect(macroF1(metrics)).toBeCloseTo(0.75);
  });

  it('counts a type that is predicted but never labelled as F1 0', () => {
    const m = typeMetrics([[]], [['FILE_SENT']]);
    expect(macroF1(m)).toBe(0);
  });

  it('rejects lists of different lengths', () => {
    expect(() => typeMetrics([[]], [])).toThrow();
  });
});

describe('accuracy and confusionMatrix', () => {
  it('computes the share of equal labels', () => {
    expect(accuracy(['a', 'b', 'c', 'a'], ['a', 'b', 'a', 'b'])).toBe(0.5);
    expect(accuracy([], [])).toBe(0);
  });

  it('puts gold labels in rows and predictions in columns', () => {
    const labels = ['X', 'Y'] as const;
    expect(confusionMatrix(labels, ['X', 'X', 'Y'], ['X', 'Y', 'Y'])).toEqual([
      [1, 1],
      [0, 1],
    ]);
  });
});

describe('parseLabelledJsonl', () => {
  const line = JSON.stringify({
    id: 'x-1',
    lang: 'en',
    context: [{ sender: 'bot', text: 'Hi' }],
    message: { type: 'TEXT', text: 'hello' },
    escalations: [],
    emotion: 'NEUTRAL',
  });

  it('keeps the corpus fields beyond the contract', () => {
    const extended = JSON.stringify({ ...JSON.parse(line), variety: 'arabizi', mixed: true, domain: 'bank' });
    expect(parseLabelledJsonl(extended)[0]).toMatchObject({
      variety: 'arabizi',
      mixed: true,
      domain: 'bank',
    });
  });

  it('reads one example a line and skips blank lines', () => {
    const examples = parseLabelledJsonl(`${line}\n\n${line}\n`);
    expect(examples).toHaveLength(2);
    expect(examples[0]?.message.text).toBe('hello');
  });

  it('names the line of a bad example', () => {
    const bad = JSON.stringify({
      id: 'x-2',
      context: [],
      message: { type: 'TEXT', text: 'x' },
      escalations: ['NOPE'],
    });
    expect(() => parseLabelledJsonl(`${line}\n${bad}`)).toThrow(/line 2/);
    expect(() => parseLabelledJsonl('{oops')).toThrow(/line 1: invalid JSON/);
  });
});

describe('evaluate', () => {
  const examples: LabelledExample[] = [
    {
      id: 'a',
      lang: 'en',
      context: [],
      message: { type: 'TEXT', text: 'one' },
      escalations: ['UNANSWERED'],
      emotion: 'NEUTRAL',
    },
    {
      id: 'b',
      lang: 'fr',
      context: [],
      message: { type: 'IMAGE', text: '' },
      escalations: ['FILE_SENT'],
      emotion: 'ANGRY',
    },
  ];
  // A fake classifier: right on "a", wrong emotion and escalations on "b".
  const report = evaluate(examples, (input) => ({
    escalations: input.message.text === 'one' ? [{ type: 'UNANSWERED' }] : [],
    emotion: { emotion: 'NEUTRAL' },
    language: 'en',
  }));

  it('gathers the figures and the misclassified examples', () => {
    expect(report.examples).toBe(2);
    expect(report.emotionAccuracy).toBe(0.5);
    expect(report.languageAccuracy).toBe(0.5);
    expect(report.macroF1).toBeCloseTo(0.5); // UNANSWERED 1, FILE_SENT 0
    expect(report.errors.map((e) => e.id)).toEqual(['b']);
    expect(report.emotionConfusion.matrix[1]).toEqual([0, 0, 1, 0, 0]); // gold ANGRY → NEUTRAL
  });

  it('formats a table, and the errors when asked', () => {
    const text = formatReport(report, { errors: true });
    expect(text).toContain('Escalation macro-F1: 0.500');
    expect(text).toContain('Emotion accuracy:    0.500');
    expect(text).toMatch(/UNANSWERED\s+1\.000\s+1\.000\s+1\.000\s+1\s+1\/0\/0/);
    expect(text).toContain('- b (IMAGE, fr)');
    expect(formatReport(report)).not.toContain('Misclassified');
    expect(reportJson(report)).toMatchObject({ macroF1: 0.5, emotionAccuracy: 0.5 });
  });
});

describe('figures per language', () => {
  const example = (
    id: string,
    lang: string,
    escalations: LabelledExample['escalations'],
  ): LabelledExample => ({
    id,
    lang,
    variety: lang === 'ar' ? 'gulf' : lang,
    context: [],
    message: { type: 'TEXT', text: id },
    escalations,
    emotion: 'NEUTRAL',
  });
  // en: both right. fr: one right, one missed. ar: right, wrong emotion.
  const examples = [
    example('en-1', 'en', ['SPEAK_TO_HUMAN']),
    example('en-2', 'en', []),
    example('fr-1', 'fr', ['SPEAK_TO_HUMAN']),
    example('fr-2', 'fr', ['SPEAK_TO_HUMAN']),
    example('ar-1', 'ar', ['SPEAK_TO_HUMAN']),
  ];
  const predictions = examples.map((e) => ({
    escalations: e.id === 'fr-2' ? [] : e.escalations.map((type) => ({ type })),
    emotion: { emotion: e.id === 'ar-1' ? ('ANGRY' as const) : ('NEUTRAL' as const) },
    language: e.lang,
  }));
  const report = evaluatePredictions(examples, predictions);

  it('scores each language apart, sorted, and each variety', () => {
    expect(report.byLanguage.map((g) => [g.language, g.examples])).toEqual([
      ['ar', 1],
      ['en', 2],
      ['fr', 2],
    ]);
    const fr = report.byLanguage.find((g) => g.language === 'fr');
    expect(fr?.perType[0]).toMatchObject({ type: 'SPEAK_TO_HUMAN', tp: 1, fn: 1, recall: 0.5 });
    expect(fr?.macroF1).toBeCloseTo(2 / 3);
    expect(report.byLanguage.find((g) => g.language === 'ar')?.emotionAccuracy).toBe(0);
    expect(report.byVariety.map((g) => g.variety)).toEqual(['en', 'fr', 'gulf']);
  });

  it('measures how far each language is below the best other one', () => {
    const gaps = new Map(languageGaps(report).map((g) => [g.language, g]));
    expect(gaps.get('en')).toMatchObject({ macroF1Gap: 0, emotionGap: 0 });
    expect(gaps.get('fr')?.macroF1Gap).toBeCloseTo(1 / 3);
    expect(gaps.get('ar')).toMatchObject({ macroF1Gap: 0, emotionGap: 1 });
    expect(languageGaps(evaluatePredictions(examples.slice(0, 2), predictions.slice(0, 2)))).toEqual([
      expect.objectContaining({ language: 'en', macroF1Gap: null, emotionGap: null }),
    ]);
  });

  it('prints the summary and each language’s tables', () => {
    const text = formatReport(report);
    expect(text).toContain('Per language (gap: how far below the best other language):');
    expect(text).toMatch(/fr\s+2\s+0\.667\s+1\.000\s+0\.333\s+0\.000/);
    expect(text).toContain('== ar: 1 examples ==');
    expect(reportJson(report)).toMatchObject({
      byLanguage: [{ language: 'ar' }, { language: 'en' }, { language: 'fr' }],
    });
  });

  it('rejects predictions that do not match the examples', () => {
    expect(() => evaluatePredictions(examples, predictions.slice(1))).toThrow();
  });
});
