import {
  type CustomerInformationSubtype,
  type DetectedEvent,
  type ObjectionType,
} from '../classification.js';
import { originalSlice, type NormalizedText } from '../text-normalize.js';
import { alt, B, E, evidenceOf, findAll, findFirst, rx, type Span } from './matcher.js';
import { isNegatedAt } from './negation.js';

/**
 * Business events (the DetectedEvent types of classification.ts) that simple rules can see: sales objections,
 * facts the customer tells about themselves, and meetings being set up. Deliberately modest: clear phrasings only.
 */

const OBJECTIONS: readonly { type: ObjectionType; re: RegExp }[] = [
  {
    type: 'PRICE',
    re: rx(
      `${B}${alt([
        'too (?:expensive|pricey|much money|costly)',
        "(?:can'?t|cannot|can not) afford",
        '(?:out of|over|above|beyond) (?:my|our) budget',
        'trop chers?e?',
        'hors (?:de )?(?:mon|notre) budget',
        'pas les moyens',
        'غالي',
        'غاليه',
        'مكلف',
        'فوق (?:ميزانيتي|طاقتي)',
        'ghali(?:ye)?',
      ])}${E}`,
    ),
  },
  {
    type: 'TIMING',
    re: rx(
      `${B}${alt([
        'not (?:right )?now',
        'maybe later',
        "(?:i'?ll|i will|let me|i need to|i have to) think (?:about it|it over)",
        'not the right time',
        "(?:i'?m|we'?re) not ready",
        'pas maintenant',
        'plus tard',
        '(?:je vais|je dois|laissez-moi) (?:y )?reflechir',
        'بعدين',
        '(?:مش|مو) (?:الحين|هلا|هلق|الوقت)',
        'خليني افكر',
        'بفكر',
        'لاحقا',
      ])}${E}`,
    ),
  },
  {
    type: 'COMPETITOR',
    re: rx(
      `${B}${alt([
        'cheaper (?:elsewhere|on|at|with|from)',
        '(?:other|another|different) (?:company|agency|website|site|airline|school|shop|store)',
        'competitors?',
        '(?:found|saw|seen) (?:it|one) cheaper',
        'moins chers? ailleurs',
        '(?:une )?autre (?:agence|compagnie|ecole|site|boutique)',
        'ارخص (?:عند|في|من)',
        '(?:شركه|مكان|موقع|وكاله) (?:ثانيه|ثاني|تانيه|تاني|ثانيه)',
      ])}${E}`,
    ),
  },
  {
    type: 'TRUST',
    re: rx(
      `${B}${alt([
        'is (?:this|it|that) (?:a )?(?:scam|legit|safe|real)',
        'can i trust',
        'arnaque',
        '(?:faire|avoir) confiance',
        'موثوق',
        'نصب',
      ])}${E}`,
    ),
  },
  {
    type: 'NEED',
    re: rx(
      `${B}${alt(["(?:i'?m |we'?re )?not interested", 'pas interesse(?:e|s)?', '(?:مش|مو|غير) مهتم'])}${E}`,
    ),
  },
  {
    type: 'AUTHORITY',
    re: rx(
      `${B}${alt([
        '(?:ask|check with|talk to|discuss (?:it )?with|consult) my (?:husband|wife|parents|father|mother|dad|mum|mom|boss|partner|family)',
        '(?:demander|voir) (?:a|avec) (?:mon|ma|mes) (?:mari|femme|parents|pere|mere|patron|famille)',
        'اسال (?:ابوي|امي|زوجي|زوجتي|اهلي)',
        'اشاور',
      ])}${E}`,
    ),
  },
];

function objectionEvents(message: NormalizedText): DetectedEvent[] {
  const events: DetectedEvent[] = [];
  for (const { type, re } of OBJECTIONS) {
    const span = findAll(message.text, re).find((s) => !isNegatedAt(message.text, s.start));
    if (span) {
      const evidence = evidenceOf(message, span);
      events.push({
        type: 'OBJECTION_DETECTION',
        payload: { objectionType: type },
        confidence: 0.65,
        evidence,
      });
    }
  }
  return events;
}

/** A name, institution or subject right after the cue: up to `maxWords` words, up to punctuation. */
function valueAfter(message: NormalizedText, span: Span, maxWords: number): string {
  const rest = originalSlice(message, span.end, message.text.length);
  const clause = rest.split(/[.,;:!?؟،\n]| and | et | و /u)[0] ?? '';
  return clause.trim().split(/\s+/u).filter(Boolean).slice(0, maxWords).join(' ');
}

interface InfoRule {
  subtype: CustomerInformationSubtype;
  re: RegExp;
  /** Value from the first capture group (a number, a year) or the words after the cue. */
  value: (message: NormalizedText, span: Span, match: RegExpExecArray) => string;
}

const firstGroup = (_m: NormalizedText, _s: Span, match: RegExpExecArray): string => match[1] ?? '';
const wordsAfter =
  (n: number) =>
  (m: NormalizedText, s: Span): string =>
    valueAfter(m, s, n);
const whole = (m: NormalizedText, s: Span): string => evidenceOf(m, s);

const INFO_RULES: readonly InfoRule[] = [
  {
    subtype: 'NAME',
    re: rx(`${B}(?:my name is|my name's|je m'appelle|mon nom est|اسمي|ana esmi|esmi|ismi)${E}`),
    value: wordsAfter(2),
  },
  {
    subtype: 'AGE',
    re: rx(
      `${B}(?:(?:i'?m|i am) (\\d{1,2}) (?:years? old|yo|y\\/o)|j'ai (\\d{1,2}) ans|(?:عمري|سني) (\\d{1,2}))${E}`,
    ),
    value: (_m, _s, match) => match[1] ?? match[2] ?? match[3] ?? '',
  },
  {
    subtype: 'EXAM_YEAR',
    re: rx(
      `${B}(?:exams?|baccalaureate|bac|a-levels?|tawjihi|ielts|toefl|sat|gcse|concours|examens?|التوجيهي|توجيهي|الثانويه العامه|امتحان|امتحانات)[^.?!\\n]{0,30}?(20\\d\\d)${E}`,
    ),
    value: firstGroup,
  },
  {
    subtype: 'EXSTUDENT',
    re: rx(
      `${B}${alt([
        "(?:i was|i used to be|i'?ve been) (?:a )?(?:student|pupil) (?:at|with|of) (?:your|this)",
        'former student',
        'ex-student',
        'alumn(?:us|a|i)',
        'ancien(?:ne)? (?:eleve|etudiant|etudiante)',
        "j'etais (?:eleve|etudiant|etudiante) (?:chez|dans)",
        'كنت (?:طالب|طالبه) (?:عندكم|في|لديكم)',
        'طالب سابق',
        'طالبه سابقه',
      ])}${E}`,
    ),
    value: whole,
  },
  {
    subtype: 'GRADUATION_INSTITUTION',
    re: rx(`${B}(?:i graduated from|graduate of|diplomee? de|diplomee? d'|تخرجت من|خريج)${E}`),
    value: wordsAfter(5),
  },
  {
    subtype: 'DESIRED_INSTITUTION',
    re: rx(
      `${B}(?:(?:want|hope|planning|trying|plan) to (?:get into|study at|apply to|join)|integrer|ابي ادخل|ودي ادخل|بدي ادخل|ابي ادرس في|بدي ادرس ب)${E}`,
    ),
    value: wordsAfter(5),
  },
  {
    subtype: 'COURSE_INTENDED',
    re: rx(
      `${B}(?:(?:want|would like|i'?d like|planning|hoping|interested) (?:to )?(?:in )?(?:learn|learning|study|studying)|apprendre (?:le |la |l')?|(?:ابي|بدي|ودي|حاب) (?:اتعلم|ادرس))${E}`,
    ),
    value: wordsAfter(3),
  },
];

function informationEvents(message: NormalizedText): DetectedEvent[] {
  const events: DetectedEvent[] = [];
  for (const rule of INFO_RULES) {
    const scanner = new RegExp(rule.re.source, 'u');
    const match = scanner.exec(message.text);
    if (!match) continue;
    const span = { start: match.index, end: match.index + match[0].length };
    const value = rule.value(message, span, match).trim();
    if (!value) continue;
    events.push({
      type: 'CUSTOMER_INFORMATION_DETECTION',
      subtype: rule.subtype,
      payload: { value },
      confidence: 0.7,
      evidence: evidenceOf(message, span),
    });
  }
  return events;
}

const MEETING = rx(
  `${B}${alt([
    "(?:let'?s|can we|could we|shall we|i'?d like to|i want to|schedule|set up|arrange|plan|book) (?:a |an )?(?:meeting|call|video call|zoom|appointment|visit|consultation|demo|interview)",
    '(?:meeting|call|appointment) (?:on|at|for|tomorrow|today)',
    'see you (?:on|at|tomorrow)',
    '(?:prendre|fixer|planifier|organiser) (?:un )?(?:rendez-vous|rdv|appel|entretien)',
    'on se voit',
    '(?:موعد|اجتماع|مقابله|مكالمه) (?:يوم|الساعه|بكرا|بكره|غدا)',
    'نتقابل',
  ])}${E}`,
);

const TIME = rx(
  `${B}${alt([
    'today',
    'tomorrow',
    '(?:next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)',
    'next week',
    '\\d{1,2}(?::\\d{2})? ?(?:am|pm|h)',
    'at \\d{1,2}(?::\\d{2})?',
    "aujourd'hui",
    'demain',
    '(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)',
    '\\d{1,2}h\\d{0,2}',
    'بكرا',
    'بكره',
    'غدا',
    'اليوم',
    '(?:يوم )?(?:الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت)',
    'الساعه \\d{1,2}',
  ])}${E}`,
);

const CHANNELS: readonly [string, RegExp][] = [
  ['ZOOM', rx(`${B}(?:zoom|زوم)${E}`)],
  ['TEAMS', rx(`${B}(?:teams|تيمز)${E}`)],
  ['GOOGLE_MEET', rx(`${B}(?:google meet|meet\\.google)`)],
  ['WHATSAPP', rx(`${B}(?:whatsapp|واتساب|واتس)${E}`)],
  ['PHONE', rx(`${B}(?:phone|call|telephone|appel|هاتف|مكالمه|اتصال)${E}`)],
  ['IN_PERSON', rx(`${B}(?:in person|visit|en personne|sur place|حضوري|زياره)${E}`)],
];

function meetingEvents(message: NormalizedText): DetectedEvent[] {
  const meeting = findFirst(message.text, [MEETING]);
  const time = findFirst(message.text, [TIME]);
  const link = /https?:\/\/\S+/u.exec(message.original)?.[0] ?? null;
  if (!meeting || (!time && !link)) return [];
  const channel = CHANNELS.find(([, re]) => findFirst(message.text, [re]))?.[0] ?? null;
  return [
    {
      type: 'MEETING_SCHEDULED',
      payload: { timeScheduled: time ? evidenceOf(message, time) : null, meetingChannel: channel, link },
      confidence: 0.6,
      evidence: evidenceOf(message, meeting),
    },
  ];
}

export function detectEvents(message: NormalizedText): DetectedEvent[] {
  return [...objectionEvents(message), ...informationEvents(message), ...meetingEvents(message)];
}
