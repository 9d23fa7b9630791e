// GraphQL errors as people read them: a translated title for the error code, the server's own words,
// and the code itself for whoever reports the problem.
import type { CombinedError } from 'urql';
import { useI18n, type ErrorCode } from './i18n.js';

export interface Problem {
  code: ErrorCode;
  /** The code as the server sent it (may be one the console does not know). */
  rawCode: string;
  message: string;
}

const KNOWN: readonly ErrorCode[] = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'TOO_MANY_SUBSCRIPTIONS',
  'INTERNAL_SERVER_ERROR',
  'NETWORK',
];

const known = (code: string): ErrorCode => KNOWN.find((candidate) => candidate === code) ?? 'UNKNOWN';

export function problemsOf(error: CombinedError | Error | undefined | null): Problem[] {
  if (!error) return [];
  if ('graphQLErrors' in error) {
    const problems: Problem[] = error.graphQLErrors.map((graphQLError) => {
      const code =
        typeof graphQLError.extensions.code === 'string' ? graphQLError.extensions.code : 'UNKNOWN';
      return { code: known(code), rawCode: code, message: graphQLError.message };
    });
    if (error.networkError) {
      problems.push({ code: 'NETWORK', rawCode: 'NETWORK', message: error.networkError.message });
    }
    return problems;
  }
  return [{ code: 'UNKNOWN', rawCode: 'UNKNOWN', message: error.message }];
}

export function ErrorBanner({
  error,
  overrides,
  onDismiss,
}: {
  error: CombinedError | Error | undefined | null;
  /** A better title for a code in this place (e.g. UNAUTHENTICATED on the sign-in form). */
  overrides?: Partial<Record<ErrorCode, string>>;
  onDismiss?: () => void;
}) {
  const { t } = useI18n();
  const problems = problemsOf(error);
  if (problems.length === 0) return null;
  return (
    <div className="error" role="alert" data-testid="error">
      <ul className="error__list">
        {problems.map((problem, index) => {
          // A sentence written for this place says it all: not repeated by the server's words and code.
          const override = overrides?.[problem.code];
          return (
            <li key={index} data-testid="error-item" data-code={problem.rawCode}>
              <strong className="error__title">{override ?? t.errors[problem.code]}</strong>
              {!override && problem.message && <span className="error__message">{problem.message}</span>}
              {!override && <code className="error__code">{problem.rawCode}</code>}
            </li>
          );
        })}
      </ul>
      {onDismiss && (
        <button type="button" className="button button--ghost error__dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
