import type { Goal, Measurement } from './types.js';

/** A figure compared with its baseline: the ratio is ours / baseline, checked against the goal if any. */
export function compare(input: {
  scenario: string;
  metric: string;
  unit: string;
  ours: number;
  baseline: number;
  baselineLabel: string;
  goal?: Goal;
  detail?: Record<string, unknown>;
  /** A paired measurement's own ratio (the median of its pairs' ratios) instead of ours / baseline. */
  ratio?: number;
}): Measurement {
  const ratio = input.ratio ?? (input.baseline === 0 ? Number.NaN : input.ours / input.baseline);
  return { ...input, ratio, ...(input.goal ? { met: meets(ratio, input.goal) } : {}) };
}

/** A figure reported on its own (no baseline), optionally held to an absolute goal. */
export function report(input: {
  scenario: string;
  metric: string;
  unit: string;
  ours: number;
  goal?: Goal;
  detail?: Record<string, unknown>;
}): Measurement {
  return { ...input, ...(input.goal ? { met: meets(input.ours, input.goal) } : {}) };
}

const meets = (value: number, goal: Goal) =>
  Number.isFinite(value) && (goal.op === '>=' ? value >= goal.value : value <= goal.value);

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value at quantile q (0..1) of some numbers. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Runs ours and the baseline `rounds` times, alternating which goes first, so a noisy neighbour hits both
 * alike; returns every round's figure and the medians.
 */
export async function alternate(
  rounds: number,
  runners: { ours: () => Promise<number>; baseline: () => Promise<number> },
): Promise<{ ours: number; baseline: number; oursRounds: number[]; baselineRounds: number[] }> {
  const oursRounds: number[] = [];
  const baselineRounds: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      oursRounds.push(await runners.ours());
      baselineRounds.push(await runners.baseline());
    } else {
      baselineRounds.push(await runners.baseline());
      oursRounds.push(await runners.ours());
    }
  }
  return { ours: median(oursRounds), baseline: median(baselineRounds), oursRounds, baselineRounds };
}
