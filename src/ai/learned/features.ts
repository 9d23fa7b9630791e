import { isNegatorToken } from '../rules/negation.js';

/**
 * Features of one message for the learned model: words, word pairs and character n-grams of the normalised
 * customer message (character n-grams carry Arabic clitics, French elisions, Arabizi spellings and typos),
 * words of the bot's last reply and of the customer's previous message, how the message is written
 * (shouting, "??", emoji), and what the rules found. Each feature is a string hashed into a fixed number of
 * buckets with a sign (the hashing trick), so the model is a flat array of weights.
 */

/** The hashed features' dimension: 2^14 buckets. Part of the model file's format. */
export const FEATURE_BITS = 14;
export const FEATURE_BUCKETS = 1 << FEATURE_BITS;

/** A sparse vector: bucket indices and their (small integer) values, indices unique. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Int8Array;
}

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across platforms. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Adds hashed names to buckets: the low bits pick the bucket, the top bit the sign; each hash counts once. */
function addHashes(hashes: Iterable<number>, seen: Set<number>, buckets: Map<number, number>): void {
  for (const hash of hashes) {
    if (seen.has(hash)) continue;
    seen.add(hash);
    const index = hash & (FEATURE_BUCKETS - 1);
    buckets.set(index, (buckets.get(index) ?? 0) + (hash >>> 31 === 1 ? -1 : 1));
  }
}

function toVector(buckets: Map<number, number>): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (const [index, value] of buckets) {
    if (value === 0) continue;
    indices.push(index);
    values.push(value);
  }
  return { indices: Int32Array.from(indices), values: Int8Array.from(values) };
}

/**
 * Hashes feature names into a sparse vector: the low bits pick the bucket, the top bit the sign. A name counts
 * once however often it occurs (names are told apart by their full 32-bit hash).
 */
export function hashFeatures(names: Iterable<string>): SparseVector {
  const buckets = new Map<number, number>();
  addHashes([...names].map(fnv1a), new Set(), buckets);
  return toVector(buckets);
}

const TOKEN = /[\p{L}\p{N}]+(?:'\p{L}+)?/gu;
const EMOJI = /\p{Extended_Pictographic}/gu;
const CLAUSE_END = /[.,;:!?\n]/u;
const NEGATION_SCOPE = 3;

function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

const isNumber = (token: string): boolean => /^\d+$/u.test(token);

/** Character n-grams of one word, with its edges marked: "<ab", "abc", "bc>". */
function charGrams(token: string, out: string[], prefix: string): void {
  const padded = `<${token}>`;
  for (let n = 2; n <= 4; n += 1) {
    for (let i = 0; i + n <= padded.length; i += 1) out.push(`${prefix}${padded.slice(i, i + n)}`);
  }
}

/** Words that follow a negator in the same clause: "don't need a human" gives n:need, n:a, n:human. */
function negatedWords(text: string, out: string[]): void {
  for (const clause of text.split(CLAUSE_END)) {
    let left = 0;
    for (const token of tokens(clause)) {
      if (isNegatorToken(token)) {
        left = NEGATION_SCOPE;
        continue;
      }
      if (left > 0) {
        out.push(`n:${token}`);
        left -= 1;
      }
    }
  }
}

function wordFeatures(text: string, prefix: string, out: string[], pairs: boolean): void {
  const words = tokens(text).map((t) => (isNumber(t) ? '<num>' : t));
  for (const word of words) out.push(`${prefix}w:${word}`);
  if (!pairs) return;
  for (let i = 0; i + 1 < words.length; i += 1) out.push(`${prefix}p:${words[i]} ${words[i + 1]}`);
}

/** How the customer wrote: shouting, repeated marks, stretched letters, emoji, length. */
function styleFeatures(original: string, out: string[]): void {
  const shouted = (original.match(/(?<![\p{L}\p{N}])\p{Lu}{3,}(?![\p{L}\p{N}])/gu) ?? []).length;
  if (shouted > 0) out.push('s:caps');
  if (shouted > 1) out.push('s:caps2');
  if (/[?؟]\s*[?؟]/u.test(original)) out.push('s:??');
  if (/!\s*!/u.test(original)) out.push('s:!!');
  if (/[?؟]/u.test(original)) out.push('s:?');
  if (/!/u.test(original)) out.push('s:!');
  if (/(\p{L})\1{2,}/u.test(original)) out.push('s:stretch');
  if (/\.\.\.|…/u.test(original)) out.push('s:dots');
  for (const emoji of original.match(EMOJI) ?? []) out.push(`e:${emoji}`);
  const count = tokens(original).length;
  out.push(`len:${count === 0 ? 0 : count <= 2 ? 2 : count <= 5 ? 5 : count <= 12 ? 12 : 99}`);
}

/** What the feature extractor needs about one message; texts already normalised (text-normalize.ts). */
export interface FeatureInput {
  /** The customer's message, normalised. */
  readonly text: string;
  /** The same, as written (for capitals and emoji). */
  readonly original: string;
  readonly messageType: string;
  /** The bot's last reply still standing (normalised), if any. */
  readonly botReply: string | undefined;
  /** The customer's previous message (normalised), if any. */
  readonly previousCustomer: string | undefined;
  /** Who wrote the last message of the context, if any. */
  readonly lastSender: string | undefined;
  /** Names of what the rules found ("rule:SPEAK_TO_HUMAN", "emotion:ANGRY", "bot-failed"…). */
  readonly signals: readonly string[];
}

/** The feature names of one message's words and layout (before hashing); `bias` is always on. */
export function textFeatureNames(input: Omit<FeatureInput, 'signals'>): string[] {
  const out: string[] = ['bias', `type:${input.messageType}`, `last:${input.lastSender ?? 'none'}`];
  wordFeatures(input.text, '', out, true);
  for (const token of tokens(input.text)) if (!isNumber(token)) charGrams(token, out, 'c:');
  negatedWords(input.text, out);
  styleFeatures(input.original, out);
  if (input.botReply !== undefined) wordFeatures(input.botReply, 'b', out, true);
  if (input.previousCustomer !== undefined) wordFeatures(input.previousCustomer, 'pc', out, false);
  return out;
}

/** All feature names of one message: its words and layout, and what the rules found. */
export function featureNames(input: FeatureInput): string[] {
  return [...textFeatureNames(input), ...input.signals.map((signal) => `r:${signal}`)];
}

export function featurize(input: FeatureInput): SparseVector {
  return hashFeatures(featureNames(input));
}

/**
 * Several vectors of one message that share its text features and differ in the rules' signals (the
 * escalation heads and the emotion head read different signals): the text is hashed once.
 */
export function featurizeWithSignals(
  input: Omit<FeatureInput, 'signals'>,
  signalSets: readonly (readonly string[])[],
): SparseVector[] {
  const seen = new Set<number>();
  const text = new Map<number, number>();
  addHashes(textFeatureNames(input).map(fnv1a), seen, text);
  return signalSets.map((signals) => {
    const buckets = new Map(text);
    // The signals' own set of seen hashes, on top of the text's (left as it is for the next set).
    const own = new Set<number>();
    addHashes(
      signals.map((signal) => fnv1a(`r:${signal}`)).filter((hash) => !seen.has(hash)),
      own,
      buckets,
    );
    return toVector(buckets);
  });
}
