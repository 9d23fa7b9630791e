// The escalations queue: every unacknowledged escalation of the organization (all its app services),
// with the customer number, event code, time, app service and the customer's words; open the
// conversation or acknowledge it (which takes it off the queue for everyone). The live region exists
// from the start, so screen readers announce the first alert too.
import { useState } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { ErrorBanner } from './errors.js';
import { ConsoleAcknowledgeEscalationDocument } from './generated/graphql.js';
import { useI18n } from './i18n.js';
import type { EscalationQueue } from './queue.js';
import { linkTo } from './router.js';
import {
  askNotificationPermission,
  notificationState,
  setSoundEnabled,
  soundEnabled,
  type NotificationState,
} from './signals.js';

export function Alerts({ queue, compact = false }: { queue: EscalationQueue; compact?: boolean }) {
  const { t, formatTime } = useI18n();
  const [state, acknowledge] = useMutation(ConsoleAcknowledgeEscalationDocument);
  const [error, setError] = useState<CombinedError | null>(null);
  const [permission, setPermission] = useState<NotificationState>(notificationState);
  const [sound, setSound] = useState(soundEnabled);

  const onAcknowledge = async (escalationId: string) => {
    setError(null);
    const outcome = await acknowledge({ escalationId });
    if (outcome.error) setError(outcome.error);
    queue.refetch();
  };
  const latest = queue.arrived[0];

  return (
    <section
      className="panel alerts"
      aria-labelledby="alerts-title"
      data-testid="alerts"
      data-unacknowledged={queue.unacknowledged}
    >
      <header className="panel__header">
        <h2 id="alerts-title" className="panel__title">
          {t.alerts.title}
        </h2>
        {queue.unacknowledged > 0 && (
          <span className="badge badge--alert" data-testid="alerts-count">
            {queue.unacknowledged}
          </span>
        )}
      </header>
      <div className="alerts__settings">
        <button
          type="button"
          className="button button--small button--ghost"
          aria-pressed={sound}
          data-testid="alerts-sound"
          onClick={() => {
            setSoundEnabled(!sound);
            setSound(!sound);
          }}
        >
          {sound ? t.queue.soundOn : t.queue.soundOff}
        </button>
        {permission === 'default' && (
          <button
            type="button"
            className="button button--small button--ghost"
            data-testid="alerts-notify"
            onClick={() => void askNotificationPermission().then(setPermission)}
          >
            {t.queue.enableNotifications}
          </button>
        )}
        {permission === 'denied' && <span className="muted">{t.queue.notificationsBlocked}</span>}
      </div>
      {/* Present (empty) from the first render: a region that appears with its content is not read. */}
      <p className="visually-hidden" aria-live="polite" data-testid="alerts-live">
        {latest
          ? t.queue.announce(
              t.escalationTypes[latest.type],
              latest.customerNumber ?? latest.conversation.contact?.name ?? '—',
            )
          : ''}
      </p>
      <ErrorBanner error={error ?? queue.error} onDismiss={error ? () => setError(null) : undefined} />
      {queue.loaded && queue.escalations.length === 0 ? (
        <p className="muted panel__body" data-testid="alerts-empty">
          {t.alerts.empty}
        </p>
      ) : (
        <ul className={`alerts__list${compact ? ' alerts__list--compact' : ''}`}>
          {queue.escalations.map((alert) => (
            <li
              key={alert.id}
              className="alert"
              data-testid="alert"
              data-escalation-id={alert.id}
              data-conversation-id={alert.conversation.id}
              data-app-service-id={alert.conversation.appService.id}
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
                <div>
                  <dt>{t.header.appService}</dt>
                  <dd data-testid="alert-app-service">{alert.conversation.appService.name}</dd>
                </div>
              </dl>
              <blockquote className="alert__evidence" data-testid="alert-evidence">
                <span className="visually-hidden">{t.alerts.evidence}: </span>
                <bdi>{alert.evidence}</bdi>
              </blockquote>
              <div className="alert__actions">
                <a
                  className="button button--small button--primary"
                  data-testid="alert-open"
                  {...linkTo({ name: 'conversation', conversationId: alert.conversation.id })}
                >
                  {t.alerts.open}
                </a>
                <button
                  type="button"
                  className="button button--small"
                  disabled={state.fetching}
                  data-testid="alert-acknowledge"
                  onClick={() => void onAcknowledge(alert.id)}
                >
                  {t.alerts.acknowledge}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {queue.totalCount > queue.escalations.length && (
        <p className="muted" data-testid="alerts-more">
          {t.queue.more(queue.totalCount - queue.escalations.length)}
        </p>
      )}
    </section>
  );
}
