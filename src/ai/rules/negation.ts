import { alt, B, E, isQuestionAt, matches, rx } from './matcher.js';

/**
 * Negation scope: a cue is negated when a negator stands shortly before it in the same clause
 * ("I don't need an agent", "pas besoin d'un conseiller", "ما ابي اكلم موظف"). A clause ends at punctuation
 * and at words that open a new clause, so "No, I want a human" and "I don't know why I can't talk to a person"
 * are not negated requests.
 */

const CLAUSE_BREAK = rx(
  `[.,;:!?\\n()]|\\s-\\s|${B}${alt([
    'but',
    'however',
    'because',
    'why',
    'that',
    'which',
    'who',
    'if',
    'when',
    'so',
    'just',
    'mais',
    'parce',
    'pourquoi',
    'car',
    'si',
    'quand',
    'que',
    'qui',
    'juste',
    'لكن',
    'بس',
    'لان',
    'لانه',
    'ليش',
    'لماذا',
    'اذا',
    'لو',
    'عشان',
    'علشان',
    'حتى',
    'اللي',
    // Not 'الي': folded, it is also إلى ("to"), as in "لا أحتاج إلى التحدث مع أحد".
    'bas',
    'la2an',
    'lesh',
    'eza',
  ])}${E}`,
);

/** Failure, not refusal: "I can't reach anyone", "je n'arrive pas à joindre", "ما قدرت اوصل". */
const INABILITY = rx(
  `${B}${alt([
    "can'?t",
    'cannot',
    "could ?n'?t",
    'unable to',
    'not able to',
    "n'arrive (?:pas|plus)",
    'ne (?:peux|peut|pouvons|parviens|parvient|arrive) (?:pas|plus)',
    "n'ai pas pu",
    'impossible de',
    'ما (?:قدرت|اقدر|نقدر|بقدر|عم اقدر)',
    'م(?:ش|و) قادر',
    'لا (?:استطيع|اقدر)',
    'لم استطع',
  ])}${E}`,
);

const NEGATOR_WORDS = new Set([
  // English
  'no',
  'not',
  'never',
  'without',
  'nor',
  'neither',
  'dont',
  'doesnt',
  'didnt',
  'wont',
  'isnt',
  'arent',
  'wasnt',
  'shouldnt',
  'wouldnt',
  'havent',
  'hasnt',
  'nope',
  // French
  'ne',
  'pas',
  'jamais',
  'sans',
  'aucun',
  'aucune',
  'non',
  'inutile',
  'nul',
  // Arabic
  'لا',
  'ما',
  'مش',
  'مو',
  'مب',
  'موب',
  'ماني',
  'مانيش',
  'مافي',
  'مافيش',
  'بدون',
  'ليس',
  'لست',
  'لم',
  'لن',
  // Arabizi
  'ma',
  'mish',
  'mesh',
  'msh',
  'mosh',
  'mush',
  'mo',
  'mu',
  // Not 'la': it is the French article and the Arabizi "to" ("la beirut") far more often than "no".
  'la2',
  'bala',
  'balash',
]);

/** Negation fused with "want/need" in Gulf and Levantine spelling: مابي، مابغى، مابدي، mabadde. */
const FUSED_NEGATION =
  /^(?:ما(?:ابي|بي|ابغى|بغى|ابغي|بغي|بدي|ودي|احتاج|نحتاج|اريد)|mabad+i|mabade|mabde|mabi)$/u;

/** Refusal: the negation bears on wanting or needing, which a question does not turn into a request. */
const REFUSAL = rx(
  `${alt([
    `${B}(?:do ?n'?t|does ?n'?t|do not|does not|no|not|never) (?:really )?(?:want|need|wish|require)`,
    `${B}no need`,
    `${B}not necessary`,
    `${B}(?:pas|plus) (?:besoin|envie|la peine|necessaire)`,
    `${B}ne (?:veux|voulons|souhaite|souhaitons)`,
    `${B}inutile`,
    `${B}(?:لا|ما|مش|مو|مب) ?(?:ابي|ابغى|ابغي|بدي|اريد|احتاج|محتاج|ودي|لازم|داعي|ضروري)`,
    `${B}(?:ما|مش) (?:في|فيه) (?:داعي|لزوم|حاجه)`,
    `${B}لا داعي`,
    `${B}ما(?:ابي|بي|ابغى|بغى|بدي|ودي)`,
    `${B}(?:mabadd?i|mabde|mabi|ma badd?i|mish lazem|msh lazem)`,
  ])}`,
);

const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;

/** Whether a token of normalised text negates ("not", "pas", "مش", "mish", "n'ai"…). */
export function isNegatorToken(token: string): boolean {
  const bare = token.replace(/'/g, '');
  if (NEGATOR_WORDS.has(token) || NEGATOR_WORDS.has(bare)) return true;
  if (token.endsWith("n't")) return true;
  if (/^n'\p{L}/u.test(token)) return true; // French elided ne: n'ai, n'est, n'avons
  return FUSED_NEGATION.test(token);
}

/** The part of the clause before `at`, without inability phrases. */
function clauseBefore(text: string, at: number): string {
  const head = text.slice(0, at);
  let start = 0;
  for (const m of head.matchAll(CLAUSE_BREAK)) start = m.index + m[0].length;
  return head.slice(start).replace(INABILITY, ' ');
}

export interface NegationOptions {
  /** How many words before the cue a negator may stand (default 5). */
  window?: number;
  /** Negated questions are requests ("don't you have a promo code?"), unless they refuse (default true). */
  questionsAreRequests?: boolean;
}

/** Whether the cue starting at `at` of normalised `text` is negated. */
export function isNegatedAt(text: string, at: number, options: NegationOptions = {}): boolean {
  const window = options.window ?? 5;
  const clause = clauseBefore(text, at);
  const tokens = [...clause.matchAll(TOKEN)].map((m) => m[0]).slice(-window);
  if (!tokens.some(isNegatorToken)) return false;
  const refusal = matches(REFUSAL, clause);
  if (refusal) return true;
  return !((options.questionsAreRequests ?? true) && isQuestionAt(text, at));
}
