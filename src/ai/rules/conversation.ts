import { type ContextMessage } from '../classification.js';
import { normalizeWithMap, type NormalizedText } from '../text-normalize.js';

/** Facts read from the earlier messages of the conversation. */

export interface NormalizedContext {
  readonly sender: ContextMessage['sender'];
  readonly normalized: NormalizedText;
}

export function normalizeContext(context: readonly ContextMessage[]): NormalizedContext[] {
  return context.map((m) => ({ sender: m.sender, normalized: normalizeWithMap(m.text) }));
}

/**
 * The bot's last reply, when it is still the last word on the customer's side of things: an agent who
 * replied after the bot has taken over, so the bot's failure no longer stands.
 */
export function lastBotReply(context: readonly NormalizedContext[]): NormalizedText | undefined {
  for (let i = context.length - 1; i >= 0; i -= 1) {
    const message = context[i];
    if (!message || message.sender === 'customer') continue;
    return message.sender === 'bot' ? message.normalized : undefined;
  }
  return undefined;
}

/** The customer's most recent earlier message. */
export function previousCustomerMessage(context: readonly NormalizedContext[]): NormalizedText | undefined {
  for (let i = context.length - 1; i >= 0; i -= 1) {
    const message = context[i];
    if (message?.sender === 'customer' && message.normalized.text.trim()) return message.normalized;
  }
  return undefined;
}

const STOPWORDS = new Set(
  (
    'this that with have what your about from they there where when which would could should please thanks ' +
    'just them then than been were will into also only some want need know like does pour avec dans vous votre ' +
    'nous mais est-ce quoi quel quelle cette sont elle etre avoir faire merci bonjour هذا هذي هاد اللي الي ' +
    'عندكم عندك ممكن كيف ليش متى وين شنو ايش'
  ).split(' '),
);

function contentWords(text: string): Set<string> {
  const words = text.match(/[\p{L}\p{N}']+/gu) ?? [];
  return new Set(
    words.filter((w) => {
      const arabic = /\p{Script=Arabic}/u.test(w);
      return w.length >= (arabic ? 3 : 4) && !STOPWORDS.has(w);
    }),
  );
}

/** Whether two messages share a content word: the customer is saying again what they said before. */
export function sharesContentWords(a: NormalizedText, b: NormalizedText): boolean {
  const first = contentWords(a.text);
  for (const word of contentWords(b.text)) if (first.has(word)) return true;
  return false;
}
