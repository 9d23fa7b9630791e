// The snippet of a search result: a short piece of the matching message around its first match, with the
// matched words as ranges (offsets in the snippet's text), so a client highlights them without parsing
// markup out of a customer's words. It reads text the way the database's search_normalize and search_words
// do (migration conversation_search); test/search.test.ts checks that both agree on the same strings (in
// Latin and Arabic script; PGlite lower-cases only ASCII, so other scripts' capitals may differ there).

export interface TextRange {
  /** UTF-16 offsets into the snippet's text, end excluded. */
  start: number;
  end: number;
}

export interface Snippet {
  text: string;
  highlights: TextRange[];
}

/** Characters folded to others after decomposition and lower case, as search_normalize's translate(). */
const FOLDS: Record<string, string> = {};
function fold(from: string, to: string): void {
  const target = [...to];
  [...from].forEach((char, i) => (FOLDS[char] = target[i] ?? ''));
}
fold('\u0152\u00C6\u00D8\u00F8\u0110\u0111\u0141\u0142\u0131', '\u0153\u00E6ooddlli');
fold('\u2019\u2018\u201C\u201D\u00AB\u00BB\u2013\u2014\u00A0\u060C\u061B\u061F', `''""""-- ,;?`);
fold('\u0671\u0649\u0629\u06CC\u06A9', '\u0627\u064A\u0647\u064A\u0643');
fold('٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹', '01234567890123456789');
const SPELLED: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss' };
/** Removed after decomposition: combining accents, harakat (and hamza, madda), superscript alef, tatweel. */
const MARKS = /[\u0300-\u036F\u064B-\u065F\u0670\u0640]/gu;

/** Text as search compares it, with the offset in `text` each normalized character comes from. */
export function normalizeForSearch(text: string): { value: string; origins: number[] } {
  let value = '';
  const origins: number[] = [];
  let offset = 0;
  for (const char of text) {
    const decomposed = char.normalize('NFKD').replace(MARKS, '').toLowerCase();
    for (const part of decomposed) {
      const folded = FOLDS[part] ?? part;
      const spelled = SPELLED[folded] ?? folded;
      value += spelled;
      for (let i = 0; i < spelled.length; i++) origins.push(offset);
    }
    offset += char.length;
  }
  origins.push(text.length);
  return { value, origins };
}

const WORD = /[\p{L}\p{N}]+/gu;
const ARABIC_LETTER = /^[\u0621-\u064A]$/;
/** search_words: the Arabic article (with a leading و ف ب ك) off a word of two letters or more. */
const ARTICLE = /^[\u0648\u0641\u0628\u0643]?\u0627\u0644(?=[\u0621-\u064A]{2})/;

function stripArticle(word: string): string {
  return ARABIC_LETTER.test(word[0] ?? '') ? word.replace(ARTICLE, '') : word;
}

/** The query's words as search_query makes them: three characters or more also match as a prefix. */
export function queryWords(query: string): string[] {
  const words = normalizeForSearch(query).value.match(WORD) ?? [];
  return [...new Set(words.map(stripArticle).filter((word) => word.length > 0))];
}

const BEFORE = 40;
const LENGTH = 160;

/** The piece of `content` around its first word matching the query, with every matching word in it. */
export function snippetOf(content: string, query: string): Snippet {
  const words = queryWords(query);
  const { value, origins } = normalizeForSearch(content);
  const matches: TextRange[] = [];
  for (const token of value.matchAll(WORD)) {
    const word = stripArticle(token[0]);
    const hit = words.some((w) => (w.length >= 3 ? word.startsWith(w) : word === w));
    if (hit) {
      matches.push({ start: origins[token.index]!, end: origins[token.index + token[0].length]! });
    }
  }
  const first = matches[0]?.start ?? 0;
  let start = first <= BEFORE ? 0 : wordStartAfter(content, first - BEFORE);
  let end = Math.min(content.length, start + LENGTH);
  if (end < content.length) end = wordEndBefore(content, end, Math.max(first + 1, start + 1));
  // Never cut a surrogate pair.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(content[start] ?? '')) start -= 1;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < content.length ? '…' : '';
  const piece = content.slice(start, end);
  const text = prefix + piece.trim() + suffix;
  const shift = prefix.length - start - (piece.length - piece.trimStart().length);
  const highlights = matches
    .filter((range) => range.start >= start && range.end <= end)
    .map((range) => ({ start: range.start + shift, end: range.end + shift }));
  return { text, highlights };
}

/** The first word start at or after `at` (the text's start when there is none). */
function wordStartAfter(text: string, at: number): number {
  const space = text.slice(at).search(/\s/);
  return space < 0 ? at : at + space + 1;
}

/** The last word end at or before `at`, and not before `min`. */
function wordEndBefore(text: string, at: number, min: number): number {
  const space = text.slice(0, at).search(/\s\S*$/);
  return space >= min ? space : at;
}
