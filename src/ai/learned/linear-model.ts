import { FEATURE_BUCKETS, type SparseVector } from './features.js';

/**
 * Averaged perceptrons over hashed features: one binary head per escalation type (one-vs-rest) and one
 * multiclass head for the emotion. Training uses integer updates only and a seeded order, so the same data
 * gives the same weights on any machine; the averaged weights are stored as 8-bit integers with one scale per
 * head (a few hundred kilobytes for the whole model).
 */

/** A deterministic pseudo-random generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher–Yates shuffle of 0…n-1. */
export function shuffledOrder(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order;
}

export interface TrainingOptions {
  epochs: number;
  seed: number;
  /** An example is learned from while its margin is at most this (0: plain perceptron). */
  margin: number;
  /** Update size for a missed positive of a binary head (1 = same as negatives); balances rare labels. */
  positiveStep: number;
}

/** Dot product of a weight row (at `offset` in `weights`) with a sparse vector. */
export function dot(weights: ArrayLike<number>, offset: number, x: SparseVector): number {
  let sum = 0;
  for (let k = 0; k < x.indices.length; k += 1) {
    sum += (weights[offset + (x.indices[k] as number)] as number) * (x.values[k] as number);
  }
  return sum;
}

function add(
  weights: Float64Array,
  totals: Float64Array,
  offset: number,
  x: SparseVector,
  step: number,
  time: number,
): void {
  for (let k = 0; k < x.indices.length; k += 1) {
    const i = offset + (x.indices[k] as number);
    const delta = step * (x.values[k] as number);
    weights[i] = (weights[i] as number) + delta;
    totals[i] = (totals[i] as number) + time * delta;
  }
}

/** Averaged weights: w − Σ(t·Δ)/T, the mean of the weights over all steps. */
function averaged(weights: Float64Array, totals: Float64Array, time: number): Float64Array {
  return weights.map((w, i) => w - (totals[i] as number) / time);
}

/**
 * One binary averaged perceptron per label column: `labels[i][h]` says whether example i has label h.
 * Returns the averaged weights, heads one after the other (heads × buckets).
 */
export function trainBinaryHeads(
  examples: readonly SparseVector[],
  labels: readonly (readonly boolean[])[],
  heads: number,
  options: TrainingOptions,
): Float64Array {
  const weights = new Float64Array(heads * FEATURE_BUCKETS);
  const totals = new Float64Array(heads * FEATURE_BUCKETS);
  const random = seededRandom(options.seed);
  let time = 1;
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    for (const i of shuffledOrder(examples.length, random)) {
      const x = examples[i] as SparseVector;
      for (let h = 0; h < heads; h += 1) {
        const positive = labels[i]?.[h] === true;
        const y = positive ? 1 : -1;
        const offset = h * FEATURE_BUCKETS;
        if (y * dot(weights, offset, x) <= options.margin) {
          add(weights, totals, offset, x, positive ? options.positiveStep : -1, time);
        }
      }
      time += 1;
    }
  }
  return averaged(weights, totals, time);
}

/** A multiclass averaged perceptron: `gold[i]` is the class index of example i. Classes × buckets. */
export function trainMulticlass(
  examples: readonly SparseVector[],
  gold: readonly number[],
  classes: number,
  options: TrainingOptions,
): Float64Array {
  const weights = new Float64Array(classes * FEATURE_BUCKETS);
  const totals = new Float64Array(classes * FEATURE_BUCKETS);
  const random = seededRandom(options.seed);
  let time = 1;
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    for (const i of shuffledOrder(examples.length, random)) {
      const x = examples[i] as SparseVector;
      const right = gold[i] as number;
      // The best wrong class: ties go to the lowest index, so the order is fixed.
      let rival = -1;
      let rivalScore = -Infinity;
      for (let c = 0; c < classes; c += 1) {
        if (c === right) continue;
        const score = dot(weights, c * FEATURE_BUCKETS, x);
        if (score > rivalScore) {
          rival = c;
          rivalScore = score;
        }
      }
      if (dot(weights, right * FEATURE_BUCKETS, x) - rivalScore <= options.margin) {
        add(weights, totals, right * FEATURE_BUCKETS, x, 1, time);
        add(weights, totals, rival * FEATURE_BUCKETS, x, -1, time);
      }
      time += 1;
    }
  }
  return averaged(weights, totals, time);
}

/** Weights as 8-bit integers, one scale per head: weight ≈ q × scale. */
export interface QuantizedHeads {
  heads: number;
  scales: number[];
  weights: Int8Array;
}

export function quantize(weights: Float64Array, heads: number): QuantizedHeads {
  const scales: number[] = [];
  const q = new Int8Array(weights.length);
  for (let h = 0; h < heads; h += 1) {
    const offset = h * FEATURE_BUCKETS;
    let max = 0;
    for (let i = 0; i < FEATURE_BUCKETS; i += 1) max = Math.max(max, Math.abs(weights[offset + i] as number));
    const scale = max === 0 ? 1 : max / 127;
    scales.push(scale);
    for (let i = 0; i < FEATURE_BUCKETS; i += 1) {
      q[offset + i] = Math.max(-127, Math.min(127, Math.round((weights[offset + i] as number) / scale)));
    }
  }
  return { heads, scales, weights: q };
}

/** The score of each head for one example, from quantised weights. */
export function scoreHeads(model: QuantizedHeads, x: SparseVector): number[] {
  const scores: number[] = [];
  for (let h = 0; h < model.heads; h += 1) {
    scores.push(dot(model.weights, h * FEATURE_BUCKETS, x) * (model.scales[h] as number));
  }
  return scores;
}

export function encodeWeights(weights: Int8Array): string {
  return Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength).toString('base64');
}

export function decodeWeights(base64: string, expectedLength: number): Int8Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== expectedLength) {
    throw new Error(`model weights: ${bytes.length} bytes, expected ${expectedLength}`);
  }
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
