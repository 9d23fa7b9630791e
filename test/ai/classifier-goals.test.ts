import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, languageGaps, parseLabelledJsonl } from '../../src/ai/evaluation.js';
import { classifyLocally } from '../../src/ai/local-classifier.js';

/**
 * The goals of the local classifier, gated on the held-out test split of the corpus (data/classifier/README.md):
 * nothing that chose a weight, a threshold or a rule read that file. A regression that misses a goal fails CI.
 *
 * - escalation macro-F1 ≥ 0.90, and every escalation type's recall ≥ 0.85;
 * - emotion accuracy ≥ 0.85;
 * - no language behind: for each language (`lang`: en, fr, ar — Arabic includes its dialects and Arabizi), its
 *   macro-F1 and its emotion accuracy are each at most 0.05 below the best of the OTHER languages
 *   (`languageGaps` in src/ai/evaluation.ts).
 */

const GOALS = { macroF1: 0.9, recall: 0.85, emotionAccuracy: 0.85, languageGap: 0.05 } as const;

const examples = parseLabelledJsonl(
  readFileSync(new URL('../../data/classifier/test.jsonl', import.meta.url), 'utf8'),
);
const report = evaluate(examples, classifyLocally);

describe('the local classifier on the test split', () => {
  it('covers every escalation type and the three languages', () => {
    expect(report.examples).toBe(examples.length);
    for (const m of report.perType) expect(m.support).toBeGreaterThanOrEqual(15);
    expect(report.byLanguage.map((g) => g.language)).toEqual(['ar', 'en', 'fr']);
  });

  it(`reaches escalation macro-F1 ≥ ${GOALS.macroF1}`, () => {
    expect(report.macroF1).toBeGreaterThanOrEqual(GOALS.macroF1);
  });

  it.each(report.perType.map((m) => [m.type, m] as const))(
    `finds %s with recall ≥ ${GOALS.recall}`,
    (_, m) => {
      expect(m.recall).toBeGreaterThanOrEqual(GOALS.recall);
    },
  );

  it(`reaches emotion accuracy ≥ ${GOALS.emotionAccuracy}`, () => {
    expect(report.emotionAccuracy).toBeGreaterThanOrEqual(GOALS.emotionAccuracy);
  });

  it.each(languageGaps(report).map((g) => [g.language, g] as const))(
    `leaves %s no more than ${GOALS.languageGap} behind the best other language`,
    (_, gap) => {
      expect(gap.macroF1Gap).not.toBeNull();
      expect(gap.macroF1Gap as number).toBeLessThanOrEqual(GOALS.languageGap);
      expect(gap.emotionGap as number).toBeLessThanOrEqual(GOALS.languageGap);
    },
  );
});
