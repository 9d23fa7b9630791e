/**
 * Evidence: the customer's own words that show an escalation or an event. Shared by the local classifier
 * (local-rules.ts, learned/model.ts) and the OpenAI-compatible adapter (openai/answers.ts), which checks the
 * model's quotes against the message.
 */

const MAX_EVIDENCE = 160;

/** The customer's message as evidence when no single phrase shows it (a file, a bot failure). */
export function wholeMessageEvidence(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= MAX_EVIDENCE) return trimmed;
  const cut = trimmed.slice(0, MAX_EVIDENCE);
  const lastSpace = cut.lastIndexOf(' ');
  return lastSpace > MAX_EVIDENCE / 2 ? cut.slice(0, lastSpace) : cut;
}

const QUOTES = /^[\s"'“”‘’«»`]+|[\s"'“”‘’«»`]+$/gu;
const ELLIPSIS = /\.{3,}|…/u;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern for a quote that forgives case, runs of whitespace and straight versus curly quotes. */
function looseQuote(quote: string): RegExp {
  const source = [...quote]
    .map((ch) => {
      if (/\s/u.test(ch)) return '\\s+';
      if (/['‘’`]/u.test(ch)) return "['‘’`]";
      if (/["“”«»]/u.test(ch)) return '["“”«»]';
      return escapeRegExp(ch);
    })
    .join('')
    .replace(/(?:\\s\+)+/g, '\\s+');
  return new RegExp(source, 'iu');
}

function locateFragment(text: string, fragment: string): string | undefined {
  const quote = fragment.replace(QUOTES, '');
  if (!quote) return undefined;
  if (text.includes(quote)) return quote;
  return looseQuote(quote).exec(text)?.[0];
}

/**
 * The model's evidence as it stands in the customer's message: exact, or found again despite case, spacing or
 * quotes; a quote stitched with "…" keeps its longest part found. Undefined when the words are not there.
 */
export function locateEvidence(text: string, evidence: string): string | undefined {
  const whole = locateFragment(text, evidence);
  if (whole !== undefined || !ELLIPSIS.test(evidence)) return whole;
  const parts = evidence
    .split(ELLIPSIS)
    .map((part) => locateFragment(text, part))
    .filter((part): part is string => part !== undefined);
  return parts.sort((a, b) => b.length - a.length)[0];
}
