import { z } from 'zod';
import {
  classificationInputSchema,
  emotions,
  escalationTypes,
  type ClassificationInput,
  type Emotion,
  type EscalationType,
} from './classification.js';

/**
 * Measuring a classifier against labelled messages (the format of data/classifier/*.jsonl, described in
 * data/classifier/README.md): per-type precision/recall/F1 for escalations, their macro average, emotion
 * accuracy and confusion matrix, overall and per language. Pure functions, so the figures themselves are
 * unit-tested.
 */

export const labelledExampleSchema = classificationInputSchema.extend({
  id: z.string(),
  lang: z.string().optional(),
  /** Finer than `lang`: en, fr, msa, gulf, egyptian, levantine or arabizi. */
  variety: z.string().optional(),
  /** The message switches languages. */
  mixed: z.boolean().optional(),
  domain: z.string().optional(),
  escalations: z.array(z.enum(escalationTypes)),
  emotion: z.enum(emotions),
});
export type LabelledExample = z.infer<typeof labelledExampleSchema>;

/** Parses JSON Lines; blank lines are skipped, a bad line fails with its number. */
export function parseLabelledJsonl(text: string): LabelledExample[] {
  const examples: LabelledExample[] = [];
  text.split(/\r?\n/u).forEach((line, index) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new Error(`line ${index + 1}: invalid JSON (${(error as Error).message})`);
    }
    const parsed = labelledExampleSchema.safeParse(json);
    if (!parsed.success) throw new Error(`line ${index + 1}: ${z.prettifyError(parsed.error)}`);
    examples.push(parsed.data);
  });
  return examples;
}

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
}

/** Precision, recall and F1 from counts; an empty denominator counts as 0. */
export function precisionRecallF1(tp: number, fp: number, fn: number): Scores {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export interface TypeMetrics extends Scores {
  type: EscalationType;
  tp: number;
  fp: number;
  fn: number;
  /** How many examples carry this type in the gold labels. */
  support: number;
}

/** Per escalation type, over parallel lists of gold and predicted label sets. */
export function typeMetrics(
  gold: readonly (readonly EscalationType[])[],
  predicted: readonly (readonly EscalationType[])[],
): TypeMetrics[] {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  return escalationTypes.map((type) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((labels, i) => {
      const inGold = labels.includes(type);
      const inPredicted = (predicted[i] ?? []).includes(type);
      if (inGold && inPredicted) tp += 1;
      else if (inPredicted) fp += 1;
      else if (inGold) fn += 1;
    });
    return { type, tp, fp, fn, support: tp + fn, ...precisionRecallF1(tp, fp, fn) };
  });
}

/**
 * Unweighted mean F1 over the types that occur in the gold labels or the predictions. A type absent from both
 * has nothing to measure and is left out rather than counted as 0 or 1.
 */
export function macroF1(metrics: readonly TypeMetrics[]): number {
  const measured = metrics.filter((m) => m.tp + m.fp + m.fn > 0);
  if (measured.length === 0) return 0;
  return measured.reduce((sum, m) => sum + m.f1, 0) / measured.length;
}

export function accuracy<T>(gold: readonly T[], predicted: readonly T[]): number {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  if (gold.length === 0) return 0;
  return gold.filter((g, i) => g === predicted[i]).length / gold.length;
}

/** Rows are gold labels, columns predicted labels, both in the order of `labels`. */
export function confusionMatrix<L extends string>(
  labels: readonly L[],
  gold: readonly L[],
  predicted: readonly L[],
): number[][] {
  const matrix = labels.map(() => labels.map(() => 0));
  gold.forEach((g, i) => {
    const row = matrix[labels.indexOf(g)];
    const column = labels.indexOf(predicted[i] as L);
    if (row && column >= 0) row[column] = (row[column] ?? 0) + 1;
  });
  return matrix;
}

/** What a classifier must give back to be measured (the classification result fits). */
export interface Prediction {
  escalations: readonly { type: EscalationType }[];
  emotion: { emotion: Emotion };
  language?: string;
}

export interface ExampleOutcome {
  id: string;
  lang: string | undefined;
  variety: string | undefined;
  text: string;
  messageType: string;
  goldEscalations: EscalationType[];
  predictedEscalations: EscalationType[];
  goldEmotion: Emotion;
  predictedEmotion: Emotion;
}

export interface GroupReport {
  examples: number;
  perType: TypeMetrics[];
  macroF1: number;
  emotionAccuracy: number;
  emotionConfusion: { labels: readonly Emotion[]; matrix: number[][] };
  errors: ExampleOutcome[];
}

export interface EvaluationReport {
  examples: number;
  perType: TypeMetrics[];
  macroF1: number;
  emotionAccuracy: number;
  emotionConfusion: { labels: readonly Emotion[]; matrix: number[][] };
  /** Share of examples whose `lang` label the classifier matched; null when the file has no `lang`. */
  languageAccuracy: number | null;
  /** Examples with a wrong escalation set or a wrong emotion. */
  errors: ExampleOutcome[];
  /** The same figures for each `lang` of the examples, sorted by language. */
  byLanguage: (GroupReport & { language: string })[];
  /** And for each `variety` (finer: the Arabic dialects and Arabizi apart), when the examples have one. */
  byVariety: (GroupReport & { variety: string })[];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/** The figures of one group of outcomes (all examples, or one language's). */
function scoreOutcomes(outcomes: readonly ExampleOutcome[]): GroupReport {
  const perType = typeMetrics(
    outcomes.map((o) => o.goldEscalations),
    outcomes.map((o) => o.predictedEscalations),
  );
  const goldEmotions = outcomes.map((o) => o.goldEmotion);
  const predictedEmotions = outcomes.map((o) => o.predictedEmotion);
  return {
    examples: outcomes.length,
    perType,
    macroF1: macroF1(perType),
    emotionAccuracy: accuracy(goldEmotions, predictedEmotions),
    emotionConfusion: {
      labels: emotions,
      matrix: confusionMatrix(emotions, goldEmotions, predictedEmotions),
    },
    errors: outcomes.filter(
      (o) => !sameSet(o.goldEscalations, o.predictedEscalations) || o.goldEmotion !== o.predictedEmotion,
    ),
  };
}

/** Scores predictions made beforehand, one per example in the same order (sync or async classifiers alike). */
export function evaluatePredictions(
  examples: readonly LabelledExample[],
  predictions: readonly Prediction[],
): EvaluationReport {
  if (examples.length !== predictions.length) throw new Error('examples and predictions differ in length');
  const outcomes: ExampleOutcome[] = [];
  let languageTotal = 0;
  let languageHits = 0;
  examples.forEach((example, i) => {
    const prediction = predictions[i] as Prediction;
    outcomes.push({
      id: example.id,
      lang: example.lang,
      variety: example.variety,
      text: example.message.text,
      messageType: example.message.type,
      goldEscalations: example.escalations,
      predictedEscalations: prediction.escalations.map((e) => e.type),
      goldEmotion: example.emotion,
      predictedEmotion: prediction.emotion.emotion,
    });
    if (example.lang !== undefined) {
      languageTotal += 1;
      if (prediction.language === example.lang) languageHits += 1;
    }
  });
  const groups = (key: (o: ExampleOutcome) => string | undefined): string[] =>
    [...new Set(outcomes.flatMap((o) => key(o) ?? []))].sort();
  return {
    ...scoreOutcomes(outcomes),
    languageAccuracy: languageTotal === 0 ? null : languageHits / languageTotal,
    byLanguage: groups((o) => o.lang).map((language) => ({
      language,
      ...scoreOutcomes(outcomes.filter((o) => o.lang === language)),
    })),
    byVariety: groups((o) => o.variety).map((variety) => ({
      variety,
      ...scoreOutcomes(outcomes.filter((o) => o.variety === variety)),
    })),
  };
}

export function evaluate(
  examples: readonly LabelledExample[],
  classify: (input: ClassificationInput) => Prediction,
): EvaluationReport {
  return evaluatePredictions(
    examples,
    examples.map((example) => classify({ message: example.message, context: example.context })),
  );
}

export interface LanguageGap {
  language: string;
  macroF1: number;
  emotionAccuracy: number;
  /** How far below the best other language this one is (0 when it is the best); null with no other language. */
  macroF1Gap: number | null;
  emotionGap: number | null;
}

/**
 * For each language of the report, how far its macro-F1 and emotion accuracy fall below the best OTHER
 * language's. The goal "no language more than 0.05 below the others" is: every gap ≤ 0.05.
 */
export function languageGaps(report: EvaluationReport): LanguageGap[] {
  return report.byLanguage.map((group) => {
    const others = report.byLanguage.filter((g) => g.language !== group.language);
    const bestF1 = Math.max(...others.map((g) => g.macroF1));
    const bestEmotion = Math.max(...others.map((g) => g.emotionAccuracy));
    return {
      language: group.language,
      macroF1: group.macroF1,
      emotionAccuracy: group.emotionAccuracy,
      macroF1Gap: others.length === 0 ? null : Math.max(0, bestF1 - group.macroF1),
      emotionGap: others.length === 0 ? null : Math.max(0, bestEmotion - group.emotionAccuracy),
    };
  });
}

const pct = (x: number): string => x.toFixed(3);
const pad = (s: string, width: number): string => s.padEnd(width);
const padLeft = (s: string, width: number): string => s.padStart(width);

function formatTypeTable(perType: readonly TypeMetrics[]): string[] {
  const lines = [
    `${pad('escalation type', 18)}${padLeft('precision', 10)}${padLeft('recall', 8)}${padLeft('F1', 7)}${padLeft('support', 9)}${padLeft('tp/fp/fn', 11)}`,
  ];
  for (const m of perType) {
    lines.push(
      `${pad(m.type, 18)}${padLeft(pct(m.precision), 10)}${padLeft(pct(m.recall), 8)}${padLeft(pct(m.f1), 7)}${padLeft(String(m.support), 9)}${padLeft(`${m.tp}/${m.fp}/${m.fn}`, 11)}`,
    );
  }
  return lines;
}

function formatConfusion(confusion: EvaluationReport['emotionConfusion']): string[] {
  const short = (label: string): string => label.slice(0, 5);
  const lines = [
    `${pad('gold \\ predicted', 16)}${confusion.labels.map((l) => padLeft(short(l), 7)).join('')}`,
  ];
  confusion.labels.forEach((label, i) => {
    const row = confusion.matrix[i] ?? [];
    lines.push(`${pad(label, 16)}${row.map((n) => padLeft(String(n), 7)).join('')}`);
  });
  return lines;
}

function formatErrors(errors: readonly ExampleOutcome[]): string[] {
  const lines = [`Misclassified (${errors.length}):`];
  for (const e of errors) {
    const escalations = sameSet(e.goldEscalations, e.predictedEscalations)
      ? ''
      : ` escalations gold [${e.goldEscalations.join(', ')}] got [${e.predictedEscalations.join(', ')}]`;
    const emotion =
      e.goldEmotion === e.predictedEmotion ? '' : ` emotion gold ${e.goldEmotion} got ${e.predictedEmotion}`;
    lines.push(
      `- ${e.id} (${e.messageType}${e.lang === undefined ? '' : `, ${e.lang}`})${escalations}${emotion}`,
    );
    lines.push(`    ${JSON.stringify(e.text)}`);
  }
  return lines;
}

function formatGroup(group: GroupReport): string[] {
  return [
    ...formatTypeTable(group.perType),
    '',
    `Escalation macro-F1: ${pct(group.macroF1)}`,
    `Emotion accuracy:    ${pct(group.emotionAccuracy)}`,
    '',
    'Emotion confusion matrix (rows gold, columns predicted):',
    ...formatConfusion(group.emotionConfusion),
  ];
}

function formatLanguageSummary(report: EvaluationReport): string[] {
  const gaps = new Map(languageGaps(report).map((g) => [g.language, g]));
  const gap = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : pct(x));
  const header = `${pad('', 12)}${padLeft('examples', 9)}${padLeft('macro-F1', 10)}${padLeft('emotion', 9)}`;
  const lines = [
    'Per language (gap: how far below the best other language):',
    `${header}${padLeft('F1 gap', 8)}${padLeft('emotion gap', 13)}`,
  ];
  for (const g of report.byLanguage) {
    const row = `${pad(g.language, 12)}${padLeft(String(g.examples), 9)}${padLeft(pct(g.macroF1), 10)}${padLeft(pct(g.emotionAccuracy), 9)}`;
    lines.push(
      `${row}${padLeft(gap(gaps.get(g.language)?.macroF1Gap), 8)}${padLeft(gap(gaps.get(g.language)?.emotionGap), 13)}`,
    );
  }
  if (report.byVariety.length > 0) {
    lines.push('', 'Per variety (for information):', header);
    for (const g of report.byVariety) {
      lines.push(
        `${pad(g.variety, 12)}${padLeft(String(g.examples), 9)}${padLeft(pct(g.macroF1), 10)}${padLeft(pct(g.emotionAccuracy), 9)}`,
      );
    }
  }
  return lines;
}

/**
 * A human-readable report: the overall figures, a summary per language (and variety), then each language's
 * own tables; with `errors`, the misclassified examples follow.
 */
export function formatReport(report: EvaluationReport, options: { errors?: boolean } = {}): string {
  const lines = [
    `Examples: ${report.examples}`,
    '',
    ...formatTypeTable(report.perType),
    '',
    `Escalation macro-F1: ${pct(report.macroF1)}`,
    `Emotion accuracy:    ${pct(report.emotionAccuracy)}`,
    ...(report.languageAccuracy === null ? [] : [`Language accuracy:   ${pct(report.languageAccuracy)}`]),
    '',
    'Emotion confusion matrix (rows gold, columns predicted):',
    ...formatConfusion(report.emotionConfusion),
  ];
  if (report.byLanguage.length > 0) {
    lines.push('', ...formatLanguageSummary(report));
    for (const group of report.byLanguage) {
      lines.push('', `== ${group.language}: ${group.examples} examples ==`, '', ...formatGroup(group));
    }
  }
  if (options.errors) lines.push('', ...formatErrors(report.errors));
  return lines.join('\n');
}

/** The figures as plain JSON (no per-example text unless asked). */
export function reportJson(
  report: EvaluationReport,
  options: { errors?: boolean } = {},
): Record<string, unknown> {
  return {
    examples: report.examples,
    perType: report.perType,
    macroF1: report.macroF1,
    emotionAccuracy: report.emotionAccuracy,
    languageAccuracy: report.languageAccuracy,
    emotionConfusion: report.emotionConfusion,
    languageGaps: languageGaps(report),
    byLanguage: report.byLanguage.map(({ errors: _errors, ...figures }) => figures),
    byVariety: report.byVariety.map(({ errors: _errors, ...figures }) => figures),
    ...(options.errors ? { errors: report.errors } : {}),
  };
}
