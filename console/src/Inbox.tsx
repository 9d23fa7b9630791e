// The inbox: one app service's conversations or the whole organization's, searched and filtered (mine,
// unassigned, escalated, status, priority, label), a page at a time ("load more" follows the cursor),
// kept up to date by the live feed. Without a filter, the escalated conversations still being worked on
// come first.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient, type CombinedError } from 'urql';
import { ErrorBanner } from './errors.js';
import {
  ConsoleInboxPageDocument,
  ConsoleOrganizationInboxPageDocument,
  ConsoleSearchConversationsDocument,
  type ConversationFilter,
  type ConversationSearchFilter,
  type ConversationPriority,
  type ConversationStatus,
  type InboxConversationFragment,
  type InboxPageFragment,
  type OrganizationInboxPageFragment,
} from './generated/graphql.js';
import { useI18n } from './i18n.js';
import { ExportButton } from './ExportButton.js';
import { useRefetchOn, type Scope } from './live.js';

const ACTIVE: ConversationStatus[] = ['OPEN', 'BOT', 'ASSIGNED', 'PENDING'];
const STATUSES: ConversationStatus[] = ['OPEN', 'BOT', 'ASSIGNED', 'PENDING', 'RESOLVED', 'CLOSED'];
const PRIORITIES: ConversationPriority[] = ['URGENT', 'HIGH', 'NORMAL', 'LOW'];
const PRIORITY_RANK: Record<ConversationPriority, number> = { URGENT: 3, HIGH: 2, NORMAL: 1, LOW: 0 };
/** A page of the list, and the most a refresh asks for at once (the API's limit). */
const PAGE = 25;
const MAX_PAGE = 100;
/** searchConversations' limit. */
const MAX_SEARCH_PAGE = 50;
const PINNED = 20;
const SEARCH_DELAY_MS = 300;

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

export type InboxView = 'all' | 'mine' | 'unassigned' | 'escalated';

export interface InboxFilters {
  view: InboxView;
  status: ConversationStatus | '';
  priority: ConversationPriority | '';
  label: string;
  search: string;
}

const NO_FILTERS: InboxFilters = { view: 'all', status: '', priority: '', label: '', search: '' };

/** The API's filter for what the agent chose; null when "mine" cannot apply (no agent profile). */
export function toFilter(filters: InboxFilters, viewerAgentId: string | null): ConversationFilter | null {
  const filter: ConversationFilter = {};
  if (filters.view === 'mine') {
    if (!viewerAgentId) return null;
    filter.assigneeId = viewerAgentId;
  }
  if (filters.view === 'unassigned') filter.unassigned = true;
  if (filters.view === 'escalated') {
    filter.escalated = true;
    if (!filters.status) filter.status = ACTIVE;
  }
  if (filters.status) filter.status = [filters.status];
  if (filters.priority) filter.priority = [filters.priority];
  const label = filters.label.trim();
  if (label) filter.label = label.slice(0, 100);
  return filter;
}

/** The same filter for searchConversations, which spans the organization unless told the app services. */
function toSearchFilter(filter: ConversationFilter, scope: Scope): ConversationSearchFilter {
  const { assigneeId, unassigned, escalated, status, priority, label } = filter;
  return {
    ...(scope.appServiceId ? { appServiceIds: [scope.appServiceId] } : {}),
    ...(assigneeId ? { assigneeId } : {}),
    ...(unassigned ? { unassigned } : {}),
    ...(escalated ? { escalated } : {}),
    ...(status ? { status } : {}),
    ...(priority ? { priority } : {}),
    ...(label ? { label } : {}),
  };
}

interface Page {
  conversations: InboxConversationFragment[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

/** The scope's conversations for a filter, page by page, refreshed when `revision` moves. */
function usePagedInbox(
  scope: Scope,
  filter: ConversationFilter | null,
  search: string,
  pinEscalated: boolean,
  revision: number,
) {
  const client = useClient();
  const [list, setList] = useState<Page | null>(null);
  const [pinned, setPinned] = useState<InboxConversationFragment[]>([]);
  const [error, setError] = useState<CombinedError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const key = JSON.stringify([scope.organizationId, scope.appServiceId, filter, search, pinEscalated]);
  const maxPage = search ? MAX_SEARCH_PAGE : MAX_PAGE;
  // Answers to an older key (or an older refresh) are dropped.
  const generation = useRef(0);
  const loaded = useRef(0);

  const fetchPage = useCallback(
    async (
      pageFilter: ConversationFilter,
      first: number,
      after: string | null,
    ): Promise<Page | CombinedError> => {
      const options = { requestPolicy: 'network-only' } as const;
      if (search) {
        const variables = {
          organizationId: scope.organizationId,
          query: search,
          filter: toSearchFilter(pageFilter, scope),
          first,
          after,
        };
        const answer = await client.query(ConsoleSearchConversationsDocument, variables, options).toPromise();
        if (answer.error) return answer.error;
        const found = answer.data?.searchConversations;
        return {
          // The matching message is the preview: it shows why the conversation was found.
          conversations:
            found?.edges.map(({ node }) =>
              node.message
                ? { ...node.conversation, messages: { edges: [{ node: node.message }] } }
                : node.conversation,
            ) ?? [],
          totalCount: found?.totalCount ?? 0,
          endCursor: found?.pageInfo.endCursor ?? null,
          hasNextPage: found?.pageInfo.hasNextPage ?? false,
        };
      }
      let connection: InboxPageFragment | OrganizationInboxPageFragment | null = null;
      if (scope.appServiceId) {
        const variables = { appServiceId: scope.appServiceId, filter: pageFilter, first, after };
        const answer = await client.query(ConsoleInboxPageDocument, variables, options).toPromise();
        if (answer.error) return answer.error;
        const node = answer.data?.node;
        connection = node?.__typename === 'AppService' ? node.conversations : null;
      } else {
        const variables = { organizationId: scope.organizationId, filter: pageFilter, first, after };
        const answer = await client
          .query(ConsoleOrganizationInboxPageDocument, variables, options)
          .toPromise();
        if (answer.error) return answer.error;
        const node = answer.data?.node;
        connection = node?.__typename === 'Organization' ? node.conversations : null;
      }
      return {
        conversations: connection?.edges.map((edge) => edge.node) ?? [],
        totalCount: connection?.totalCount ?? 0,
        endCursor: connection?.pageInfo.endCursor ?? null,
        hasNextPage: connection?.pageInfo.hasNextPage ?? false,
      };
    },
    [client, scope.appServiceId, scope.organizationId, search],
  );

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    if (!filter) {
      setList({ conversations: [], totalCount: 0, endCursor: null, hasNextPage: false });
      setPinned([]);
      return;
    }
    // As many as are shown (a later page's cursor may have moved): one request.
    const first = Math.min(maxPage, Math.max(PAGE, loaded.current));
    const [page, escalated] = await Promise.all([
      fetchPage(filter, first, null),
      pinEscalated ? fetchPage({ escalated: true, status: ACTIVE }, PINNED, null) : Promise.resolve(null),
    ]);
    if (mine !== generation.current) return;
    if (!('conversations' in page)) return setError(page);
    if (escalated && !('conversations' in escalated)) return setError(escalated);
    setError(null);
    setList((previous) => {
      // Beyond what one request can refresh, the pages loaded earlier stay.
      const ids = new Set(page.conversations.map((conversation) => conversation.id));
      const kept = (previous?.conversations ?? [])
        .slice(first)
        .filter((conversation) => !ids.has(conversation.id));
      const next =
        kept.length > 0
          ? {
              ...page,
              conversations: [...page.conversations, ...kept],
              endCursor: previous!.endCursor,
              hasNextPage: previous!.hasNextPage,
            }
          : page;
      loaded.current = next.conversations.length;
      return next;
    });
    setPinned(escalated?.conversations ?? []);
  }, [fetchPage, filter, pinEscalated, maxPage]);

  useEffect(() => {
    loaded.current = 0;
    setList(null);
    setPinned([]);
    void refresh();
    // The key stands for the scope and the filter.
  }, [key]);
  useRefetchOn(revision, () => void refresh());

  const loadMore = async () => {
    if (!filter || !list?.hasNextPage) return;
    const mine = generation.current;
    setLoadingMore(true);
    const page = await fetchPage(filter, PAGE, list.endCursor);
    setLoadingMore(false);
    if (mine !== generation.current) return;
    if (!('conversations' in page)) return setError(page);
    setList((previous) => {
      const have = new Set((previous?.conversations ?? []).map((conversation) => conversation.id));
      const next = {
        ...page,
        conversations: [
          ...(previous?.conversations ?? []),
          ...page.conversations.filter((conversation) => !have.has(conversation.id)),
        ],
      };
      loaded.current = next.conversations.length;
      return next;
    });
  };

  return { list, pinned, error, loadingMore, loadMore };
}

export function Inbox({
  scope,
  viewerAgentId,
  canExport,
  revision,
  selectedId,
  onSelect,
}: {
  scope: Scope;
  viewerAgentId: string | null;
  canExport: boolean;
  revision: number;
  selectedId: string | null;
  onSelect: (conversationId: string) => void;
}) {
  const { t, formatTime } = useI18n();
  const [filters, setFilters] = useState<InboxFilters>(NO_FILTERS);
  const [searchText, setSearchText] = useState('');
  useEffect(() => {
    const timer = setTimeout(
      () => setFilters((previous) => ({ ...previous, search: searchText })),
      SEARCH_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [searchText]);

  const filter = useMemo(() => toFilter(filters, viewerAgentId), [filters, viewerAgentId]);
  // Up to 200 characters, with a letter or a digit (what searchConversations accepts).
  const search = /[\p{L}\p{N}]/u.test(filters.search) ? filters.search.trim().slice(0, 200) : '';
  const unfiltered = filter !== null && Object.keys(filter).length === 0 && search === '';
  const { list, pinned, error, loadingMore, loadMore } = usePagedInbox(
    scope,
    filter,
    search,
    unfiltered,
    revision,
  );

  const pinnedIds = new Set(pinned.map((conversation) => conversation.id));
  const conversations = [
    ...[...pinned].sort(inboxOrder),
    ...(list?.conversations ?? []).filter((conversation) => !pinnedIds.has(conversation.id)),
  ];
  const labels = [...new Set(conversations.flatMap((conversation) => conversation.labels))].sort();
  const set = (patch: Partial<InboxFilters>) => setFilters((previous) => ({ ...previous, ...patch }));
  const filtered = !unfiltered || searchText.trim() !== '';

  return (
    <section className="panel inbox" aria-labelledby="inbox-title" data-testid="inbox">
      <header className="panel__header">
        <h2 id="inbox-title" className="panel__title">
          {t.inbox.title}
        </h2>
        {list && (
          <span className="muted" data-testid="inbox-count" data-total={list.totalCount}>
            {t.inbox.shown(conversations.length, Math.max(list.totalCount, conversations.length))}
          </span>
        )}
      </header>
      <div className="inbox__filters" role="search">
        <label className="field inbox__search">
          <span className="visually-hidden">{t.filters.search}</span>
          <input
            className="input"
            type="search"
            value={searchText}
            maxLength={200}
            placeholder={t.filters.searchPlaceholder}
            onChange={(event) => setSearchText(event.target.value)}
            data-testid="inbox-search"
          />
        </label>
        <label className="field field--compact">
          <span className="visually-hidden">{t.filters.show}</span>
          <select
            className="input"
            value={filters.view}
            onChange={(event) => set({ view: event.target.value as InboxView })}
            data-testid="inbox-view"
          >
            <option value="all">{t.filters.views.all}</option>
            <option value="mine" disabled={!viewerAgentId}>
              {t.filters.views.mine}
            </option>
            <option value="unassigned">{t.filters.views.unassigned}</option>
            <option value="escalated">{t.filters.views.escalated}</option>
          </select>
        </label>
        <label className="field field--compact">
          <span className="visually-hidden">{t.conversation.status}</span>
          <select
            className="input"
            value={filters.status}
            onChange={(event) => set({ status: event.target.value as ConversationStatus | '' })}
            data-testid="inbox-status"
          >
            <option value="">{t.filters.anyStatus}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t.statuses[status]}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--compact">
          <span className="visually-hidden">{t.conversation.priority}</span>
          <select
            className="input"
            value={filters.priority}
            onChange={(event) => set({ priority: event.target.value as ConversationPriority | '' })}
            data-testid="inbox-priority"
          >
            <option value="">{t.filters.anyPriority}</option>
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {t.priorities[priority]}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--compact">
          <span className="visually-hidden">{t.filters.label}</span>
          <input
            className="input"
            list="inbox-labels"
            value={filters.label}
            maxLength={100}
            placeholder={t.filters.label}
            onChange={(event) => set({ label: event.target.value })}
            data-testid="inbox-label"
          />
          <datalist id="inbox-labels">
            {labels.map((label) => (
              <option key={label} value={label} />
            ))}
          </datalist>
        </label>
        {filtered && (
          <button
            type="button"
            className="button button--small button--ghost"
            data-testid="inbox-clear"
            onClick={() => {
              setSearchText('');
              setFilters(NO_FILTERS);
            }}
          >
            {t.filters.clear}
          </button>
        )}
      </div>
      {canExport && <ExportButton scope={scope} filter={filter} searching={search !== ''} />}
      <ErrorBanner error={error} />
      {!list && <p className="muted panel__body">{t.inbox.loading}</p>}
      {list && conversations.length === 0 && (
        <p className="muted panel__body" data-testid="inbox-empty">
          {filtered ? t.filters.noMatch : t.inbox.empty}
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
                  {/* A name in its own direction; a phone number (no letters) left to right. */}
                  <span className="inbox__name" dir={conversation.contact?.name ? 'auto' : 'ltr'}>
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
                  {!scope.appServiceId && (
                    <span className="badge badge--muted" data-testid="inbox-app-service">
                      {conversation.appService.name}
                    </span>
                  )}
                  {conversation.labels.map((label) => (
                    <span
                      key={label}
                      className="badge badge--label"
                      data-testid="inbox-label-badge"
                      dir="auto"
                    >
                      {label}
                    </span>
                  ))}
                </span>
                <span className="inbox__preview" data-testid="inbox-preview">
                  {last ? (
                    <>
                      <span className="inbox__sender">
                        {last.private ? t.inbox.privateNote : t.senders[last.senderType]}:
                      </span>
                      {/* Its own direction: an English preview in the Arabic layout shows its start. */}
                      <span className="inbox__text" dir="auto" data-testid="inbox-preview-text">
                        {last.content}
                      </span>
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
      {list?.hasNextPage && (
        <button
          type="button"
          className="button inbox__more"
          disabled={loadingMore}
          data-testid="inbox-load-more"
          onClick={() => void loadMore()}
        >
          {loadingMore ? t.inbox.loading : t.filters.loadMore}
        </button>
      )}
    </section>
  );
}
