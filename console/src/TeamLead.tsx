// The team lead's view of the organization: the agents with their availability and load (conversations
// held against their limit), the escalations queue, and the SLA: the last 24 hours' warnings and breaches
// (stored, then live through slaAlert) and figures per target (monitoring, analytics access).
import { useEffect, useMemo, useState } from 'react';
import { useQuery, useSubscription, type CombinedError } from 'urql';
import { Alerts } from './Alerts.js';
import { ErrorBanner, problemsOf } from './errors.js';
import {
  ConsoleAgentsDocument,
  ConsoleSlaAlertDocument,
  ConsoleSlaAlertsDocument,
  ConsoleSlaFiguresDocument,
  type TeamSlaAlertFragment,
} from './generated/graphql.js';
import { useI18n } from './i18n.js';
import { useOnReconnect, useRefetchOn } from './live.js';
import type { EscalationQueue } from './queue.js';
import { linkTo } from './router.js';

const HOUR_MS = 3_600_000;
type SlaAlert = TeamSlaAlertFragment;

/**
 * The SLA warnings and breaches of the organization: the stored ones of the last 24 hours (read again
 * after a reconnect, so none raised meanwhile is missed) and the live ones (slaAlert), newest first. Held
 * above the views, so switching views keeps them.
 */
export function useSlaAlerts(organizationId: string): { alerts: SlaAlert[]; error: CombinedError | null } {
  const since = useMemo(() => new Date(Date.now() - 24 * HOUR_MS).toISOString(), [organizationId]);
  const [stored, refetch] = useQuery({
    query: ConsoleSlaAlertsDocument,
    variables: { organizationId, since },
  });
  useOnReconnect(() => refetch({ requestPolicy: 'network-only' }));
  const [live] = useSubscription({ query: ConsoleSlaAlertDocument, variables: { organizationId } });
  const [arrived, setArrived] = useState<SlaAlert[]>([]);
  const latest = live.data?.slaAlert;
  useEffect(() => {
    if (latest) setArrived((previous) => [latest, ...previous.filter((alert) => alert.id !== latest.id)]);
  }, [latest]);
  const node = stored.data?.node;
  const alerts = useMemo(() => {
    const kept = node?.__typename === 'Organization' ? node.slaAlerts.edges.map((edge) => edge.node) : [];
    const byId = new Map([...kept, ...arrived].map((alert) => [alert.id, alert]));
    return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 50);
  }, [node, arrived]);
  return { alerts, error: live.error ?? stored.error ?? null };
}

export function TeamLead({
  organizationId,
  queue,
  sla,
  revision,
}: {
  organizationId: string;
  queue: EscalationQueue;
  sla: ReturnType<typeof useSlaAlerts>;
  revision: number;
}) {
  const { t } = useI18n();
  return (
    <main className="layout layout--team" data-testid="team-lead">
      <Agents organizationId={organizationId} revision={revision} />
      <Alerts queue={queue} compact />
      <Sla organizationId={organizationId} live={sla} />
      <h1 className="visually-hidden">{t.team.title}</h1>
    </main>
  );
}

function Agents({ organizationId, revision }: { organizationId: string; revision: number }) {
  const { t, formatNumber } = useI18n();
  const [result, reexecute] = useQuery({ query: ConsoleAgentsDocument, variables: { organizationId } });
  const refetch = () => reexecute({ requestPolicy: 'network-only' });
  // Load moves with every takeover, release and resolution: refetch with the live feed, and after a reconnect.
  useRefetchOn(revision, refetch, 1000);
  useOnReconnect(refetch);
  const node = result.data?.node;
  const agents = node?.__typename === 'Organization' ? node.agents.edges.map((edge) => edge.node) : [];
  const available = agents.filter((agent) => agent.available).length;

  return (
    <section className="panel team-agents" aria-labelledby="team-agents-title" data-testid="team-agents">
      <header className="panel__header">
        <h2 id="team-agents-title" className="panel__title">
          {t.team.agents}
        </h2>
        <span className="muted">{t.team.availableCount(available, agents.length)}</span>
      </header>
      <ErrorBanner error={result.error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t.team.agent}</th>
            <th scope="col">{t.team.availability}</th>
            <th scope="col">{t.team.load}</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => {
            const share = agent.maxConcurrent > 0 ? agent.activeConversationCount / agent.maxConcurrent : 0;
            return (
              <tr key={agent.id} data-testid="team-agent" data-agent-id={agent.id}>
                <th scope="row" dir="auto">
                  {agent.name}
                </th>
                <td>
                  <span
                    className={`badge ${agent.available ? 'badge--ok' : 'badge--muted'}`}
                    data-testid="team-agent-availability"
                    data-available={agent.available ? 'true' : 'false'}
                  >
                    {agent.available ? t.team.available : t.team.away}
                  </span>
                </td>
                <td>
                  <span
                    className="load"
                    data-testid="team-agent-load"
                    data-active={agent.activeConversationCount}
                  >
                    <span className="load__track" aria-hidden="true">
                      <span
                        className={`load__fill${share >= 1 ? ' load__fill--full' : ''}`}
                        style={{ inlineSize: `${Math.min(100, Math.round(share * 100))}%` }}
                      />
                    </span>
                    {t.team.loadOf(
                      formatNumber(agent.activeConversationCount),
                      formatNumber(agent.maxConcurrent),
                    )}
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function last24Hours() {
  const to = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
  return { from: new Date(to - 24 * HOUR_MS).toISOString(), to: new Date(to).toISOString() };
}

function Sla({ organizationId, live }: { organizationId: string; live: ReturnType<typeof useSlaAlerts> }) {
  const { t, formatNumber, formatTime } = useI18n();
  const range = useMemo(last24Hours, [organizationId]);
  const [figures] = useQuery({ query: ConsoleSlaFiguresDocument, variables: { organizationId, ...range } });
  const alerts = live.alerts;

  const node = figures.data?.node;
  const rows = node?.__typename === 'Organization' ? node.monitoring.sla : [];
  const problems = problemsOf(figures.error);
  const noAccess = problems.length > 0 && problems.every((problem) => problem.code === 'FORBIDDEN');

  return (
    <section className="panel team-sla" aria-labelledby="team-sla-title" data-testid="team-sla">
      <header className="panel__header">
        <h2 id="team-sla-title" className="panel__title">
          {t.team.sla}
        </h2>
        <span className="muted">{t.analytics.last24h}</span>
      </header>
      {noAccess ? (
        <p className="muted">{t.analytics.noAccess}</p>
      ) : (
        <ErrorBanner error={figures.error ?? live.error} />
      )}
      {rows.length > 0 && (
        <table className="table" data-testid="team-sla-figures">
          <thead>
            <tr>
              <th scope="col">{t.team.target}</th>
              <th scope="col">{t.team.withinTarget}</th>
              <th scope="col">{t.team.breaches}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.target}>
                <th scope="row">{t.team.targets[row.target]}</th>
                <td>
                  {row.withinTargetShare === null
                    ? '—'
                    : `${formatNumber(row.withinTargetShare * 100)}% (${formatNumber(row.withinTarget)}/${formatNumber(row.measured)})`}
                </td>
                <td>{formatNumber(row.breaches)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 className="section-title">{t.team.slaAlerts}</h3>
      <div aria-live="polite" data-testid="team-sla-alerts">
        {alerts.length === 0 ? (
          <p className="muted">{t.team.noSlaAlerts}</p>
        ) : (
          <ul className="sla-alerts">
            {alerts.map((alert) => (
              <li
                key={alert.id}
                className={`sla-alert sla-alert--${alert.kind.toLowerCase()}`}
                data-testid="team-sla-alert"
                data-kind={alert.kind}
              >
                <span className={`badge ${alert.kind === 'BREACH' ? 'badge--alert' : 'badge--warn'}`}>
                  {t.team.kinds[alert.kind]}
                </span>{' '}
                {t.team.targets[alert.target]} ·{' '}
                <a {...linkTo({ name: 'conversation', conversationId: alert.conversation.id })} dir="auto">
                  {alert.conversation.contact?.name ??
                    alert.conversation.contact?.phone ??
                    t.inbox.unknownCustomer}
                </a>{' '}
                <span className="muted">
                  {alert.conversation.appService.name} · {t.team.due(formatTime(alert.dueAt))}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
