// One conversation: the messages (live), what the agent can do with it (take over, reply, resolve, reopen,
// hand back to the bot), its escalations and the customer's emotion timeline.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { EMOTION_COLORS, Sparkline } from './Charts.js';
import { ErrorBanner } from './errors.js';
import {
  ConsoleConversationDocument,
  ConsoleReleaseDocument,
  ConsoleReopenDocument,
  ConsoleResolveDocument,
  ConsoleSendMessageDocument,
  ConsoleTakeOverDocument,
  type ConversationStatus,
} from './generated/graphql.js';
import { useI18n } from './i18n.js';
import { useRefetchOn } from './live.js';

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
  const [actionError, setActionError] = useState<CombinedError | null>(null);
  const [draft, setDraft] = useState('');
  const [privateNote, setPrivateNote] = useState(false);
  const busy =
    takeOverState.fetching ||
    sendState.fetching ||
    resolveState.fetching ||
    reopenState.fetching ||
    releaseState.fetching;

  // A new conversation starts with a clean slate.
  useEffect(() => {
    setActionError(null);
    setDraft('');
    setPrivateNote(false);
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
  const canTakeOver = ACTIVE.includes(status) && !(HELD.includes(status) && mine);
  const canReply = ACTIVE.includes(status);
  const canRelease = HELD.includes(status) || status === 'RESOLVED';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const content = draft.trim();
    if (!content) return;
    if (await run(() => send({ ...variables, content, private: privateNote }))) setDraft('');
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
            <dd>{t.priorities[conversation.priority]}</dd>
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
        </dl>
      </header>

      <div className="actions" role="toolbar">
        {canTakeOver && (
          <button
            type="button"
            className="button button--primary"
            disabled={busy}
            data-testid="action-take-over"
            onClick={() => void run(() => takeOver(variables))}
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
      <ErrorBanner error={actionError ?? result.error} onDismiss={() => setActionError(null)} />

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

      <form className="reply" onSubmit={(event) => void submit(event)} data-testid="reply-form">
        <label className="field">
          <span className="field__label">{t.conversation.reply}</span>
          <textarea
            className="input reply__input"
            rows={3}
            value={draft}
            disabled={!canReply}
            placeholder={canReply ? t.conversation.replyPlaceholder : t.conversation.closedHint}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit(event);
            }}
            data-testid="reply-input"
          />
        </label>
        <div className="reply__row">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={privateNote}
              disabled={!canReply}
              onChange={(event) => setPrivateNote(event.target.checked)}
              data-testid="reply-private"
            />
            <span>{t.conversation.privateNote}</span>
          </label>
          <button
            type="submit"
            className="button button--primary"
            disabled={!canReply || busy || draft.trim() === ''}
            data-testid="reply-send"
          >
            {sendState.fetching ? t.conversation.sending : t.conversation.send}
          </button>
        </div>
      </form>

      <div className="conversation__insights">
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
