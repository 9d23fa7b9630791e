// One conversation: the messages (live), what the agent can do with it (take over, reply, resolve, reopen,
// hand back to the bot, assign, transfer, labels, priority), the customer with their identifiers and other
// conversations, its escalations and the customer's emotion timeline.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { AssignPanel } from './AssignPanel.js';
import { AvailabilitySwitch } from './AvailabilitySwitch.js';
import { EMOTION_COLORS, Sparkline } from './Charts.js';
import { ContactPanel } from './ContactPanel.js';
import { ErrorBanner } from './errors.js';
import {
  ConsoleAddLabelsDocument,
  ConsoleAssignDocument,
  ConsoleConversationDocument,
  ConsoleReleaseDocument,
  ConsoleRemoveLabelsDocument,
  ConsoleReopenDocument,
  ConsoleResolveDocument,
  ConsoleSendMessageDocument,
  ConsoleSetPriorityDocument,
  ConsoleTakeOverDocument,
  ConsoleTeamWorkDocument,
  ConsoleTransferDocument,
  type ConversationStatus,
} from './generated/graphql.js';
import { useI18n } from './i18n.js';
import { useRefetchOn } from './live.js';
import { ReplyBox } from './ReplyBox.js';
import { TriagePanel } from './TriagePanel.js';

const HOUR_MS = 3_600_000;
const TIMELINE_DAYS = 7;
const ACTIVE: readonly ConversationStatus[] = ['OPEN', 'BOT', 'ASSIGNED', 'PENDING'];
const HELD: readonly ConversationStatus[] = ['ASSIGNED', 'PENDING'];

/** The emotion timeline's range: the last days up to the end of the current hour. */
function timelineRange() {
  const to = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
  return { from: new Date(to - TIMELINE_DAYS * 24 * HOUR_MS).toISOString(), to: new Date(to).toISOString() };
}

export function ConversationView({
  conversationId,
  revision,
  viewerUserId,
}: {
  conversationId: string;
  revision: number;
  viewerUserId: string | null;
}) {
  const { t, formatTime, formatNumber } = useI18n();
  const range = useMemo(timelineRange, [conversationId]);
  const [result, reexecute] = useQuery({
    query: ConsoleConversationDocument,
    variables: { conversationId, ...range },
  });
  useRefetchOn(revision, () => reexecute({ requestPolicy: 'network-only' }));

  const [takeOverState, takeOver] = useMutation(ConsoleTakeOverDocument);
  const [sendState, send] = useMutation(ConsoleSendMessageDocument);
  const [resolveState, resolve] = useMutation(ConsoleResolveDocument);
  const [reopenState, reopen] = useMutation(ConsoleReopenDocument);
  const [releaseState, release] = useMutation(ConsoleReleaseDocument);
  const [assignState, assign] = useMutation(ConsoleAssignDocument);
  const [transferState, transfer] = useMutation(ConsoleTransferDocument);
  const [addLabelsState, addLabels] = useMutation(ConsoleAddLabelsDocument);
  const [removeLabelsState, removeLabels] = useMutation(ConsoleRemoveLabelsDocument);
  const [priorityState, setPriority] = useMutation(ConsoleSetPriorityDocument);
  const [actionError, setActionError] = useState<CombinedError | null>(null);
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const busy =
    takeOverState.fetching ||
    sendState.fetching ||
    resolveState.fetching ||
    reopenState.fetching ||
    releaseState.fetching ||
    assignState.fetching ||
    transferState.fetching;
  const triaging = addLabelsState.fetching || removeLabelsState.fetching || priorityState.fetching;

  // A new conversation starts with a clean slate (the reply box is keyed by the conversation).
  useEffect(() => {
    setActionError(null);
  }, [conversationId]);

  const run = async (action: () => Promise<{ error?: CombinedError }>) => {
    setActionError(null);
    const outcome = await action();
    if (outcome.error) setActionError(outcome.error);
    return !outcome.error;
  };

  const node = result.data?.node;
  const conversation = node?.__typename === 'Conversation' ? node : null;
  const messages = conversation?.messages.edges.map((edge) => edge.node) ?? [];
  const organization = conversation?.appService.organization;

  // The organization's agents, teams and canned responses (one query, shared with the availability switch).
  const [work] = useQuery({
    query: ConsoleTeamWorkDocument,
    variables: { organizationId: organization?.id ?? '' },
    pause: !organization,
  });
  const workNode = work.data?.node?.__typename === 'Organization' ? work.data.node : null;
  const agents = workNode?.agents.edges.map((edge) => edge.node) ?? [];
  const ownAgent = agents.find((agent) => agent.user?.id != null && agent.user.id === viewerUserId);

  const listRef = useRef<HTMLOListElement>(null);
  const lastMessageId = messages.at(-1)?.id;
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [lastMessageId]);

  if (!conversation) {
    return (
      <section className="panel conversation" data-testid="conversation">
        <ErrorBanner error={result.error} />
        <p className="muted panel__body">
          {result.fetching ? t.conversation.loading : result.data ? t.conversation.notFound : ''}
        </p>
      </section>
    );
  }

  const variables = { conversationId };
  const status = conversation.status;
  const mine = conversation.assignee?.user?.id != null && conversation.assignee.user.id === viewerUserId;
  const held = HELD.includes(status) && conversation.assignee != null;
  // A colleague holds it: taking over is refused (CONFLICT) unless an admin or the owner forces it.
  const heldByColleague = held && !mine;
  const canForce = organization?.viewerRole === 'OWNER' || organization?.viewerRole === 'ADMIN';
  const canTakeOver = ACTIVE.includes(status) && !held;
  const canReply = ACTIVE.includes(status);
  const canRelease = HELD.includes(status) || status === 'RESOLVED';

  /** Take it (forced when a colleague holds it), then the reply box has the focus, not the page. */
  const takeOverNow = async (force: boolean) => {
    if (await run(() => takeOver({ ...variables, force }))) replyRef.current?.focus();
  };
  const contact = conversation.contact;
  const cannedValues = {
    contact_name: contact?.name ?? '',
    contact_phone: contact?.phone ?? '',
    agent_name: ownAgent?.name ?? '',
    organization_name: organization?.name ?? '',
  };

  const hiddenEarlier = conversation.messageCount - messages.length;
  const timeline = conversation.sentiment;

  return (
    <section
      className="panel conversation"
      data-testid="conversation"
      data-conversation-id={conversation.id}
      aria-labelledby="conversation-title"
    >
      <header className="panel__header conversation__header">
        <div>
          <h2 id="conversation-title" className="panel__title">
            {conversation.contact?.name ?? conversation.contact?.phone ?? t.inbox.unknownCustomer}
          </h2>
          {conversation.contact?.phone && (
            <span className="muted" dir="ltr" data-testid="conversation-phone">
              {conversation.contact.phone}
            </span>
          )}
        </div>
        <dl className="facts">
          <div>
            <dt>{t.conversation.status}</dt>
            <dd>
              <span
                className={`badge badge--status-${status.toLowerCase()}`}
                data-testid="conversation-status"
                data-status={status}
              >
                {t.statuses[status]}
              </span>
            </dd>
          </div>
          <div>
            <dt>{t.conversation.priority}</dt>
            <dd data-testid="conversation-priority" data-priority={conversation.priority}>
              {t.priorities[conversation.priority]}
            </dd>
          </div>
          <div>
            <dt>{t.conversation.assignee}</dt>
            <dd data-testid="conversation-assignee">
              {conversation.assignee
                ? mine
                  ? `${conversation.assignee.name} (${t.conversation.you})`
                  : conversation.assignee.name
                : t.conversation.nobody}
            </dd>
          </div>
          {conversation.team && (
            <div>
              <dt>{t.work.team}</dt>
              <dd data-testid="conversation-team">{conversation.team.name}</dd>
            </div>
          )}
        </dl>
        {organization && <AvailabilitySwitch organizationId={organization.id} viewerUserId={viewerUserId} />}
      </header>

      <div className="actions" role="toolbar">
        {canTakeOver && (
          <button
            type="button"
            className="button button--primary"
            disabled={busy}
            data-testid="action-take-over"
            onClick={() => void takeOverNow(false)}
          >
            {t.conversation.takeOver}
          </button>
        )}
        {ACTIVE.includes(status) && (
          <button
            type="button"
            className="button"
            disabled={busy}
            data-testid="action-resolve"
            onClick={() => void run(() => resolve(variables))}
          >
            {t.conversation.resolve}
          </button>
        )}
        {status === 'RESOLVED' && (
          <button
            type="button"
            className="button"
            disabled={busy}
            data-testid="action-reopen"
            onClick={() => void run(() => reopen(variables))}
          >
            {t.conversation.reopen}
          </button>
        )}
        {canRelease && (
          <button
            type="button"
            className="button"
            disabled={busy}
            data-testid="action-release"
            onClick={() => void run(() => release(variables))}
          >
            {t.conversation.handBack}
          </button>
        )}
      </div>
      {heldByColleague && conversation.assignee && ACTIVE.includes(status) && (
        <div className="notice held" data-testid="held-notice">
          <span>{t.work.heldBy(conversation.assignee.name)}</span>
          {canForce ? (
            <button
              type="button"
              className="button button--primary"
              disabled={busy || !ownAgent}
              data-testid="action-assign-to-me"
              onClick={() => void takeOverNow(true)}
            >
              {t.work.assignToMe}
            </button>
          ) : (
            <span className="muted" data-testid="held-ask">
              {t.work.askToTransfer(conversation.assignee.name)}
            </span>
          )}
        </div>
      )}
      <ErrorBanner error={actionError ?? result.error} onDismiss={() => setActionError(null)} />

      <div className="work">
        {ACTIVE.includes(status) && (
          <AssignPanel
            agents={agents}
            teams={workNode?.teams ?? []}
            assigneeId={conversation.assignee?.id ?? null}
            disabled={busy}
            onAssign={(agentId) => run(() => assign({ ...variables, agentId }))}
            onTransfer={(to, note) => run(() => transfer({ ...variables, ...to, note: note || null }))}
          />
        )}
        <TriagePanel
          labels={conversation.labels}
          priority={conversation.priority}
          disabled={triaging}
          onAddLabel={(label) => run(() => addLabels({ ...variables, labels: [label] }))}
          onRemoveLabel={(label) => run(() => removeLabels({ ...variables, labels: [label] }))}
          onPriority={(priority) => run(() => setPriority({ ...variables, priority }))}
        />
      </div>

      <h3 className="section-title">{t.conversation.messages}</h3>
      {hiddenEarlier > 0 && <p className="muted">{t.conversation.earlierHidden(hiddenEarlier)}</p>}
      <ol className="messages" ref={listRef} data-testid="messages">
        {messages.map((message) => (
          <li
            key={message.id}
            className={`message message--${message.senderType.toLowerCase()}${message.private ? ' message--private' : ''}`}
            data-testid="message"
            data-sender={message.senderType}
            data-private={message.private ? 'true' : 'false'}
          >
            <span className="message__meta">
              <span className="message__sender">
                {message.senderAgent?.name ?? t.senders[message.senderType]}
              </span>
              {message.private && <span className="badge badge--muted">{t.conversation.privateBadge}</span>}
              <time className="muted" dateTime={message.sentAt}>
                {formatTime(message.sentAt)}
              </time>
            </span>
            <bdi className="message__content">{message.content}</bdi>
            {message.link && (
              <a className="message__link" href={message.link} target="_blank" rel="noreferrer noopener">
                {message.link}
              </a>
            )}
          </li>
        ))}
      </ol>

      <ReplyBox
        key={conversation.id}
        conversationId={conversation.id}
        inputRef={replyRef}
        canReply={canReply}
        busy={busy}
        sending={sendState.fetching}
        channel={conversation.appService.channel}
        maxReplyLength={conversation.appService.maxReplyLength}
        canned={workNode?.cannedResponses.edges.map((edge) => edge.node) ?? []}
        cannedValues={cannedValues}
        onSend={(content, isPrivate) => run(() => send({ ...variables, content, private: isPrivate }))}
      />

      <div className="conversation__insights">
        {contact && <ContactPanel contact={contact} currentConversationId={conversation.id} />}
        <section data-testid="conversation-escalations">
          <h3 className="section-title">{t.conversation.escalations}</h3>
          {conversation.escalations.edges.length === 0 ? (
            <p className="muted">{t.conversation.noEscalations}</p>
          ) : (
            <ul className="escalations">
              {conversation.escalations.edges.map(({ node: escalation }) => (
                <li key={escalation.id} className="escalation" data-testid="conversation-escalation">
                  <span className="badge badge--alert">{t.escalationTypes[escalation.type]}</span>{' '}
                  <code>{escalation.event}</code>{' '}
                  <time className="muted" dateTime={escalation.createdAt}>
                    {formatTime(escalation.createdAt)}
                  </time>
                  <blockquote className="escalation__evidence">
                    <bdi>{escalation.evidence}</bdi>
                  </blockquote>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section data-testid="emotion-timeline">
          <h3 className="section-title">{t.conversation.emotionTimeline}</h3>
          {timeline.length === 0 ? (
            <p className="muted">{t.conversation.noSentiment}</p>
          ) : (
            <>
              <Sparkline
                label={t.conversation.emotionTimeline}
                testId="emotion-sparkline"
                min={-100}
                max={100}
                points={timeline.map((window) => ({
                  value: window.score,
                  color: EMOTION_COLORS[window.emotion],
                  title: `${t.emotions[window.emotion]} (${formatNumber(window.score)}) · ${formatTime(window.windowStart)}`,
                }))}
              />
              <p className="legend">
                {timeline.slice(-3).map((window) => (
                  <span key={window.windowStart} className="legend__item">
                    <span
                      className="legend__swatch"
                      style={{ backgroundColor: EMOTION_COLORS[window.emotion] }}
                    />
                    {t.emotions[window.emotion]} · {formatTime(window.windowStart)}
                  </span>
                ))}
              </p>
            </>
          )}
        </section>
      </div>
    </section>
  );
}
