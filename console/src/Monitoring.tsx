// The app service's monitoring numbers over the last 24 hours, hour by hour, and the customers' emotion
// mix, as small charts. Refreshed a moment after live activity.
import { useMemo } from 'react';
import { useQuery } from 'urql';
import { Bars, Columns, EMOTION_COLORS } from './Charts.js';
import { ErrorBanner, problemsOf } from './errors.js';
import { ConsoleAnalyticsDocument, type Emotion } from './generated/graphql.js';
import { useI18n } from './i18n.js';
import { useRefetchOn } from './live.js';

const HOUR_MS = 3_600_000;
const EMOTIONS: readonly Emotion[] = ['ANGRY', 'DISAPPOINTED', 'NEUTRAL', 'HAPPY', 'SATISFIED'];

/** "14:00" in the browser's time zone, Latin digits in both languages (like the other times). */
function formatHour(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false }).format(
    new Date(iso),
  );
}

function last24Hours() {
  const to = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
  return { from: new Date(to - 24 * HOUR_MS).toISOString(), to: new Date(to).toISOString() };
}

export function Monitoring({ appServiceId, revision }: { appServiceId: string; revision: number }) {
  const { t, formatNumber, formatTime } = useI18n();
  const range = useMemo(last24Hours, [appServiceId]);
  const [result, reexecute] = useQuery({
    query: ConsoleAnalyticsDocument,
    variables: { appServiceId, ...range },
  });
  useRefetchOn(revision, () => reexecute({ requestPolicy: 'network-only' }), 2000);

  const node = result.data?.node;
  const appService = node?.__typename === 'AppService' ? node : null;
  const problems = problemsOf(result.error);
  const noAccess = problems.length > 0 && problems.every((problem) => problem.code === 'FORBIDDEN');

  const hours = appService?.monitoringSeries.map((bucket) => formatHour(bucket.start)) ?? [];
  const minutes = (seconds: number | null) =>
    seconds === null ? '—' : t.analytics.minutes(formatNumber(seconds / 60, 1));

  return (
    <section className="panel monitoring" aria-labelledby="monitoring-title" data-testid="monitoring">
      <header className="panel__header">
        <h2 id="monitoring-title" className="panel__title">
          {t.analytics.title}
        </h2>
        <span className="muted">{t.analytics.last24h}</span>
      </header>
      {noAccess ? (
        <p className="muted panel__body" data-testid="monitoring-no-access">
          {t.analytics.noAccess}
        </p>
      ) : (
        <ErrorBanner error={result.error} />
      )}
      {appService && (
        <div className="panel__body">
          <dl className="tiles" data-testid="monitoring-tiles">
            <div className="tile" data-testid="tile-sessions">
              <dt>{t.analytics.sessions}</dt>
              <dd>{formatNumber(appService.monitoring.numberOfChatSessions)}</dd>
            </div>
            <div className="tile" data-testid="tile-messages">
              <dt>{t.analytics.messages}</dt>
              <dd>{formatNumber(appService.monitoring.numberOfMessages)}</dd>
            </div>
            <div className="tile" data-testid="tile-escalated">
              <dt>{t.analytics.escalated}</dt>
              <dd>{formatNumber(appService.monitoring.escalatedConversations)}</dd>
            </div>
            <div className="tile" data-testid="tile-resolved">
              <dt>{t.analytics.resolved}</dt>
              <dd>{formatNumber(appService.monitoring.issuesResolved)}</dd>
            </div>
            <div className="tile">
              <dt>{t.analytics.resolutionTime}</dt>
              <dd>{minutes(appService.monitoring.resolutionTime)}</dd>
            </div>
            <div className="tile">
              <dt>{t.analytics.firstResponse}</dt>
              <dd>{minutes(appService.monitoring.firstResponseTime)}</dd>
            </div>
          </dl>
          <h3 className="section-title">{t.analytics.messagesPerHour}</h3>
          <Columns
            label={t.analytics.messagesPerHour}
            testId="chart-messages"
            xLabels={hours}
            formatValue={(value) => formatNumber(value)}
            points={appService.monitoringSeries.map((bucket) => ({
              value: bucket.numberOfMessages,
              title: `${formatTime(bucket.start)}: ${formatNumber(bucket.numberOfMessages)}`,
            }))}
          />
          <h3 className="section-title">{t.analytics.escalationsPerHour}</h3>
          <Columns
            label={t.analytics.escalationsPerHour}
            testId="chart-escalations"
            xLabels={hours}
            formatValue={(value) => formatNumber(value)}
            points={appService.monitoringSeries.map((bucket) => ({
              value: bucket.escalatedConversations,
              color: '#d64545',
              title: `${formatTime(bucket.start)}: ${formatNumber(bucket.escalatedConversations)}`,
            }))}
          />
          <h3 className="section-title">{t.analytics.emotionMix}</h3>
          {!appService.sentimentReport || appService.sentimentReport.total === 0 ? (
            <p className="muted">{t.analytics.noData}</p>
          ) : (
            <>
              <Bars
                testId="chart-emotions"
                bars={EMOTIONS.map((emotion) => {
                  const share =
                    appService.sentimentReport?.emotions.find((entry) => entry.emotion === emotion)?.share ??
                    0;
                  return {
                    key: emotion,
                    label: t.emotions[emotion],
                    share,
                    value: `${formatNumber(share * 100)}%`,
                    color: EMOTION_COLORS[emotion],
                  };
                })}
              />
              {appService.sentimentReport.averageScore !== null && (
                <p className="muted">
                  {t.analytics.averageScore}: {formatNumber(appService.sentimentReport.averageScore, 1)}
                </p>
              )}
            </>
          )}
        </div>
      )}
    </section>
  );
}
