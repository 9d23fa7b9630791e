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
 * Measuring a classifier against labelled messages (the format of shared/data/classifier-dev.jsonl):
 * per-type precision/recall/F1 for escalations, their macro average, emotion accuracy and confusion matrix.
 * Pure functions, so the figures themselves are unit-tested.
 */

export const labelledExampleSchema = classificationInputSchema.extend({
  id: z.string(),
  lang: z.string().optional(),
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
  text: string;
  messageType: string;
  goldEscalations: EscalationType[];
  predictedEscalations: EscalationType[];
  goldEmotion: Emotion;
  predictedEmotion: Emotion;
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
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

export function evaluate(
  examples: readonly LabelledExample[],
  classify: (input: ClassificationInput) => Prediction,
): EvaluationReport {
  const outcomes: ExampleOutcome[] = [];
  let languageTotal = 0;
  let languageHits = 0;
  for (const example of examples) {
    const prediction = classify({ message: example.message, context: example.context });
    outcomes.push({
      id: example.id,
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
  }
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
    languageAccuracy: languageTotal === 0 ? null : languageHits / languageTotal,
    errors: outcomes.filter(
      (o) => !sameSet(o.goldEscalations, o.predictedEscalations) || o.goldEmotion !== o.predictedEmotion,
    ),
  };
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
    lines.push(`- ${e.id} (${e.messageType})${escalations}${emotion}`);
    lines.push(`    ${JSON.stringify(e.text)}`);
  }
  return lines;
}

/** A human-readable report; with `errors`, the misclassified examples follow. */
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
    ...(options.errors ? { errors: report.errors } : {}),
  };
}
