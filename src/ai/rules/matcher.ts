import { foldPattern, originalSlice, type NormalizedText } from '../text-normalize.js';

/** A range [start, end) of a normalised text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Word start: not preceded by a letter or digit (Arabizi digits are letters, "e7joz" is one word). */
export const B = '(?<![\\p{L}\\p{N}])';
/** Word end. */
export const E = '(?![\\p{L}\\p{N}])';
/**
 * Arabic word start with the clitics written attached to a word: wa/fa "and", bi/li/ka "with/for/like",
 * the article al- (li+al contracts to "ll"), and the dialect demonstrative ha-l "this".
 */
export const AR = `${B}(?:[وف])?(?:[بلك])?(?:ال|ل|ها?ل)?`;

/**
 * A global, Unicode regular expression over normalised text. The source is folded like the text, so rules
 * may spell words naturally ("réserver", "تذكرة"); write Latin letters in lower case.
 */
export function rx(source: string): RegExp {
  return new RegExp(foldPattern(source), 'gu');
}

/** `(?:a|b|c)` from a list of alternatives (already regex source). */
export function alt(items: readonly string[]): string {
  return `(?:${items.join('|')})`;
}

/** Whole-word alternatives: `B(?:a|b)E`. */
export function words(items: readonly string[]): string {
  return `${B}${alt(items)}${E}`;
}

/** Every match of `re` in `text` (or within `span` of it). */
export function findAll(text: string, re: RegExp, span?: Span): Span[] {
  const from = span?.start ?? 0;
  const to = span?.end ?? text.length;
  const found: Span[] = [];
  // A global pattern is scanned in place (the scan is synchronous, and lastIndex is reset after it); compiling a
  // copy per call cost more than the scan itself.
  const scanner = re.flags.includes('g') ? re : new RegExp(re.source, `${re.flags}g`);
  scanner.lastIndex = from;
  try {
    for (let m = scanner.exec(text); m !== null; m = scanner.exec(text)) {
      const end = m.index + m[0].length;
      if (m.index >= to) break;
      if (end <= to && end > m.index) found.push({ start: m.index, end });
      if (m[0].length === 0) scanner.lastIndex += 1;
    }
  } finally {
    scanner.lastIndex = 0;
  }
  return found;
}

/** Whether a pattern of `rx` matches anywhere in `text` (the global pattern is used in place, from the start). */
export function matches(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  const found = re.test(text);
  re.lastIndex = 0;
  return found;
}

/** The first match of any of `patterns`, earliest in the text. */
export function findFirst(text: string, patterns: readonly RegExp[], span?: Span): Span | undefined {
  let best: Span | undefined;
  for (const re of patterns) {
    const [first] = findAll(text, re, span);
    if (first && (!best || first.start < best.start)) best = first;
  }
  return best;
}

export function test(text: string, patterns: readonly RegExp[], span?: Span): boolean {
  return findFirst(text, patterns, span) !== undefined;
}

export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

const CLAUSE_MARK = /[.!?;,\n]/u;
const MAX_CLAUSE = 140;

/** The clause around a span: between the nearest punctuation marks on either side. */
function clauseAround(text: string, span: Span): Span {
  let start = span.start;
  while (start > 0 && !CLAUSE_MARK.test(text.charAt(start - 1))) start -= 1;
  let end = span.end;
  while (end < text.length && !CLAUSE_MARK.test(text.charAt(end))) end += 1;
  while (end < text.length && /[!?]/u.test(text.charAt(end))) end += 1;
  return end - start <= MAX_CLAUSE ? { start, end } : span;
}

/**
 * The customer's own words that show a finding: the clause around the matched cue ("book the 9am flight to
 * Oslo" rather than "book"), trimmed of surrounding spaces and punctuation. Always a substring of the message.
 */
export function evidenceOf(normalized: NormalizedText, span: Span): string {
  const clause = clauseAround(normalized.text, span);
  return originalSlice(normalized, clause.start, clause.end)
    .replace(/^[\s,.;:!?¿¡'"()-]+/u, '')
    .replace(/[\s,;:'"(-]+$/u, '');
}

const SENTENCE_END = /[.!?\n]+|\.\.\.|;/gu;

/** Sentences of a normalised text as spans (ends at . ! ? ; or a line break; the mark stays inside). */
export function sentences(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  for (const m of text.matchAll(SENTENCE_END)) {
    const end = m.index + m[0].length;
    if (text.slice(start, end).trim()) spans.push({ start, end });
    start = end;
  }
  if (text.slice(start).trim()) spans.push({ start, end: text.length });
  return spans;
}

/** The sentence that contains position `at`. */
export function sentenceAt(text: string, at: number): Span {
  return sentences(text).find((s) => at >= s.start && at < s.end) ?? { start: 0, end: text.length };
}

/** Whether the sentence at `at` is a question (a question mark, or an interrogative opening). */
export function isQuestionAt(text: string, at: number): boolean {
  const sentence = sentenceAt(text, at);
  const slice = text.slice(sentence.start, sentence.end);
  return slice.includes('?') || INTERROGATIVE_START.test(slice.trim());
}

const INTERROGATIVE_START = new RegExp(
  foldPattern(
    `^(?:is|are|do|does|did|can|could|would|will|what|how|where|when|which|who|why|any|est-ce|combien|quel|quelle|quels|quelles|pourriez|pouvez|avez|هل|كم|قديش|ايش|وش|شو|متى|وين|ممكن)${E}`,
  ),
  'u',
);
