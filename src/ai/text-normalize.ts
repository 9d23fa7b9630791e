/**
 * Text normalisation for rule matching in English, French and Arabic (script and Arabizi).
 *
 * Rules are written against the normalised form, and every normalised character remembers which characters of
 * the original it came from, so a match can be handed back as the customer's own words (evidence).
 */

export interface NormalizedText {
  readonly original: string;
  readonly text: string;
  /** For each UTF-16 unit of `text`, where its source starts in `original`. */
  readonly starts: readonly number[];
  /** For each UTF-16 unit of `text`, where its source ends in `original` (exclusive). */
  readonly ends: readonly number[];
}

// Tashkeel (harakat, tanween, shadda, sukun, dagger alef, Quranic marks) and the tatweel used to stretch words.
const ARABIC_DROPPED = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/u;
// Any combining mark left after canonical decomposition (Latin accents, hamza/madda above or below, VS16).
const COMBINING_MARK = /\p{M}/gu;

/** One character → its folded form; multi-character results stay mapped to the one source character. */
const CHAR_FOLDS: Readonly<Record<string, string>> = {
  // Arabic letter variants: hamza seats and alef forms are spelled loosely in chat.
  ٱ: 'ا',
  ى: 'ي',
  ی: 'ي',
  ة: 'ه',
  ک: 'ك',
  '،': ',',
  '؛': ';',
  '؟': '?',
  // Ligatures that NFD keeps whole.
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  // Typography that phones insert.
  '\u2019': "'",
  '\u2018': "'",
  '\u02BC': "'",
  '\u00B4': "'",
  '`': "'",
  '\u201C': '"',
  '\u201D': '"',
  '«': '"',
  '»': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2012': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u202F': ' ',
  '\u2009': ' ',
};

/** Arabic-Indic (U+0660…) and Persian (U+06F0…) digits become ASCII digits. */
function foldDigit(ch: string): string | undefined {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660);
  if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0);
  return undefined;
}

/** Folds one code point: lowercase, no accents or diacritics, unified Arabic letters. */
export function foldChar(ch: string, lowercase = true): string {
  if (ARABIC_DROPPED.test(ch)) return '';
  const digit = foldDigit(ch);
  if (digit !== undefined) return digit;
  const lowered = lowercase ? ch.toLowerCase() : ch;
  const stripped = lowered.normalize('NFD').replace(COMBINING_MARK, '');
  let out = '';
  for (const part of stripped) out += CHAR_FOLDS[part] ?? part;
  return out;
}

const LATIN_LETTER = /[a-z]/;
const ARABIZI_DIGIT = /[2357]/;
const LETTER = /\p{L}/u;

/**
 * Whether a run of identical characters is stretching ("yesss", "حلووو", "sa333a"), which keeps one.
 * Arabizi digits stand for letters only next to Latin letters; elsewhere "2000" is a number.
 */
function isStretchable(ch: string, before: string | undefined, after: string | undefined): boolean {
  if (LETTER.test(ch)) return true;
  if (!ARABIZI_DIGIT.test(ch)) return false;
  return (
    (before !== undefined && LATIN_LETTER.test(before)) || (after !== undefined && LATIN_LETTER.test(after))
  );
}

interface Piece {
  ch: string;
  start: number;
  end: number;
}

function foldToPieces(original: string): Piece[] {
  const pieces: Piece[] = [];
  let index = 0;
  for (const ch of original) {
    const start = index;
    index += ch.length;
    for (const out of foldChar(ch)) {
      // Split to UTF-16 units so `text` indexes line up with the maps; astral characters stay adjacent.
      for (let i = 0; i < out.length; i += 1) pieces.push({ ch: out.charAt(i), start, end: index });
    }
  }
  return pieces;
}

/** Collapses runs of three or more identical stretchable characters into one, spanning the whole run. */
function collapseElongation(pieces: Piece[]): Piece[] {
  const result: Piece[] = [];
  let i = 0;
  while (i < pieces.length) {
    const piece = pieces[i] as Piece;
    let j = i + 1;
    while (j < pieces.length && pieces[j]?.ch === piece.ch) j += 1;
    const runLength = j - i;
    if (runLength >= 3 && isStretchable(piece.ch, pieces[i - 1]?.ch, pieces[j]?.ch)) {
      result.push({ ch: piece.ch, start: piece.start, end: (pieces[j - 1] as Piece).end });
    } else {
      for (let k = i; k < j; k += 1) result.push(pieces[k] as Piece);
    }
    i = j;
  }
  return result;
}

/** Normalises `original` and keeps, for each normalised unit, the span of the original it came from. */
export function normalizeWithMap(original: string): NormalizedText {
  const pieces = collapseElongation(foldToPieces(original));
  return {
    original,
    text: pieces.map((p) => p.ch).join(''),
    starts: pieces.map((p) => p.start),
    ends: pieces.map((p) => p.end),
  };
}

/** Normalised text only: lowercase, no accents, no tashkeel or tatweel, unified Arabic letters, no stretching. */
export function normalizeText(original: string): string {
  return normalizeWithMap(original).text;
}

/** The original characters behind normalised range [start, end). */
export function originalSlice(normalized: NormalizedText, start: number, end: number): string {
  if (end <= start) return '';
  const from = normalized.starts[start];
  const to = normalized.ends[end - 1];
  if (from === undefined || to === undefined) return '';
  return normalized.original.slice(from, to);
}

/**
 * Folds the letters of a regular-expression source the way `normalizeWithMap` folds text (accents, Arabic
 * variants) without lowercasing, which would turn `\S` or `\W` into other escapes. Lets rules be written in
 * natural spelling ("réserver", "تذكرة").
 */
export function foldPattern(source: string): string {
  let out = '';
  for (const ch of source) {
    if (/[\p{Script=Arabic}\p{Script=Latin}]/u.test(ch)) out += foldChar(ch, false);
    else out += ch;
  }
  return out;
}
