import { type Language } from '../classification.js';
import { normalizeText } from '../text-normalize.js';

/** Language by script, then by frequent function words: enough to tell en, fr and Arabizi apart in chat. */

const FRENCH_WORDS = new Set(
  (
    'le la les des du un une est et je tu vous nous il elle pour pas que qui avec mon ma mes votre vos ' +
    'bonjour bonsoir merci oui non au aux sur dans ca tres suis avez voudrais souhaiterais combien svp stp ' +
    'salut ce cette y a en ou mais donc parce quand comment quel quelle ai fait peut-etre ' +
    'rien toujours deja encore aussi bien pouvez pourriez peux veux demain matin soir etes besoin chez ces ' +
    'alors sont cela ici'
  ).split(' '),
);

const ENGLISH_WORDS = new Set(
  (
    'the a an is are was i im you to of and for my your me it its this that have has do does did can could ' +
    'would what how where when why please thanks thank hi hello hey with on in be we not no want need there ' +
    "ok okay yes just get any some from at our they will dont cant i'm it's what's don't can't tomorrow " +
    'morning tonight should about which because but also more much many here their been got so if or as by ' +
    'all one up out only very really still now then well right anything something nothing question'
  ).split(' '),
);

const ARABIZI_WORDS = new Set(
  (
    'shu shou sho baddi badde bade biddi bidi fi fe ma3 3ala 3an ana enta inta inti kif keef kifak kifik ' +
    'wen wein lesh leh marhaba mar7aba ahlan salam yalla habibi inshallah wallah mish mesh msh ktir kteer ' +
    '3am taba3 el l ya shukran chokran aywa la2 tayeb tamam 3andkon 3andak 3ayez 3awez momken mumkin ezzay ' +
    'izzay ezay feen 3ashan hayda hayde hek halla2 shi 7ada had bas kam'
  ).split(' '),
);

const ARABIC_LETTER = /\p{Script=Arabic}/gu;
const LATIN_LETTER = /\p{Script=Latin}/gu;
const FRENCH_ACCENT = /[éèêëàâçùûôîï]/giu;
// A Latin word with an Arabizi digit inside or at its edge: e7joz, ma3, jom3a, masa2iyye, 7ada.
const ARABIZI_TOKEN = /^(?=.*[a-z])(?=.*[2357])[a-z2357]+$/u;

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

// "that's", "don't", "I'll" are English; "c'est", "j'ai", "qu'il" are French elisions.
const ENGLISH_CONTRACTION = /^\p{L}+'(?:s|t|re|ve|ll|d|m)$/u;
const FRENCH_ELISION = /^(?:c|d|j|l|m|n|s|t|qu|jusqu|lorsqu|puisqu)'\p{L}+$/u;

function latinScores(original: string): Record<'en' | 'fr' | 'ar', number> {
  const tokens = normalizeText(original)
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
  const scores = { en: 0, fr: count(original, FRENCH_ACCENT) * 0.5, ar: 0 };
  for (const raw of tokens) {
    const token = raw.replace(/^'+|'+$/g, '');
    if (ENGLISH_WORDS.has(token) || ENGLISH_CONTRACTION.test(token)) scores.en += 1;
    if (FRENCH_ELISION.test(token)) scores.fr += 1 + (FRENCH_WORDS.has(token.split("'")[1] ?? '') ? 1 : 0);
    else if (FRENCH_WORDS.has(token)) scores.fr += 1;
    if (ARABIZI_WORDS.has(token)) scores.ar += 1;
    if (ARABIZI_TOKEN.test(token)) scores.ar += 1.5;
  }
  return scores;
}

/** The message's language: Arabic script wins, then the Latin-script language with the most evidence. */
export function detectLanguage(text: string): Language {
  const arabic = count(text, ARABIC_LETTER);
  const latin = count(text, LATIN_LETTER);
  if (arabic === 0 && latin === 0) return 'other';
  if (arabic >= latin) return 'ar';
  const scores = latinScores(text);
  const ranked = (Object.entries(scores) as ['en' | 'fr' | 'ar', number][]).sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best || best[1] === 0) return 'other';
  if (second && best[1] === second[1]) return best[0] === 'en' || second[0] === 'en' ? 'en' : best[0];
  return best[0];
}
