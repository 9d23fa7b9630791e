import { B, E, findFirst, rx, type Span } from './matcher.js';

/**
 * UNANSWERED: the bot's last reply says it does not know, cannot help or did not understand (however calm the
 * customer stays), or the customer says the bot answered something else or did not understand.
 */

const BOT_FALLBACK: readonly RegExp[] = [
  // English
  rx(
    `${B}(?:i|we) (?:(?:really|honestly|still) )?(?:do ?n'?t|do not|did ?n'?t|did not|could ?n'?t|could not|can'?t|cannot|am not able to|'?m not able to|am unable to|'?m unable to|was unable to|was not able to)(?: quite| fully)? (?:understand|get|catch|follow|know|help|assist|answer|access|have (?:any |the |that |enough |an? )?(?:info|information|details|answer|access|data))`,
  ),
  rx(`${B}not (?:sure|certain) (?:i|what you|that i) (?:understand|understood|mean|follow|can help)`),
  rx(`${B}not (?:sure|certain) (?:how|what) (?:to|i can) (?:help|answer|assist|say)`),
  rx(`${B}(?:rephrase|reword|try asking (?:it )?(?:differently|another way|in a different way))`),
  rx(`${B}(?:could|can|would) you (?:please )?(?:clarify|say that again|try again)`),
  rx(`${B}(?:outside|beyond) (?:my|of my|the) (?:scope|knowledge|expertise)`),
  rx(`${B}(?:unable|not able) to (?:help|assist|answer|process|understand)`),
  rx(`${B}(?:no|don'?t have) (?:information|info|answer|data|details) (?:about|on|for|regarding)`),
  rx(`${B}i'?m (?:just )?an? (?:bot|virtual assistant|ai) and (?:can'?t|cannot)`),
  rx(
    `${B}(?:i(?:'m| am) (?:still learning|not (?:trained|able|programmed))|i can only (?:help|answer|assist)|(?:could|can)(?:n'?t| not) find (?:an? )?answer|not sure about that)`,
  ),
  // French
  rx(
    `${B}(?:je n'ai pas (?:bien )?compris|je ne (?:comprends|comprend) pas|je ne suis pas (?:sur|certaine?) de (?:bien )?comprendre)`,
  ),
  rx(
    `${B}je ne (?:peux|pourrai|suis pas en mesure de) (?:pas )?(?:vous |t')?(?:aider|repondre|renseigner|traiter)`,
  ),
  rx(
    `${B}(?:je ne sais pas|je n'ai pas (?:d'|l'|cette |les |la |de )?(?:informations?|infos?|reponse|acces))`,
  ),
  rx(`${B}(?:reformuler|(?:pas en mesure|impossible) de (?:vous )?(?:aider|repondre|renseigner))`),
  rx(`${B}(?:hors|en dehors) de mon (?:champ|domaine|perimetre)`),
  rx(
    `${B}(?:(?:pouvez|pourriez)-vous (?:repeter|reformuler)|je n'ai pas (?:bien )?saisi|je ne (?:reponds|peux repondre) qu'|je ne suis pas (?:encore )?(?:forme|programme)|je crains de ne pas (?:le )?savoir|je ne connais pas (?:encore )?la reponse|je ne suis pas (?:sur|certaine?)|depasse ce que je (?:peux|sais))`,
  ),
  // Arabic
  rx(
    `${B}(?:لم|ما|مو|مش|لا) ?(?:افهم|فهمت|فاهم|نفهم|اعرف|بعرف|اعلم|ادري|اقدر اساعد|استطيع|يمكنني|نقدر|نستطيع)`,
  ),
  rx(
    `${B}(?:لا|ما) (?:املك|عندي|لدي|يتوفر لدي|تتوفر لدي|يوجد لدي|اعرف) (?:اي )?(?:معلومات|معلومه|اجابه|جواب|علم|فكره)`,
  ),
  rx(`${B}ليس (?:لدي|عندي) (?:اي )?(?:معلومات|معلومه|اجابه|جواب)`),
  rx(`${B}(?:اعاده صياغه|صياغه سوالك|توضيح سوالك|وضح سوالك|خارج (?:نطاق|اختصاص))`),
  rx(`${B}(?:لست متاكدا|لست متاكد|لا اعرف الاجابه|ليس لدي اجابه|لا يمكنني المساعده|لا استطيع قراءه)`),
];

const CUSTOMER_SAYS_UNANSWERED: readonly RegExp[] = [
  // English
  rx(
    `${B}(?:that'?s|that is|this is|it'?s|it is)(?: still)? not (?:what i (?:asked|meant|said|wanted|am asking|'?m asking)|my question|the question|an answer|what i'?m asking)`,
  ),
  rx(`${B}not what i (?:asked|meant|was asking)`),
  rx(`${B}(?:you )?(?:did ?n'?t|did not|never|do ?n'?t|don'?t) (?:even )?answer(?:ed)? (?:my|the) question`),
  rx(`${B}answer (?:my|the) (?:question|message)`),
  rx(
    `${B}(?:you|u)(?:'re| are| r)? (?:clearly |obviously |just |really |even )?(?:not|do ?n'?t|do not|aren'?t|did ?n'?t|never) (?:understand|understanding|get it|getting it|listening|reading|read)`,
  ),
  rx(`${B}i asked (?:you |about |if |whether |for the |a simple |a question|when |how )`),
  rx(`${B}(?:you )?(?:answered|replied to|responded to) (?:something|a different|another)`),
  rx(`${B}(?:so|i guess|i suppose) you (?:do ?n'?t|can'?t|cannot) (?:know|help|answer)`),
  rx(`${B}(?:that|this|it) (?:does ?n'?t|does not|did ?n'?t|did not) (?:answer|help)`),
  rx(`${B}(?:irrelevant|wrong answer|read my (?:question|message))${E}`),
  rx(`${B}you misunderst(?:ood|and)`),
  rx(`${B}i (?:already |just )?told you${E}`),
  rx(
    `${B}(?:instead of answering|(?:did ?n'?t|do ?n'?t|does ?n'?t) (?:get|understand) my question|(?:do|did) you (?:even )?read (?:my|what i)|read what i (?:wrote|write)|(?:keep|kept) (?:answering|telling me|sending me)|(?:not|nothing to do with|un)related to (?:my|the) question|has nothing to do with (?:my|the) question|not (?:at all |really |even )?what i (?:asked|meant|said|was asking))`,
  ),
  // French
  rx(
    `${B}(?:ce n'est|c'est|c est) pas (?:ce que j'ai demande|ma question|la question|ce que je (?:demande|voulais)|une reponse)`,
  ),
  rx(
    `${B}(?:vous|tu) (?:ne |n')?(?:comprenez|comprends|repondez|reponds|avez compris|as compris) (?:pas|rien|mal)`,
  ),
  rx(`${B}(?:repondez|reponds) (?:a ma|a la) question`),
  rx(
    `${B}(?:j'ai demande|je (?:vous|t')ai demande|je (?:vous|t')ai pose) (?:si|quand|combien|comment|pourquoi|ou|une question)`,
  ),
  rx(
    `${B}(?:ma question (?:etait|c'etait)|(?:ca|cela|ce que vous dites|votre reponse)(?: n'a| a)? rien a voir|rien a voir avec (?:ma|la|mes) (?:question|demande)|a cote de la plaque)`,
  ),
  rx(
    `${B}(?:j'ai demande|je demandais) (?:pour|au sujet d|a propos d|des |les |le |la |l')[^.!?]{1,40}?,? pas `,
  ),
  rx(`${B}i (?:asked|was asking) (?:about|for) [^.!?]{1,40}?,? not `),
  rx(`${B}je (?:vous|te) (?:l'|les )?ai (?:deja )?dit${E}`),
  rx(
    `${B}(?:(?:m'avez|m'as) mal compris|mal compris (?:ma|la) question|lisez (?:mon message|ma question|ce que j'ecris)|vous lisez (?:ce que|mes messages|au moins)|au lieu de repondre|(?:ca|cela) ne repond pas|(?:aucun|pas de|n'a aucun|n'a rien a voir (?:avec|en)) rapport|n'a rien a voir avec ma question|repondez (?:a cote|toujours a cote)|pas (?:du tout |vraiment )?(?:ce que|ma question))`,
  ),
  // Arabic
  rx(
    `${B}(?:مش|مو|ليس|ماهو|مب|هذا مش|هذا مو|هاد مش) ?(?:سوالي|اللي سالت|الي سالت|اللي سالته|اللي طلبته|قصدي)`,
  ),
  rx(`${B}(?:سالتك|سالتكم|انا سالت|سالت عن|قلت لك|قلتلك|قلتلكم|قلت لكم)`),
  rx(`${B}(?:ما|مش|مو|لم) ?(?:فهمتني|فهمت علي|بتفهم|تفهم|تفهمني|فاهم علي|فاهمني|جاوبت|جاوبتني|رديت علي)`),
  rx(`${B}(?:ما|مش|مو|ولا مره) ?(?:بتعرف|تعرف|عرفت) (?:ت)?جاوب`),
  rx(`${B}(?:جاوب(?:ني)?|رد) على سوالي`),
  rx(`${B}(?:ما له علاقه|مالوش علاقه|ملوش علاقه|فهمتني غلط)`),
  rx(
    `${B}(?:فهمت سوالي (?:غلط|خطا)|فهمتني خطا|(?:اقرا|اقري|اقراي) (?:رسالتي|سوالي|كلامي)|بدل ما (?:ترد|تجاوب)|(?:مو|مش|ليس) (?:هذا|هيدا|هاد|ده) (?:سوالي|اللي سالت|ما سالت)|هذا ليس ما سالت|مش اللي (?:انا )?سالت|لم تجب عن سوالي|بتقرا اللي بكتبه|تقرا اللي اكتبه|(?:مو|مش) جواب|هذا ليس جوابا|ده مش رد|هيدا مش جواب)`,
  ),
  // Arabizi
  rx(`${B}(?:ma|mish|mesh|mosh) (?:fhmtni|fhemtni|fahemni|fahimni|3am tefham|btefham|tefham)${E}`),
  rx(
    `${B}(?:fhemet so2ali ghalat|fhemtni ghalat|e2ra (?:risalti|so2ali)|jaweb 3ala so2ali|ma jawabt|mish hayda (?:so2ali|elli sa2alt)|hayda mish elli sa2alt|badal ma trod)`,
  ),
];

/** Whether a bot reply is a fallback: it did not know, could not help or did not understand. */
export function isBotFallback(normalizedReply: string): boolean {
  return findFirst(normalizedReply, BOT_FALLBACK) !== undefined;
}

/** The customer's words saying they were not answered, if any. */
export function findCustomerUnanswered(text: string): Span | undefined {
  return findFirst(text, CUSTOMER_SAYS_UNANSWERED);
}
