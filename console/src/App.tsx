// The agent console: sign in, pick an organization and an app service (or all of them), then work the
// inbox live; the address says what is open (router.ts), the escalations queue spans the organization.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider, useMutation, useQuery } from 'urql';
import { Alerts } from './Alerts.js';
import { createConsoleClient } from './client.js';
import { ConversationView } from './ConversationView.js';
import { ErrorBanner } from './errors.js';
import {
  ConsoleAgentsDocument,
  ConsoleConversationHomeDocument,
  ConsoleLogOutDocument,
  ConsoleViewerDocument,
  type QueueEscalationFragment,
} from './generated/graphql.js';
import { I18nProvider, LanguageSwitch, useI18n } from './i18n.js';
import { Inbox } from './Inbox.js';
import { ConsoleClientContext, useLiveFeed, useSocketStatus, type Scope } from './live.js';
import { Login } from './Login.js';
import { Monitoring } from './Monitoring.js';
import { ALL_APP_SERVICES, OrgPicker, PickerHint, type Selection } from './OrgPicker.js';
import { useEscalationQueue, type EscalationQueue } from './queue.js';
import { backToList, linkTo, navigate, useRoute } from './router.js';
import { beep, notifyDesktop } from './signals.js';
import { TeamLead, useSlaAlerts } from './TeamLead.js';

const TOKEN_KEY = 'console.token';
/** Who may export (the API's data:export permission); the button is not shown to the others. */
const EXPORTING_ROLES: readonly string[] = ['OWNER', 'ADMIN', 'ANALYST'];
const SELECTION_KEY = 'console.selection';

function readSelection(): Selection {
  try {
    const stored = JSON.parse(localStorage.getItem(SELECTION_KEY) ?? '{}') as Partial<Selection>;
    return {
      organizationId: typeof stored.organizationId === 'string' ? stored.organizationId : null,
      appServiceId: typeof stored.appServiceId === 'string' ? stored.appServiceId : null,
    };
  } catch {
    return { organizationId: null, appServiceId: null };
  }
}

export function App() {
  return (
    <I18nProvider>
      <Session />
    </I18nProvider>
  );
}

/** Holds the token (in localStorage, shared by the browser's tabs) and one GraphQL client per token. */
function Session() {
  const { t } = useI18n();
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(TOKEN_KEY));
  const [expired, setExpired] = useState(false);
  const [unread, setUnread] = useState(0);

  // The app-service choice stays (a reload or the next sign-in finds it; another user's is ignored).
  const signOut = useCallback((sessionEnded: boolean) => {
    localStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setExpired(sessionEnded);
    setUnread(0);
  }, []);
  const client = useMemo(() => createConsoleClient(token, () => signOut(true)), [token, signOut]);
  useEffect(() => () => client.dispose(), [client]);

  // Another tab signed out (or in): this one follows instead of showing a session that no longer exists.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== TOKEN_KEY && event.key !== null) return;
      const stored = localStorage.getItem(TOKEN_KEY);
      if (stored === token) return;
      if (stored === null) signOut(true);
      else {
        setExpired(false);
        setToken(stored);
      }
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [token, signOut]);

  // The unacknowledged escalations in the tab's title: "(3) Agent console".
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ${t.appTitle}` : t.appTitle;
  }, [unread, t]);

  return (
    <ConsoleClientContext.Provider value={client}>
      <Provider value={client.urql}>
        {token ? (
          <Workspace onSignOut={() => signOut(false)} onUnread={setUnread} />
        ) : (
          // The address is left as it is: after signing in, a linked conversation opens.
          <Login
            notice={expired ? t.login.sessionEnded : undefined}
            onLoggedIn={(next) => {
              localStorage.setItem(TOKEN_KEY, next);
              setExpired(false);
              setToken(next);
            }}
          />
        )}
      </Provider>
    </ConsoleClientContext.Provider>
  );
}

function Workspace({ onSignOut, onUnread }: { onSignOut: () => void; onUnread: (count: number) => void }) {
  const { t } = useI18n();
  const route = useRoute();
  const [viewer] = useQuery({ query: ConsoleViewerDocument });
  const [, logOut] = useMutation(ConsoleLogOutDocument);
  const [selection, setSelection] = useState<Selection>(readSelection);
  const conversationId = route.name === 'conversation' ? route.conversationId : null;

  const user = viewer.data?.viewer.user ?? null;
  const organizations = useMemo(
    () => viewer.data?.viewer.organizations.edges.map((edge) => edge.node) ?? [],
    [viewer.data],
  );
  // Only what this user may open: a stored choice of another session or user is ignored.
  const organization =
    organizations.find((candidate) => candidate.id === selection.organizationId) ??
    (organizations.length === 1 ? organizations[0] : undefined);
  const appServices = organization?.appServices.edges.map((edge) => edge.node) ?? [];
  const allAppServices = selection.appServiceId === ALL_APP_SERVICES && appServices.length > 0;
  const appService = allAppServices
    ? undefined
    : (appServices.find((candidate) => candidate.id === selection.appServiceId) ??
      (appServices.length === 1 ? appServices[0] : undefined));

  const choose = useCallback((next: Selection) => {
    localStorage.setItem(SELECTION_KEY, JSON.stringify(next));
    setSelection(next);
  }, []);

  // A linked conversation (/console/conversations/<id>) selects its organization and app service.
  const [home] = useQuery({
    query: ConsoleConversationHomeDocument,
    variables: { conversationId: conversationId ?? '' },
    pause: !conversationId,
  });
  const homeNode = conversationId ? home.data?.node : undefined;
  const homeAppService = homeNode?.__typename === 'Conversation' ? homeNode.appService : null;
  useEffect(() => {
    if (!homeAppService) return;
    const organizationId = homeAppService.organization.id;
    if (!organizations.some((candidate) => candidate.id === organizationId)) return;
    const shown =
      organization?.id === organizationId && (allAppServices || appService?.id === homeAppService.id);
    if (!shown) choose({ organizationId, appServiceId: homeAppService.id });
  }, [homeAppService, organizations, organization, allAppServices, appService, choose]);

  const signOut = async () => {
    // The session ends on the server too; locally it ends whatever the server answers.
    await logOut({});
    onSignOut();
  };

  const scope: Scope | null = organization
    ? { organizationId: organization.id, appServiceId: appService?.id ?? null }
    : null;
  const ready = scope !== null && (appService !== undefined || allAppServices);

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar__brand">
          <span className="topbar__logo" aria-hidden="true">
            ◆
          </span>
          <h1 className="topbar__title">{t.appTitle}</h1>
        </div>
        {viewer.data && (
          <OrgPicker
            organizations={organizations}
            organization={organization}
            appService={appService}
            allAppServices={allAppServices}
            onChange={(next) => {
              choose(next);
              if (route.name === 'conversation') navigate({ name: 'inbox' });
            }}
          />
        )}
        {organization && (
          <nav className="tabs" aria-label={t.nav.label}>
            <a
              className="tabs__link"
              aria-current={route.name !== 'team' ? 'page' : undefined}
              data-testid="nav-inbox"
              {...linkTo({ name: 'inbox' })}
            >
              {t.nav.inbox}
            </a>
            <a
              className="tabs__link"
              aria-current={route.name === 'team' ? 'page' : undefined}
              data-testid="nav-team"
              {...linkTo({ name: 'team' })}
            >
              {t.nav.team}
            </a>
          </nav>
        )}
        <div className="topbar__end">
          {organization && <LiveBadge />}
          {user && (
            <span className="muted" data-testid="signed-in-as">
              {t.header.signedInAs(user.name)}
            </span>
          )}
          <LanguageSwitch />
          <button
            type="button"
            className="button button--ghost"
            data-testid="sign-out"
            onClick={() => void signOut()}
          >
            {t.header.logOut}
          </button>
        </div>
      </header>
      <ErrorBanner error={viewer.error} />
      {viewer.data &&
        (organization && scope ? (
          <OrganizationWorkspace
            key={organization.id}
            scope={scope}
            ready={ready}
            team={route.name === 'team'}
            viewerUserId={user?.id ?? null}
            canExport={organization.viewerRole !== null && EXPORTING_ROLES.includes(organization.viewerRole)}
            conversationId={conversationId}
            onUnread={onUnread}
            hint={<PickerHint organizations={organizations} organization={organization} />}
          />
        ) : (
          <main className="layout layout--empty">
            <PickerHint organizations={organizations} organization={organization} />
          </main>
        ))}
    </div>
  );
}

/** What belongs to the organization whatever is shown: the escalations queue and its signals. */
function OrganizationWorkspace({
  scope,
  ready,
  team,
  viewerUserId,
  canExport,
  conversationId,
  onUnread,
  hint,
}: {
  scope: Scope;
  ready: boolean;
  team: boolean;
  viewerUserId: string | null;
  canExport: boolean;
  conversationId: string | null;
  onUnread: (count: number) => void;
  hint: ReactNode;
}) {
  const { t } = useI18n();
  const onArrived = (escalation: QueueEscalationFragment) => {
    beep();
    const customer = escalation.customerNumber ?? escalation.conversation.contact?.name ?? '';
    notifyDesktop(
      `${t.escalationTypes[escalation.type]} · ${customer}`,
      `${escalation.conversation.appService.name}: ${escalation.evidence}`,
      escalation.id,
      () => navigate({ name: 'conversation', conversationId: escalation.conversation.id }),
    );
  };
  const queue = useEscalationQueue(scope.organizationId, onArrived);
  const sla = useSlaAlerts(scope.organizationId);
  useEffect(() => onUnread(queue.unacknowledged), [queue.unacknowledged, onUnread]);

  const [agents] = useQuery({
    query: ConsoleAgentsDocument,
    variables: { organizationId: scope.organizationId },
  });
  const agentsNode = agents.data?.node;
  const viewerAgentId =
    (agentsNode?.__typename === 'Organization' &&
      agentsNode.agents.edges.find((edge) => viewerUserId !== null && edge.node.user?.id === viewerUserId)
        ?.node.id) ||
    null;

  if (team) return <TeamWorkspace scope={scope} queue={queue} sla={sla} />;
  if (!ready) {
    return (
      <main className="layout layout--empty">
        {hint}
        <Alerts queue={queue} />
      </main>
    );
  }
  return (
    <InboxWorkspace
      key={`${scope.organizationId}:${scope.appServiceId ?? 'all'}`}
      scope={scope}
      queue={queue}
      viewerUserId={viewerUserId}
      viewerAgentId={viewerAgentId}
      canExport={canExport}
      conversationId={conversationId}
    />
  );
}

function TeamWorkspace({
  scope,
  queue,
  sla,
}: {
  scope: Scope;
  queue: EscalationQueue;
  sla: ReturnType<typeof useSlaAlerts>;
}) {
  // The whole organization's activity moves the agents' load.
  const live = useLiveFeed({ organizationId: scope.organizationId, appServiceId: null });
  return <TeamLead organizationId={scope.organizationId} queue={queue} sla={sla} revision={live.revision} />;
}

function InboxWorkspace({
  scope,
  queue,
  viewerUserId,
  viewerAgentId,
  canExport,
  conversationId,
}: {
  scope: Scope;
  queue: EscalationQueue;
  viewerUserId: string | null;
  viewerAgentId: string | null;
  canExport: boolean;
  conversationId: string | null;
}) {
  const { t } = useI18n();
  const live = useLiveFeed(scope);
  // On a narrow screen the list disappears when a conversation opens: the focus goes to Back, and from
  // there back to the conversation's item in the list (not to the page's body).
  const backRef = useRef<HTMLButtonElement>(null);
  const lastOpened = useRef<string | null>(null);
  useEffect(() => {
    const narrow = window.matchMedia('(width < 720px)').matches;
    if (conversationId) {
      lastOpened.current = conversationId;
      if (narrow) backRef.current?.focus();
    } else if (narrow && lastOpened.current) {
      document
        .querySelector<HTMLButtonElement>(`[data-conversation-id="${CSS.escape(lastOpened.current)}"] button`)
        ?.focus();
    }
  }, [conversationId]);
  return (
    // With a conversation open, narrow screens show it alone (the list comes back with Back).
    <main className={`layout${conversationId ? ' layout--open' : ''}`}>
      <Inbox
        scope={scope}
        viewerAgentId={viewerAgentId}
        canExport={canExport}
        revision={live.revision}
        selectedId={conversationId}
        onSelect={(id) => navigate({ name: 'conversation', conversationId: id })}
      />
      {conversationId ? (
        <div className="conversation-pane" data-testid="conversation-pane">
          <button
            type="button"
            ref={backRef}
            className="button button--small button--ghost conversation-pane__back"
            data-testid="conversation-back"
            onClick={backToList}
          >
            <span aria-hidden="true" className="conversation-pane__arrow">
              ←
            </span>{' '}
            {t.nav.backToInbox}
          </button>
          <ConversationView
            key={conversationId}
            conversationId={conversationId}
            revision={live.revisionOf(conversationId)}
            viewerUserId={viewerUserId}
          />
        </div>
      ) : (
        <section className="panel conversation conversation--empty" data-testid="conversation-placeholder">
          <p className="muted panel__body">{t.conversation.placeholder}</p>
        </section>
      )}
      <aside className="side">
        <Alerts queue={queue} />
        {scope.appServiceId && <Monitoring appServiceId={scope.appServiceId} revision={live.revision} />}
      </aside>
    </main>
  );
}

function LiveBadge() {
  const { t } = useI18n();
  const status = useSocketStatus();
  const text =
    status === 'live' ? t.header.live : status === 'connecting' ? t.header.connecting : t.header.offline;
  return (
    <span className={`live live--${status}`} data-testid="live-status" data-status={status}>
      <span className="live__dot" aria-hidden="true" />
      {text}
    </span>
  );
}
