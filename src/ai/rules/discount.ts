import { alt, AR, B, E, findAll, isQuestionAt, matches, rx, sentenceAt, type Span } from './matcher.js';
import { isNegatedAt } from './negation.js';

/**
 * DISCOUNT_REQUEST: money off in any form (discount, promo code, coupon, deal, sale price, price match,
 * refunding the difference after a price drop), asked for or asked about. A full refund, or a code that
 * already worked, is not a request.
 */

const DISCOUNT_TERMS: readonly RegExp[] = [
  rx(
    `${B}${alt([
      'discount(?:s|ed)?',
      '(?:promo(?:tion(?:al)?)?|discount|coupon|voucher|referral) codes?',
      'promo(?:tion)?s?',
      'coupons?',
      'vouchers?',
      '(?:any|a|good|better|best|special|some|package|group|family|student|cheaper) deals?(?! with)',
      'deals? (?:on|for|if)',
      '(?:any|special|current|latest|seasonal) offers?',
      'offers? (?:on|for) (?:flights?|tickets?|students?|groups?)',
      'sale price',
      'on sale',
      'price match(?:ing)?',
      'match (?:the|their|a|this|that) (?:price|offer|fare)',
      '(?:beat|match) (?:that|it|this)(?: (?:price|offer|fare|deal|quote))?',
      'beat (?:the|their|a) (?:price|offer|fare|deal|quote)',
      '(?:refund|reimburse|pay back|give back|credit) (?:me )?the difference',
      '(?:give|pay) (?:me |us )?back the difference',
      'the difference back',
      '(?:price|fare|cost)s? (?:has |have )?(?:drop(?:ped)?|went down|fell|decreased|got cheaper)',
      '(?:better|lower|special|reduced|cheaper|discounted|best|student|group|loyalty|senior|friends?) (?:price|rate|fare)s?',
      '(?:lower|reduce|drop|bring down|cut) (?:the |your |that |this )?(?:price|fare|rate|cost)',
      '(?:do|make|give|get|let me have) (?:it|me|us|this|that)(?: a)?(?: (?:bit|little|any))? cheaper',
      '(?:anything|something|any) cheaper',
      'reductions?',
      // Lower prices for a kind of customer: "do students get cheaper tickets?".
      '(?:students?|seniors?|kids|children|members|groups?|famil(?:y|ies)|military|veterans|teachers) (?:get|pay|have) (?:a )?(?:cheaper|reduced|lower|special|discounted)',
      '(?:cheaper|reduced|lower|special|discounted) (?:prices?|rates?|fares?|tickets?) for (?:students|seniors|children|kids|groups|members|families)',
      // A named code: "the WELCOME10 code", "code SAVE20" (not booking references such as QX7H2P).
      '[a-z]{3,}\\d{1,3} code',
      '(?<!(?:booking|confirmation|reference|verification|access|postal|zip|flight|tracking|order|security) )code [a-z]{3,}\\d{1,3}',
      'money off',
      // Fees waived, better rates, the same deal: "waive the card fee", "a better interest rate", "lower my premium".
      'waive (?:the |my |this |that |an? )?(?:[\\p{L}]+ ){0,2}(?:fees?|charges?|penalty|penalties)',
      '(?:bring|get|knock) (?:the |my )?(?:price|fare|bill|cost) down',
      'loyalty (?:perks?|benefits?)',
      '(?:retention|welcome|member|exclusive|loyalty) offers?',
      '(?:better|corporate|member|members|special|group|preferential|loyalty) (?:interest )?(?:rates?|prices?|pricing)',
      'the same (?:deal|price|rate|offer)',
      'lower (?:my|the|our|this) (?:premium|bill|rate|price|fare|monthly)',
      'do (?:better|something) on (?:the )?price',
      'negotiable',
      '(?:kids|children|babies|infants|students|seniors) [^.?!]{0,15}(?:fly|travel|pay|get) cheaper',
      '\\d+ ?% off',
      '-\\d+ ?%',
      'percent off',
      'knock (?:some|a bit|something|anything)? ?off',
      'loyalty (?:discount|reward|points?|programme|program)',
      'rebates?',
      'cash ?back',
      // French
      'reduc(?:tion)?s?',
      'remises?',
      'rabais',
      'ristournes?',
      'codes? promos?',
      "bons? (?:de reduction|d'achat|de reduc)",
      'soldes',
      "(?:prix|tarifs?) (?:reduits?|speciaux|special|etudiants?|preferentiels?|de groupe|jeunes?|seniors?|d'ami)",
      '(?:faire|faites|fait|avoir|obtenir|proposer|trouver|possible)(?: (?:un peu|encore|le|ca|ça))? moins chers?',
      'moins chers? (?:ailleurs|chez|sur)',
      'meilleurs? prix',
      'baisser (?:le |un peu le )?prix',
      '(?:faire|faites|fait|ferez|feriez|faisiez) (?:un |une )?(?:petit |petite )?(?:prix|geste|effort|remise|ristourne)',
      'geste commercial',
      'offres? (?:speciales?|du moment|en cours)',
      'rembourser la difference',
      'remboursez(?:-moi|-nous)? la difference',
      "baisser (?:un peu )?(?:le |la |ma |mon |mes |votre |l')?(?:prix|tarif|prime|facture|abonnement|forfait|mensualite)",
      'codes? (?:de )?(?:bienvenue|promo|remise)',
      '(?:faites|faire|faisez) (?:des |un |une )?(?:prix|tarifs?) (?:pour|aux|speciaux)',
      '(?:supprimer|annuler|offrir|enlever|rembourser) (?:les |mes |ces )?frais',
      'negociable',
      'meilleur tarif',
      "(?:s'aligner|vous aligner|aligner) sur",
      'tarif (?:plus )?(?:sympa|interessant|avantageux|bas)',
      'bons? plans?',
      'offres? (?:de fidelite|pour les [\\p{L}]+|promotionnelles?)',
      "(?:rembourser|rendre) l'ecart",
      '(?:recuperer|rembourser|recevoir|avoir) (?:la|cette) difference',
      'a baisse de \\d',
      '(?:le prix|le tarif|le billet) a (?:baisse|chute|diminue)',
      'ventes? (?:flash|privees?)',
      'codes? (?:de )?(?:parrainage|reduction|reduc)',
      'faire (?:un |une )?(?:\\d+ ?%|remise|reduction|ristourne|prix)',
      'flash sales?',
      // Arabizi
      's[ie]?3r (?:5as|khas|5ass|mo5affad)',
      'elon se3r ar(?:5|kh)as',
      'code (?:men|mn|min) [\\p{L}0-9]+',
      '(?:t5aff?[ie]?f|t5af7|tkhaff?[ie]?f|tnazzel|tnazzil|t5affed|tkhaffed)[\\p{L}0-9]* (?:el |l)?(?:fatoura|se3r|2est|eshterak|shway)',
      'shi 5as (?:la|lal|lel)',
      'tnazzel(?:le|li)? shway',
      '(?:tshelo|tshilo|shilo|telgho) (?:el )?rsoum',
      'khasm',
      '5asm',
      'takhf[ie]+d',
      'ta5f[ie]+d',
      '3orood',
      '3rood',
    ])}${E}`,
  ),
  rx(
    `${AR}${alt(['خصم', 'خصومات', 'تخفيض', 'تخفيضات', 'تنزيلات', 'كوبون', 'قسيمه', 'برومو', 'عروض', 'اوفر'])}`,
  ),
  rx(`${AR}كود (?:ال)?(?:خصم|تخفيض|برومو|كوبون|عرض)`),
  rx(`${B}(?:في|فيه|عندكم|عندك|اي) عرض`),
  rx(`${AR}سعرا? (?:خاص|مخفض|ارخص|افضل|احسن|مطابق)`),
  rx(
    `${B}(?:(?:نزل|انخفض|قل)(?:ت)? (?:ال)?سعر|(?:ال)?سعر(?:ها|ه)? (?:نزل|انخفض)|ترجعو(?:ا)?(?: لي| لنا)? الفرق|ترجعولي الفرق|ترجعوني الفرق|اعاده الفرق|يرجع(?:لي)? الفرق)`,
  ),
  rx(`${B}(?:nezel se3r(?:a|ha)?|el se3r nezel|trja3ouli el fare2|rajje3ouli el fare2)`),
  rx(`${AR}(?:كود|كوبون)(?! (?:ال)?(?:حجز|تفعيل|تحقق|التحقق|التفعيل))`),
  rx(`${B}رمز (?:ال)?(?:خصم|احاله|ترويجي|عرض)`),
  rx(`${B}(?:اعفائي|اعفاء|تشيلون|تشيلوا|تلغون|تلغوا|شيلوا|تسقطوا)(?: لي)? (?:من )?(?:ال)?رسوم`),
  rx(`${B}(?:تنزل|تنزلي|نزلي|تنزلولي|تنزلوا|تنزلون|تخفض|تخفضلي)(?: لي| لنا)? (?:شوي|شويه|شوية|شي)`),
  rx(`${AR}(?:فاوتشر|فوتشر)`),
  rx(`${B}(?:ما زال|ما زالت|لا يزال|لسه|للحين|لسا|مازال) ${AR}(?:رمز|كود|عرض|خصم|كوبون|قسيمه)`),
  rx(`${AR}(?:رمز|كود|كوبون|قسيمه|عرض) (?:صالح|ساري|شغال|يشتغل)`),
  rx(`${B}شي خاص (?:لل|ل)`),
  rx(`${B}(?:لهم|الهن|ليهم|الهم) سعر ارخص`),
  rx(`${B}(?:مطابقه (?:ال)?سعر|تطابقون (?:ال)?سعر|تطابق (?:ال)?سعر)`),
  rx(
    `${B}(?:ممكن |تقدر |تقدرو |فيكن |فيك |ت)?(?:نزل|تنزل|تنزلو|خفض|تخفض|تخفضو|تخففو|خفف)(?:لي|ولي|لنا|ولنا|ون|وا)? ?(?:ال)?(?:فاتوره|فاتورتي|الفاتوره|القسط|الاشتراك)`,
  ),
  rx(
    `${B}(?:ممكن |تقدر |تقدرو |ت)?(?:نزل|تنزل|تنزلو|خفض|تخفض|تخفضو)(?:لي|ولي|لنا|ولنا)?(?: شوي| شويه| شوية)? (?:ب|في |من )?(?:ال)?سعر`,
  ),
  rx(`${B}(?:ممكن|تقدر|تعطيني|تسويلي|تعمللي|تعملي|عطني|اعطني) (?:سعر )?(?:ب)?ارخص`),
];

/** The code or discount already did its job: "the coupon worked", "le code a fonctionné". */
const ALREADY_APPLIED = rx(
  `${B}${alt([
    'worked',
    'works now',
    'has been applied',
    'was applied',
    'went through',
    'a fonctionne',
    'a marche',
    'marche bien',
    'est bien applique',
    'اشتغل',
    'مشى',
    'تم تطبيق',
    'انطبق',
  ])}${E}`,
);

/** Something that makes a discount mention a request rather than a story. */
const REQUEST_CUE = rx(
  `${B}${alt([
    'can',
    'could',
    'would',
    'please',
    'pls',
    'plz',
    'give',
    'get',
    'send me',
    'apply',
    'want',
    'need',
    "i'd like",
    'looking for',
    'any',
    'is there',
    'are there',
    'do you have',
    'still valid',
    'expired',
    'invalid',
    "(?:does ?n'?t|won'?t|not) work(?:ing)?",
    'ne marche (?:pas|plus)',
    'expire',
    'ما يشتغل',
    'مش شغال',
    'لا يعمل',
    'لسه شغال',
    'ma 3am yezbat',
    'baddi',
    'badde',
    '3ayez',
    '3awez',
    'momken',
    'mumkin',
    '3andkon',
    '3andoko',
    '3andkom',
    'fikon',
    'fik',
    'ما عم يزبط',
    'تطبقلي',
    'طبقلي',
    'تطبقه',
    'رجعولي',
    'ترجعولي',
    'remboursez',
    'appliquez',
    'faites',
    'donnez',
    'refund me',
    'apply it',
    'possible',
    'chance',
    'pouvez',
    'pourriez',
    'voudrais',
    'veux',
    'svp',
    'avez',
    'possible',
    'ممكن',
    'في',
    'فيه',
    'عندكم',
    'ابي',
    'ابغى',
    'بدي',
    'اريد',
    'تعطيني',
    'لو سمحت',
    'ياريت',
    'هل',
  ])}${E}`,
);

/**
 * "تم خصم المبلغ مرتين", "خصم رسوم التحويل", "et5asam el mablagh": خصم as a verb or with an amount means the
 * money was charged or deducted, not money off.
 */
const DEDUCTED_BEFORE = rx(`${B}(?:تم|قد تم|وتم|اتم|لقد تم|لاحظت|يتم|رح يتم|هيتم|حيتم) ?$`);
const DEDUCTED_AFTER = rx(
  `^ ?(?:ال)?(?:مبلغ|المبلغ|مبالغ|رسوم|قيمه|قسط|فلوس|مصاري|مصاريف|فاتوره|ثمن|سعر التذكره|\\d+(?![\\d.,]* ?(?:%|٪|بالميه|في الميه))|من (?:حسابي|بطاقتي|كارتي|الكارت|البطاقه|الحساب|راتبي|الراتب|المرتب|رصيدي))`,
);
const DEDUCTED_ARABIZI = rx(`${B}(?:et5asam|it5asam|et5asamo|ta5asamo|5asamo|5asamto|nkhasam|et?khasam)${E}`);

function isDeduction(text: string, span: Span): boolean {
  const words = text.slice(span.start, span.end);
  if (!/خصم/u.test(words)) return false;
  const before = text.slice(Math.max(0, span.start - 12), span.start);
  const after = text.slice(span.end, span.end + 30);
  return matches(DEDUCTED_BEFORE, before) || matches(DEDUCTED_AFTER, after);
}

export interface DiscountRequest {
  span: Span;
  confidence: number;
}

/** All spans that name a discount (used to keep "better price" from counting as a price question). */
export function discountSpans(text: string): Span[] {
  return DISCOUNT_TERMS.flatMap((re) => findAll(text, re)).sort((a, b) => a.start - b.start);
}

/** "Promo code?", "CODE PROMO. Vous en avez ?": a bare noun phrase, or one followed by a question about it. */
function isBareTopic(text: string, sentence: Span): boolean {
  const words = text.slice(sentence.start, sentence.end).match(/[\p{L}\p{N}']+/gu) ?? [];
  if (words.length > 3) return false;
  return words.length > 0 && sentence.end < text.length && isQuestionAt(text, sentence.end);
}

function isRequest(text: string, span: Span): boolean {
  const sentence = sentenceAt(text, span.start);
  const slice = text.slice(sentence.start, sentence.end);
  if (isQuestionAt(text, span.start) || isBareTopic(text, sentence)) return true;
  // "The price dropped by 80 €... can you do something?": the question follows the money-off words.
  const next = sentence.end < text.length ? sentenceAt(text, sentence.end) : undefined;
  if (next && next.start >= sentence.end && isQuestionAt(text, next.start)) {
    const words = text.slice(next.start, next.end).match(/[\p{L}\p{N}]+/gu) ?? [];
    if (words.length <= 8) return true;
  }
  if (matches(ALREADY_APPLIED, slice)) return false;
  return matches(REQUEST_CUE, slice);
}

export function findDiscountRequest(text: string): DiscountRequest | undefined {
  // "Is the code case-sensitive? Never mind, it worked": the code did its job, whatever was asked first.
  if (matches(ALREADY_APPLIED, text)) return undefined;
  for (const span of discountSpans(text)) {
    if (isNegatedAt(text, span.start) || isDeduction(text, span)) continue;
    if (!isRequest(text, span)) continue;
    return { span, confidence: 0.85 };
  }
  return undefined;
}

/**
 * Whether the rules saw money-off words and ruled a request out: negated ("I don't want a voucher"), a code
 * that already worked, an amount that was charged ("تم خصم المبلغ", "et5asam"), or a service offered with no
 * money-off word at all ("do you offer weekend classes?"). The learned model may not add DISCOUNT_REQUEST then.
 */
/** "Do you offer weekend classes?": offering a service, not an offer on a price. */
const OFFERS_A_SERVICE = rx(
  `${B}(?:do|does|would|can) (?:you|they) (?:offer|provide) (?:[\\p{L}-]+ ){0,3}?(?:class(?:es)?|courses?|lessons?|deliver(?:y|ies)|wifi|meals?|parking|shuttles?|insurance|services?|tours?|transfers?|assistance|support|rooms?|flights?)${E}|${B}(?:vous )?(?:proposez|offrez)(?:-vous)? (?:des |un |une |le |la )?(?:cours|livraison|repas|navette|assurance|service|visite|wifi|vols?)${E}`,
);

export function discountRuledOut(text: string): boolean {
  if (findAll(text, DEDUCTED_ARABIZI).length > 0) return true;
  const spans = discountSpans(text);
  if (spans.length === 0) return matches(OFFERS_A_SERVICE, text);
  // "Is the code case-sensitive? Nevermind, it worked": the whole message counts.
  if (spans.length > 0 && matches(ALREADY_APPLIED, text)) return true;
  return spans.some((span) => isNegatedAt(text, span.start) || isDeduction(text, span));
}
