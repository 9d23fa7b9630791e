// The app service's conversations, escalated ones still being worked on first, kept up to date by the
// live feed.
import { useQuery } from 'urql';
import { ErrorBanner } from './errors.js';
import {
  ConsoleInboxDocument,
  type ConversationPriority,
  type ConversationStatus,
  type InboxConversationFragment,
} from './generated/graphql.js';
import { useI18n } from './i18n.js';
import { useRefetchOn } from './live.js';

const ACTIVE: readonly ConversationStatus[] = ['OPEN', 'BOT', 'ASSIGNED', 'PENDING'];
const PRIORITY_RANK: Record<ConversationPriority, number> = { URGENT: 3, HIGH: 2, NORMAL: 1, LOW: 0 };

/** Escalated and not yet resolved: a customer is waiting for a human. */
export const needsHuman = (conversation: Pick<InboxConversationFragment, 'escalatedAt' | 'status'>) =>
  conversation.escalatedAt !== null && ACTIVE.includes(conversation.status);

/** Escalated first, then by priority, then by the latest activity. */
export function inboxOrder(a: InboxConversationFragment, b: InboxConversationFragment): number {
  return (
    Number(needsHuman(b)) - Number(needsHuman(a)) ||
    PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] ||
    Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt)
  );
}

export function Inbox({
  appServiceId,
  revision,
  selectedId,
  onSelect,
}: {
  appServiceId: string;
  revision: number;
  selectedId: string | null;
  onSelect: (conversationId: string) => void;
}) {
  const { t, formatTime } = useI18n();
  const [result, reexecute] = useQuery({ query: ConsoleInboxDocument, variables: { appServiceId } });
  useRefetchOn(revision, () => reexecute({ requestPolicy: 'network-only' }));

  const node = result.data?.node;
  const appService = node?.__typename === 'AppService' ? node : null;
  const byId = new Map<string, InboxConversationFragment>();
  for (const edge of [...(appService?.escalated.edges ?? []), ...(appService?.recent.edges ?? [])]) {
    byId.set(edge.node.id, edge.node);
  }
  const conversations = [...byId.values()].sort(inboxOrder);

  return (
    <section className="panel inbox" aria-labelledby="inbox-title" data-testid="inbox">
      <header className="panel__header">
        <h2 id="inbox-title" className="panel__title">
          {t.inbox.title}
        </h2>
        {appService && (
          <span className="muted" data-testid="inbox-count">
            {t.inbox.shown(conversations.length, appService.recent.totalCount)}
          </span>
        )}
      </header>
      <ErrorBanner error={result.error} />
      {!result.data && result.fetching && <p className="muted panel__body">{t.inbox.loading}</p>}
      {result.data && conversations.length === 0 && (
        <p className="muted panel__body" data-testid="inbox-empty">
          {t.inbox.empty}
        </p>
      )}
      <ul className="inbox__list">
        {conversations.map((conversation) => {
          const last = conversation.messages.edges[0]?.node;
          const escalation = conversation.escalations.edges[0]?.node;
          const urgent = needsHuman(conversation);
          return (
            <li
              key={conversation.id}
              className={`inbox__item${urgent ? ' inbox__item--escalated' : ''}`}
              data-testid="inbox-item"
              data-conversation-id={conversation.id}
              data-escalated={urgent ? 'true' : 'false'}
              data-status={conversation.status}
            >
              <button
                type="button"
                className="inbox__button"
                aria-current={conversation.id === selectedId ? 'true' : undefined}
                onClick={() => onSelect(conversation.id)}
              >
                <span className="inbox__top">
                  <span className="inbox__name">
                    {conversation.contact?.name ?? conversation.contact?.phone ?? t.inbox.unknownCustomer}
                  </span>
                  <time className="inbox__time muted" dateTime={conversation.lastMessageAt}>
                    {formatTime(conversation.lastMessageAt)}
                  </time>
                </span>
                {conversation.contact?.phone && (
                  <span className="inbox__phone muted" dir="ltr">
                    {conversation.contact.phone}
                  </span>
                )}
                <span className="badges">
                  {urgent && (
                    <span className="badge badge--alert" data-testid="inbox-escalated">
                      {t.inbox.escalated}
                      {escalation ? ` · ${t.escalationTypes[escalation.type]}` : ''}
                    </span>
                  )}
                  <span className={`badge badge--status-${conversation.status.toLowerCase()}`}>
                    {t.statuses[conversation.status]}
                  </span>
                  {conversation.priority !== 'NORMAL' && (
                    <span className={`badge badge--priority-${conversation.priority.toLowerCase()}`}>
                      {t.priorities[conversation.priority]}
                    </span>
                  )}
                  <span className="badge badge--muted">
                    {conversation.assignee
                      ? t.inbox.assignedTo(conversation.assignee.name)
                      : t.inbox.unassigned}
                  </span>
                </span>
                <span className="inbox__preview">
                  {last ? (
                    <>
                      <span className="inbox__sender">
                        {last.private ? t.inbox.privateNote : t.senders[last.senderType]}:
                      </span>{' '}
                      <bdi>{last.content}</bdi>
                    </>
                  ) : (
                    <span className="muted">{t.inbox.noMessages}</span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
