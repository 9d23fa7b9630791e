import { type NormalizedText } from '../text-normalize.js';
import { AR, alt, B, E, findAll, rx, type Span } from './matcher.js';

/**
 * What a message is about, for the flight rules: words that name a flight or its fare, and words that name
 * something else with a price (bags, seats choice, fees, courses, hotels, products).
 */

export const FLIGHT_TERMS: readonly RegExp[] = [
  rx(
    `${B}${alt([
      'flights?',
      'fl(?:y|ying|ew)',
      'planes?',
      'air ?fares?',
      'fares?',
      'airlines?',
      'air tickets?',
      '(?:plane |air |flight |return |one[- ]way |round[- ]trip )?tickets?',
      'one[- ]way',
      'round[- ]trips?',
      'return (?:trip|journey)s?',
      '(?:business|economy|first|premium(?: economy)?) class',
      'layovers?',
      'stopovers?',
      'non-?stop',
      // French
      'vols?',
      "billets?(?: d'avion)?",
      'avions?',
      'aller[- ](?:simple|retour)',
      'classe (?:eco|economique|affaires|business|premiere)',
      'compagnies? aeriennes?',
      'escales?',
      // Arabizi
      'ta?zka?ra',
      'tazakir',
      'tayyara',
      'ta2ara',
      're7le?',
      'r[ie]7la',
      'rehla',
      'tayaran',
    ])}${E}`,
  ),
  // Arabic: trip/flight, ticket, aviation, plane, outbound and return, cabin class.
  rx(
    `${AR}${alt(['رحله', 'رحلات', 'تذكره', 'تذاكر', 'طيران', 'طياره', 'ذهاب', 'عوده', 'درجه سياحيه', 'درجه رجال الاعمال'])}`,
  ),
  rx(`${B}from \\p{L}{3,} to \\p{L}{3,}`),
  rx(`${B}de \\p{L}{3,} (?:a|vers) \\p{L}{3,}`),
  rx(`${B}من \\p{Script=Arabic}{3,} (?:الى |ل)\\p{Script=Arabic}{3,}`),
];

/**
 * Routes, found on the original text because casing and dash kinds matter: "Dublin to Malaga" (capitalised
 * places), "Lyon–Alger", "بيروت–دبي", "Paris-Montreal" (an en dash, or a hyphen before a capital).
 */
const ROUTES: readonly RegExp[] = [
  /(?<![\p{L}\p{N}])\p{Lu}\p{Ll}{2,}(?: \p{Lu}\p{Ll}+)? (?:to|à|a|vers) \p{Lu}\p{Ll}{2,}/gu,
  /(?<![\p{L}\p{N}])(?:\p{Lu}\p{Ll}{2,}|\p{Script=Arabic}{3,}) ?(?:[–—→]|\s-\s|-(?=\p{Lu})) ?(?:\p{Lu}|\p{Script=Arabic})/gu,
];

/** Things with a price that are not a flight fare. */
export const OTHER_PRICED_ITEMS: readonly RegExp[] = [
  rx(
    `${B}${alt([
      'bags?',
      'baggage',
      'luggage',
      'suitcases?',
      'carry[- ]?ons?',
      'hand luggage',
      'overweight',
      'excess',
      'seat (?:selection|choice|upgrade|reservation)',
      '(?:choose|choosing|pick|picking|select|selecting) (?:a |my |our )?seats?',
      'legroom',
      'upgrades?',
      'meals?',
      'insurance',
      'pets?',
      'fees?',
      'surcharges?',
      'penalt(?:y|ies)',
      'allowance',
      'courses?',
      '(?<!(?:business|economy|first|premium) )class(?:es)?',
      'lessons?',
      'tuition',
      'hotels?',
      'rooms?',
      'nights?',
      'car (?:hire|rental)',
      'parking',
      'lounge',
      'visas?',
      'deliver(?:y|ies)',
      'shipping',
      'ship',
      'send(?:ing)?',
      'post(?:age)?',
      'couriers?',
      'transfers?',
      '(?:name|date) changes?',
      'change (?:fee|of (?:name|date))',
      'cancell?ation',
      'orders?',
      'products?',
      'items?',
      // French
      'bagages?',
      'valises?',
      'soute',
      'sieges?',
      'surclassement',
      'repas',
      'assurance',
      'frais',
      'supplements?',
      'penalites?',
      'cours',
      'formations?',
      'lecons?',
      'hotels?',
      'chambres?',
      'livraison',
      'planches?',
      'animal',
      'animaux',
      'commande',
      'articles?',
      'produits?',
      'changement',
      'modification',
      'annulation',
      // Arabizi
      'shanta',
      'taghyir',
      'elgha2',
      '3afesh',
      'dawr(?:a|at)',
      'kors',
    ])}${E}`,
  ),
  rx(
    `${AR}${alt([
      'شنط',
      'حقيب',
      'حقائب',
      'عفش',
      'امتعه',
      'وزن',
      'كيلو',
      'كغ',
      'رسوم',
      'غرام',
      'وجبه',
      'تامين',
      'دوره',
      'دورات',
      'كورس',
      'دروس',
      'فندق',
      'غرفه',
      'توصيل',
      'شحن',
      'طلبي',
      'منتج',
      'تغيير',
      'الغاء',
      'تعديل',
    ])}`,
  ),
];

function routeSpans(normalized: NormalizedText): Span[] {
  const spans: Span[] = [];
  for (const re of ROUTES) {
    for (const m of normalized.original.matchAll(re)) {
      const start = normalized.starts.findIndex((s) => s >= m.index);
      if (start >= 0) spans.push({ start, end: start + 1 });
    }
  }
  return spans;
}

export function flightTermSpans(normalized: NormalizedText, span?: Span): Span[] {
  const found = FLIGHT_TERMS.flatMap((re) => findAll(normalized.text, re, span));
  const routes = routeSpans(normalized).filter((r) => !span || (r.start >= span.start && r.start < span.end));
  return [...found, ...routes].sort((a, b) => a.start - b.start);
}

export function otherItemSpans(normalized: NormalizedText, span?: Span): Span[] {
  return OTHER_PRICED_ITEMS.flatMap((re) => findAll(normalized.text, re, span)).sort(
    (a, b) => a.start - b.start,
  );
}

export type Topic = 'flight' | 'other' | 'none';

/** What a stretch of text talks about: the kind of term nearest to `near`, or the only kind present. */
export function topicOf(normalized: NormalizedText, span?: Span, near?: number): Topic {
  const flights = flightTermSpans(normalized, span);
  const others = otherItemSpans(normalized, span);
  if (flights.length === 0 && others.length === 0) return 'none';
  if (others.length === 0) return 'flight';
  if (flights.length === 0) return 'other';
  if (near === undefined) return 'other';
  const distance = (s: Span): number => Math.abs(s.start - near);
  const nearestFlight = Math.min(...flights.map(distance));
  const nearestOther = Math.min(...others.map(distance));
  return nearestFlight < nearestOther ? 'flight' : 'other';
}
