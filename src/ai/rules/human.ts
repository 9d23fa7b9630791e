import { alt, AR, B, E, findAll, matches, rx, sentenceAt, type Span } from './matcher.js';
import { isNegatedAt } from './negation.js';

/**
 * SPEAK_TO_HUMAN: the customer asks for a person, directly ("I want to talk to an agent", "passez-moi
 * quelqu'un", "حولوني على موظف") or indirectly ("can someone call me back", "can a colleague take over").
 * Refusals ("I don't need an agent"), identity questions ("are you a bot?") and names do not count.
 */

const HUMAN_EN = alt([
  'human(?: beings?| agents?)?',
  '(?:real|actual|live) (?:person|people|human|agent|one)',
  'persons?',
  'people',
  'somebody',
  'someone(?: else| in charge)?',
  'anyone',
  'agents?',
  'representatives?',
  'reps?',
  'managers?',
  'supervisors?',
  'operators?',
  'staff',
  'member of (?:your )?staff',
  'customer (?:service|support|care)',
  'support team',
  'advis[eo]rs?',
  'consultants?',
  'colleagues?',
  'employees?',
  'team members?',
  'boss',
  'specialists?',
  'superiors?',
  'technicians?',
  'engineers?',
  'nurses?',
  'counsell?ors?',
  'stylists?',
  'dispatch(?:er)?',
  'reception(?:ist)?',
  'front desk',
  '(?:\\p{L}+ )?(?:team|department|desk)',
  'living,? breathing human(?: being)?',
]);

const HUMAN_FR = alt([
  'humains?',
  'etres? humains?',
  'personnes?(?: reelle| physique)?',
  "quelqu'?un(?: d'autre)?",
  'quelqu un',
  'conseill(?:er|ere)s?',
  'agents?',
  'operat(?:eur|rice)s?',
  'responsables?',
  'managers?',
  'superieurs?',
  'directeurs?',
  'employes?',
  'collegues?',
  'interlocuteurs?',
  'service (?:client|clientele|apres-vente)',
  'support',
  'techniciens?',
  'equipe(?: [\\p{L}]+)?',
  'service [\\p{L}]+',
  'personne competente',
  "chef d'escale",
  'agence',
  'reception',
]);

const HUMAN_AR = alt([
  'موظف',
  'شخص',
  'انسان',
  'بشر',
  'حدا',
  'حد',
  'احد',
  'مسوول',
  'مسيول',
  'مدير',
  'مشرف',
  'ممثل',
  'وكيل',
  'مختص',
  'خدمه العملاء',
  'الدعم',
  'زميل',
  'اداره',
  'قسم',
  'الاستقبال',
  'فني',
  'مستشار',
  'بني ادم',
  'بنادم',
  'شخص مخول',
]);

const HUMAN_ARABIZI = alt([
  '7ada',
  '7ad',
  'had',
  'insan',
  'ensan',
  'mwaz+af[ae]?',
  'mowaz+af[ae]?',
  'mas2ou?l',
  'modir',
  'mudir',
  'moshref',
  'shakh?s',
  'human',
  'agent',
  'manager',
  'supervisor',
  'fanni',
  'mostashar',
  'bani adam',
  'bne adam',
]);

/** Up to `n` filler words between a verb and the person ("to a real person", "to someone from accounts"). */
const gap = (n: number): string => `(?:[\\p{L}\\p{N}']+ ){0,${n}}?`;

const HUMAN_REQUESTS: readonly RegExp[] = [
  // English: speak/talk/chat to a person.
  rx(
    `${B}(?:speak|talk|chat|deal|discuss(?: this| it)?|explain(?: it| this| that| everything)?|communicate)(?: directly)? (?:to|with) ${gap(3)}${HUMAN_EN}${E}`,
  ),
  // English: a person I can talk to, "is there a human available?".
  rx(
    `${B}(?:someone|somebody|anyone|an? (?:real )?(?:person|human|agent)|a real person)(?: (?:i|we) (?:can|could|may))(?: actually| really)? (?:speak|talk|chat)(?: to| with)?${E}`,
  ),
  rx(
    `${B}(?:is there|are there) (?:a |an |any )?(?:(?:real|actual|live) )?(?:human|person|people|agent|someone|anyone|somebody)s? (?:available|i can|to (?:talk|speak|chat))`,
  ),
  // English: put me through / transfer / connect / get me a person.
  rx(
    `${B}(?:get|put|transfer|connect|pass|forward|send|hand|redirect|escalate)(?: me| us| this| it| my (?:case|issue|call|chat|request))?(?: (?:over|through|on))? (?:to |with )?${gap(2)}${HUMAN_EN}${E}`,
  ),
  rx(`${B}(?:put|get|transfer|connect) me (?:through|across)${E}`),
  rx(
    `${B}(?:speak|talk|chat|connect me|put me through|transfer me|pass me|send me) (?:to|with) (?:the |your |tech |technical |customer )?support${E}`,
  ),
  // English: a person calls me back.
  rx(
    `${B}(?:someone|somebody|anyone|an? (?:agent|person|human|manager|representative)|one of your (?:agents|staff|team))(?: from (?:the )?[\\p{L}]+)? (?:to |can |could |please |should )?(?:call|phone|ring|contact|email|text|get back to|reach) (?:me|us)${E}`,
  ),
  rx(
    `${B}(?:ask|get|have|tell) ${gap(3)}${HUMAN_EN} to (?:call|phone|ring|contact|email|text|get back to|reach) (?:me|us)${E}`,
  ),
  // "call me back", but not "you can call me Sam".
  rx(
    `${B}(?:call|ring|phone) me(?: back)?(?= *(?:$|[.!?,;]|back|asap|now|today|tomorrow|please|pls|plz|urgently|later|as soon|on |at |when |about |regarding |before |after |or |and ))`,
  ),
  rx(`${B}(?:a |request a |want a |need a )?call ?-?back${E}`),
  // English: I want / need a person.
  rx(
    `${B}(?:want|need|would like|i'?d like|prefer|demand|request|require|looking for|give me|ask for|asking for)(?: to (?:have|get))? (?:a |an |the |your |some |to )?(?:(?:real|actual|live|human) )?(?:human|person|agent|manager|supervisor|representative|operator|humans|people)${E}`,
  ),
  // English: someone takes over.
  rx(
    `${B}(?:someone|somebody|a (?:human|person|colleague)|an agent|your colleague|someone else|a real person)(?: of (?:yours|your team))?(?: to| can| could| please| should)? take (?:over|my case|this over)${E}`,
  ),
  rx(`${B}hand (?:me |this |it )?over to${E}`),
  // English: saying again that a person was asked for ("Hello?? I asked for a human agent").
  rx(
    `${B}(?:i|we)(?: already| just)? (?:asked|requested|said|told you|have been asking|'?ve been asking|keep asking|am asking|'?m asking)(?: you)? (?:for|to (?:speak|talk|chat) (?:to|with))? ?(?:a |an |the |your )?(?:(?:real|actual|live|human) )?(?:human|person|agent|representative|manager|supervisor|someone|somebody)${E}`,
  ),
  // French.
  rx(
    `${B}(?:parler|discuter|echanger|m'adresser|avoir affaire|avoir|joindre|contacter)(?: directement)? (?:a |au |avec )?${gap(3)}${HUMAN_FR}${E}`,
  ),
  rx(
    `${B}(?:passez|passe|passer|mettez|mettre|transferez|transferer|redirigez|rediriger|orientez|orienter)(?:-| )?(?:moi|nous)?(?: en (?:relation|contact|ligne))? (?:a |au |avec |vers )?${gap(2)}${HUMAN_FR}${E}`,
  ),
  rx(`${B}(?:rappelez-moi|me rappeler|me recontacter|m'appeler|appelez-moi|contactez-moi|me contacter)${E}`),
  // French: someone takes over ("un collègue pourrait-il reprendre le dossier", "qu'un agent prenne le relais").
  rx(
    `${B}${HUMAN_FR} (?:[\\p{L}\\p{N}'-]+ ){0,4}?(?:reprendre|reprenne|reprend|prendre le relais|prenne le relais|prend le relais|s'occuper de (?:mon|ce|mon) (?:dossier|cas|probleme))${E}`,
  ),
  rx(
    `${B}(?:j'ai|je vous ai|je t'ai) (?:deja )?demande (?:a parler a )?(?:un |une |le |la )?(?:vrai |vraie )?(?:humain|personne|conseiller|conseillere|agent|responsable)${E}`,
  ),
  rx(
    `${B}(?:(?:je veux|je voudrais|je souhaite|je souhaiterais|j'aimerais|je demande|il me faut|donnez-moi) |j'ai besoin d')${gap(2)}(?:un |une |le |la |l')?(?:vrai |vraie )?(?:humain|personne|conseiller|conseillere|agent|responsable|operateur|manager|quelqu'?un)${E}`,
  ),
  // Arabic: speak with a person.
  rx(
    `${B}[وف]?(?:ب|ح|رح |راح )?(?:اكلم|كلم|نكلم|تكلم|اتكلم|نتكلم|احكي|نحكي|حكي|اتحدث|نتحدث|التحدث|اتواصل|نتواصل|التواصل|تواصل|اخاطب)(?:وا)? (?:مع |الى |ل|ب|على )?${gap(2)}${AR}${HUMAN_AR}`,
  ),
  // Arabic: transfer / connect me to a person.
  rx(
    `${B}[وف]?(?:حولني|حولوني|تحولني|حولنا|وصلني|وصلوني|توصلني|اربطني|عطني|عطوني|اعطني|اعطوني|جيبلي|جيبولي|ابعتولي|ابعثولي|ابعتلي|تبعتولي|تبعتلي|تبعثولي|تبعتوا لي)(?: على| الى| ل| مع| ب)? ?${gap(2)}${AR}${HUMAN_AR}`,
  ),
  // Arabic: (a person) call me.
  rx(
    `${B}[وف]?(?:اتصلوا|اتصلو|اتصل|يتصل|تتصلوا|كلموني|كلمني|يكلمني|رنوا|رن|يرن|دقوا|دق|يدق|تواصلوا|يتواصل)(?: معي| بي| فيني| علي| عليا| لي)${E}`,
  ),
  rx(`${B}[وف]?(?:كلموني|رنولي|رنلي|اتصلولي|دقولي|اتصلوا علي)${E}`),
  // Arabic: I want a person.
  rx(
    `${B}[وف]?(?:ابي|ابغى|ابغي|بدي|اريد|عايز|عاوز|ودي|حاب|حابب|محتاج|احتاج|بغيت|نبي|نبغى|بدنا|نريد) ${gap(1)}${AR}(?:موظف|انسان|شخص حقيقي|مسوول|مدير|مشرف|ممثل|احد الموظفين|خدمه العملاء|بشري|بني ادم|بنادم|فني|مستشار)`,
  ),
  // Arabic: asking again for a person ("صار لي عشر دقايق اطلب موظف", "طلبت موظف").
  rx(
    `${B}[وف]?(?:طلبت|اطلب|بطلب|عم اطلب|نطلب|طالب) ${gap(1)}${AR}(?:موظف|انسان|شخص|مسوول|مدير|مشرف|بني ادم)`,
  ),
  // Arabizi.
  rx(
    `${B}(?:b|n)?(?:e7ki|ehki|a7ki|ahki|7ki|e7ke|a7ke|et7adath|atkalam|etkal+am|ak+al+em|kal+em|kalim|7aw+elni|7awalni|was+elni|wasalni)(?: (?:ma3|m3|ma|3ala|la|3a))? ${gap(1)}${HUMAN_ARABIZI}${E}`,
  ),
  rx(`${B}(?:baddi|badde|biddi|bidi|bade|abi|abgha|abga|3ayez|3awez|baddna) ${gap(1)}${HUMAN_ARABIZI}${E}`),
  // A call: "give me a ring", "get in touch", "an advisor calls me", "call my room", "take my call".
  rx(
    `${B}(?:give (?:me|us) a (?:ring|call|buzz)|get in touch(?: with (?:me|us))?|(?:calls?|rings?|phones?) (?:me|us|my (?:room|phone|mobile|cell))|take my call)${E}`,
  ),
  // Passed on to a team: "can I be connected to the baggage people", "pass me to the team handling…".
  rx(
    `${B}(?:connected|transferred|put through|passed|redirected|forwarded|referred|escalated|sent) (?:me |this |it )?(?:on |over |through )?to ${gap(3)}${HUMAN_EN}${E}`,
  ),
  rx(
    `${B}(?:escalate|raise|refer|pass|forward|send|transfer) (?:this|it|my (?:case|complaint|request|issue|file)|the (?:case|matter|issue))(?: up)? to ${gap(2)}${HUMAN_EN}${E}`,
  ),
  // Who to talk to: "how do I reach a human?", "who do I talk to", "à qui je m'adresse", "اكلم مين".
  rx(
    `${B}(?:how (?:do|can|could) (?:i|we) (?:reach|contact|get hold of|get through to|talk to|speak to|speak with|talk with)|who (?:do|can|should|could) (?:i|we) (?:talk|speak|complain) (?:to|with))${E}`,
  ),
  rx(`${B}a qui (?:je m'adresse|(?:dois-je|je dois|puis-je|je peux) (?:m'adresser|parler|ecrire))`),
  rx(
    `${B}(?:مع مين|مين) (?:احكي|بحكي|اكلم|بكلم|اتكلم|اتواصل|اتحدث)|${B}(?:اكلم|احكي مع|اتكلم مع|بحكي مع|اتواصل مع) مين`,
  ),
  rx(`${B}(?:(?:akalem|akallem|b7ke|e7ke|atkallem)(?: ma3)? min|ma3 min (?:b7ke|e7ke|akalem|atkallem))${E}`),
  // Arabic: someone calls or answers me ("حد يكلمني", "اطلبوا من أحد الاتصال بي").
  rx(
    `${B}(?:حد|حدا|احد|موظف|مسوول)(?: من [\\p{L}]+)? (?:يكلمني|يتصل بي|يتصل فيني|يتصل علي|يرن علي|يحكيني|يرد علي|يرد عليا|يتواصل معي|يراسلني|الاتصال بي|التواصل معي)`,
  ),
  // Someone else should handle it: "let a colleague handle this", "have an agent review my booking", "qu'un humain regarde".
  rx(
    `${B}(?:let|have|get) (?:a |an |your |one of your |the )?(?:colleague|agent|human|person|someone|supervisor|manager|advis[eo]r|specialist|real person) (?:handle|deal with|look at|review|check|take|see to)${E}`,
  ),
  rx(
    `${B}(?:qu'un|qu'une) (?:vrai |vraie )?(?:humain|conseiller|conseillere|agent|personne|responsable|collegue) (?:regarde|s'occupe|traite|verifie|reprenne|m'appelle|me rappelle|me contacte|me reponde)`,
  ),
  // French: explaining or passing to someone ("expliquer ça à un agent", "transmettre ma demande à un collègue").
  rx(
    `${B}(?:expliquer|explique|exposer|raconter)(?: ca| cela| mon probleme| le probleme| tout)? (?:a|avec) (?:un|une|le|la|votre) ${HUMAN_FR}${E}`,
  ),
  rx(
    `${B}(?:transmettre|transmettez|transferer|transferez|faire suivre|remonter)(?: ma| mon| la| le)? (?:demande|reclamation|dossier|plainte|probleme|cas) (?:a|au|vers) ${gap(2)}${HUMAN_FR}${E}`,
  ),
  rx(`${B}(?:mis|mise|mettre|mettez-moi) en (?:relation|contact) avec ${gap(2)}${HUMAN_FR}${E}`),
  rx(
    `${B}(?:me |m')(?:faire )?(?:passer|rediriger|orienter|transferer) (?:a|au|vers|le|la) ${gap(2)}${HUMAN_FR}${E}`,
  ),
  // Arabic: handing the case on ("أرجو إحالة شكواي إلى شخص", "حولوا الشكوى لحد", "توصيلي بقسم").
  rx(
    `${B}[وف]?(?:احاله|احالة|توصيلي|حولوا|صعد|صعدوا|ترفع|تصعد|ارفعوا|ارفع|جيبوا لي|جيبولي|هاتولي|هات لي)(?: ${gap(3)})? ?${AR}(?:${HUMAN_AR})`,
  ),
  // A person, then "now": "un CONSEILLER. Maintenant.", "موظف. الآن", "HUMAN. AGENT. NOW."
  rx(
    `(?:^|[.!?:;,،] ?)(?:an? |un |une |le |la |the |your |votre )?${alt([`${B}${HUMAN_EN}`, `${B}${HUMAN_FR}`, `${AR}${HUMAN_AR}`])} ?[.!:،,]+ ?(?:now|right now|immediately|maintenant|tout de suite|الان|الحين|دلوقتي|هلق|حالا|halla2)${E}`,
  ),
  // Wanting a person, a few words apart: "I want a living, breathing human", "je veux votre supérieur".
  rx(
    `${B}(?:i (?:want|need|demand)|je (?:veux|voudrais|demande|exige)) (?:a |an |your |the |votre |un |une |le |la )?(?:[\\p{L},]+ ){0,3}?(?:human|person|superior|supervisor|manager|humain|superieur|responsable|conseiller|personne)${E}`,
  ),
];

/** A message that is nothing but a person's title: "human please", "agent!", "un conseiller svp". */
const BARE_REQUEST = rx(
  `^[^\\p{L}\\p{N}]*(?:(?:transfer|transfert|transferer) (?:to|vers) )?(?:an? |un |une |le )?(?:human|agent|representative|operator|real person|live agent|humain|conseiller|conseillere|operat(?:eur|rice)|موظف|مسوول)(?: please| pls| plz| svp| stp| s'il vous plait| لو سمحت| من فضلك)?[^\\p{L}\\p{N}]*$`,
);

/** "Are you a bot?", "am I talking to a real person?": questions about who answers, not requests. */
const IDENTITY_QUESTION = rx(
  `${alt([
    `${B}(?:are|r) (?:you|u)(?: an?)? (?:real|human|bot|robot|person|machine|ai)${E}`,
    `${B}am i (?:talking|speaking|chatting) (?:to|with)`,
    `${B}is (?:this|it|that) an? (?:bot|robot|real|human|person|machine)`,
    `${B}(?:etes-vous|vous etes|tu es|est-ce) (?:un|une) (?:robot|humain|vraie|vrai|machine|bot)`,
    `${B}(?:هل )?(?:انت|انتي) (?:بوت|روبوت|انسان|حقيقي|بشر|الي)`,
    `${B}(?:enta|inta|inti) (?:bot|robot|insan|7a2i2i)`,
  ])}`,
);

const MANAGER = rx(
  `${B}(?:managers?|supervisors?|boss|responsables?|superieurs?|directeurs?|مدير|المدير|مشرف|مسوول)`,
);

export interface HumanRequest {
  span: Span;
  confidence: number;
  /** Asking for a manager or supervisor: a sign of a complaint, used by the emotion rules. */
  manager: boolean;
}

/** "Do I need to speak to an agent to…?": asking how things work, not asking for a person. */
const PROCESS_QUESTION_BEFORE = rx(
  `${alt([
    `${B}(?:do|would|will) (?:i|we) (?:need|have) to ?$`,
    `${B}(?:should|must) (?:i|we) ?$`,
    `${B}is it (?:necessary|required|mandatory) to ?$`,
    `${B}(?:dois-je|faut-il|est-ce qu'il faut|je dois) ?$`,
    `${B}(?:لازم|يجب ان|هل يجب ان|هل لازم) ?$`,
  ])}`,
);

function isProcessQuestion(text: string, span: Span): boolean {
  const before = text.slice(Math.max(0, span.start - 30), span.start);
  return matches(PROCESS_QUESTION_BEFORE, before) && text.includes('?', span.start);
}

function isIdentityQuestion(text: string, span: Span): boolean {
  const sentence = sentenceAt(text, span.start);
  return matches(IDENTITY_QUESTION, text.slice(sentence.start, sentence.end));
}

/** Any word for a person, in any of the languages. */
const PERSON_WORD = rx(
  `${alt([`${B}${HUMAN_EN}${E}`, `${B}${HUMAN_FR}${E}`, `${AR}${HUMAN_AR}`, `${B}${HUMAN_ARABIZI}${E}`])}`,
);

/**
 * Words one of the requests above needs: a person, or a call, a hand-over or a "who". A message without any
 * skips the ~45 request patterns (most of the rules' time).
 */
const TRIGGER = rx(
  `${alt([
    PERSON_WORD.source,
    `${B}(?:through|across|calls?|ring|phone|callback|call-back|hand|touch|rappel\\p{L}*|appel\\p{L}*|contact\\p{L}*|who|qui|min)${E}`,
    '(?:تصل|كلمو|كلمن|يكلم|رنو|رنل|يرن|دقو|دقل|يدق|تواصل|مين)',
  ])}`,
);

/** The first request for a person in normalised `text`, if any. */
export function findHumanRequest(text: string): HumanRequest | undefined {
  if (!matches(TRIGGER, text)) return undefined;
  if (matches(BARE_REQUEST, text)) {
    return { span: { start: 0, end: text.length }, confidence: 0.75, manager: false };
  }
  const candidates = HUMAN_REQUESTS.flatMap((re) => findAll(text, re)).sort((a, b) => a.start - b.start);
  for (const span of candidates) {
    if (isNegatedAt(text, span.start)) continue;
    if (isIdentityQuestion(text, span) || isProcessQuestion(text, span)) continue;
    const words = text.slice(span.start, span.end);
    const manager = matches(MANAGER, words);
    return { span, confidence: 0.9, manager };
  }
  return undefined;
}

/** "Do I have to call an agent to add an infant?": how things work, not a request for a person now. */
const PROCESS_QUESTION = rx(
  `${alt([
    `${B}(?:do|would|will|should|must) (?:i|we) (?:need|have) to (?:call|phone|contact|speak (?:to|with)|talk (?:to|with)|go through|see|ask) (?:an? |the |your )?(?:agent|advis[eo]r|representative|person|someone|human|staff|call cent(?:re|er))`,
    `${B}(?:faut-il|dois-je|est-ce qu'il faut|il faut) (?:appeler|contacter|passer par|parler a|voir) (?:un |une |le |la )?(?:agent|conseiller|conseillere|humain|service client)`,
    `${B}(?:لازم|هل يجب ان|هل لازم|يجب ان) (?:اكلم|اتصل ب|اتصل على|اتواصل مع|احكي مع) (?:ال)?(?:موظف|خدمه العملاء)`,
    `${B}lazem (?:e7ke|akalem|atasel) ma3 (?:mwazzaf|mowazaf|7ada|7ad)`,
  ])}`,
);

/**
 * Whether the rules saw a person mentioned and ruled a request out: a refused or negated request ("I don't
 * need an agent", "ما ابي اكلم احد"), a question about who answers ("are you a bot?"), or how things work ("do
 * I need to call an agent to…?"). The learned model may not add SPEAK_TO_HUMAN then.
 */
export function humanRequestRuledOut(text: string): boolean {
  const triggered = matches(TRIGGER, text);
  const candidates = triggered ? HUMAN_REQUESTS.flatMap((re) => findAll(text, re)) : [];
  if (
    candidates.some(
      (span) =>
        isNegatedAt(text, span.start) || isIdentityQuestion(text, span) || isProcessQuestion(text, span),
    )
  ) {
    return true;
  }
  if (matches(IDENTITY_QUESTION, text)) return true;
  if (matches(PROCESS_QUESTION, text)) return true;
  return findAll(text, PERSON_WORD).some((span) => isNegatedAt(text, span.start, { window: 6 }));
}
