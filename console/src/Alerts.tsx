// Escalation alerts as they happen: the customer number, event code and time, with the customer's
// words that raised it; open the conversation, acknowledge or dismiss.
import { useState } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { ErrorBanner } from './errors.js';
import { ConsoleAcknowledgeEscalationDocument } from './generated/graphql.js';
import { useI18n } from './i18n.js';
import type { LiveFeed } from './live.js';

export function Alerts({ live, onOpen }: { live: LiveFeed; onOpen: (conversationId: string) => void }) {
  const { t, formatTime } = useI18n();
  const [state, acknowledge] = useMutation(ConsoleAcknowledgeEscalationDocument);
  const [error, setError] = useState<CombinedError | null>(null);

  const onAcknowledge = async (escalationId: string) => {
    setError(null);
    const outcome = await acknowledge({ escalationId });
    if (outcome.error) setError(outcome.error);
    const at = outcome.data?.acknowledgeEscalation.acknowledgedAt;
    if (at) live.acknowledged(escalationId, at);
  };

  return (
    <section className="panel alerts" aria-labelledby="alerts-title" data-testid="alerts">
      <header className="panel__header">
        <h2 id="alerts-title" className="panel__title">
          {t.alerts.title}
        </h2>
        {live.alerts.length > 0 && (
          <span className="badge badge--alert" data-testid="alerts-count">
            {live.alerts.length}
          </span>
        )}
      </header>
      <ErrorBanner error={error ?? live.error} onDismiss={error ? () => setError(null) : undefined} />
      {live.alerts.length === 0 ? (
        <p className="muted panel__body">{t.alerts.empty}</p>
      ) : (
        <ul className="alerts__list" aria-live="polite">
          {live.alerts.map((alert) => (
            <li
              key={alert.id}
              className={`alert${alert.acknowledgedAt ? ' alert--acknowledged' : ''}`}
              data-testid="alert"
              data-escalation-id={alert.id}
              data-conversation-id={alert.conversation.id}
            >
              <strong className="alert__type">{t.escalationTypes[alert.type]}</strong>
              <dl className="alert__facts">
                <div>
                  <dt>{t.alerts.customer}</dt>
                  <dd dir="ltr" data-testid="alert-customer">
                    {alert.customerNumber ?? alert.conversation.contact?.name ?? '—'}
                  </dd>
                </div>
                <div>
                  <dt>{t.alerts.event}</dt>
                  <dd>
                    <code data-testid="alert-event">{alert.event}</code>
                  </dd>
                </div>
                <div>
                  <dt>{t.alerts.time}</dt>
                  <dd>
                    <time dateTime={alert.createdAt} data-testid="alert-time">
                      {formatTime(alert.createdAt)}
                    </time>
                  </dd>
                </div>
              </dl>
              <blockquote className="alert__evidence" data-testid="alert-evidence">
                <span className="visually-hidden">{t.alerts.evidence}: </span>
                <bdi>{alert.evidence}</bdi>
              </blockquote>
              <div className="alert__actions">
                <button
                  type="button"
                  className="button button--small button--primary"
                  data-testid="alert-open"
                  onClick={() => onOpen(alert.conversation.id)}
                >
                  {t.alerts.open}
                </button>
                {alert.acknowledgedAt ? (
                  <span className="muted">{t.alerts.acknowledged}</span>
                ) : (
                  <button
                    type="button"
                    className="button button--small"
                    disabled={state.fetching}
                    data-testid="alert-acknowledge"
                    onClick={() => void onAcknowledge(alert.id)}
                  >
                    {t.alerts.acknowledge}
                  </button>
                )}
                <button
                  type="button"
                  className="button button--small button--ghost"
                  onClick={() => live.dismissAlert(alert.id)}
                >
                  {t.alerts.dismiss}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
