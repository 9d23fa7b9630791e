// The agent console: sign in, pick an organization and an app service, then work its inbox live.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Provider, useMutation, useQuery } from 'urql';
import { Alerts } from './Alerts.js';
import { createConsoleClient } from './client.js';
import { ConversationView } from './ConversationView.js';
import { ErrorBanner } from './errors.js';
import { ConsoleLogOutDocument, ConsoleViewerDocument } from './generated/graphql.js';
import { I18nProvider, LanguageSwitch, useI18n } from './i18n.js';
import { Inbox } from './Inbox.js';
import { ConsoleClientContext, useLiveFeed, useSocketStatus } from './live.js';
import { Login } from './Login.js';
import { Monitoring } from './Monitoring.js';
import { OrgPicker, PickerHint, type Selection } from './OrgPicker.js';

const TOKEN_KEY = 'console.token';
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

/** Holds the token (in localStorage) and one GraphQL client per token. */
function Session() {
  const { t } = useI18n();
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(TOKEN_KEY));
  const [expired, setExpired] = useState(false);

  const signOut = useCallback((sessionEnded: boolean) => {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(SELECTION_KEY);
    setToken(null);
    setExpired(sessionEnded);
  }, []);
  const client = useMemo(() => createConsoleClient(token, () => signOut(true)), [token, signOut]);
  useEffect(() => () => client.dispose(), [client]);

  return (
    <ConsoleClientContext.Provider value={client}>
      <Provider value={client.urql}>
        {token ? (
          <Workspace onSignOut={() => signOut(false)} />
        ) : (
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

function Workspace({ onSignOut }: { onSignOut: () => void }) {
  const { t } = useI18n();
  const [viewer] = useQuery({ query: ConsoleViewerDocument });
  const [, logOut] = useMutation(ConsoleLogOutDocument);
  const [selection, setSelection] = useState<Selection>(readSelection);
  const [conversationId, setConversationId] = useState<string | null>(null);

  const user = viewer.data?.viewer.user ?? null;
  const organizations = viewer.data?.viewer.organizations.edges.map((edge) => edge.node) ?? [];
  // Only what this user may open: a stored choice of another session or user is ignored.
  const organization =
    organizations.find((candidate) => candidate.id === selection.organizationId) ??
    (organizations.length === 1 ? organizations[0] : undefined);
  const appServices = organization?.appServices.edges.map((edge) => edge.node) ?? [];
  const appService =
    appServices.find((candidate) => candidate.id === selection.appServiceId) ??
    (appServices.length === 1 ? appServices[0] : undefined);

  const choose = (next: Selection) => {
    localStorage.setItem(SELECTION_KEY, JSON.stringify(next));
    setSelection(next);
    setConversationId(null);
  };

  const signOut = async () => {
    // The session ends on the server too; locally it ends whatever the server answers.
    await logOut({});
    onSignOut();
  };

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
            onChange={choose}
          />
        )}
        <div className="topbar__end">
          {appService && <LiveBadge />}
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
        (appService ? (
          <AppServiceWorkspace
            key={appService.id}
            appServiceId={appService.id}
            viewerUserId={user?.id ?? null}
            conversationId={conversationId}
            onOpen={setConversationId}
          />
        ) : (
          <main className="layout layout--empty">
            <PickerHint organizations={organizations} organization={organization} />
          </main>
        ))}
    </div>
  );
}

function AppServiceWorkspace({
  appServiceId,
  viewerUserId,
  conversationId,
  onOpen,
}: {
  appServiceId: string;
  viewerUserId: string | null;
  conversationId: string | null;
  onOpen: (conversationId: string) => void;
}) {
  const { t } = useI18n();
  const live = useLiveFeed(appServiceId);
  return (
    <main className="layout">
      <Inbox
        appServiceId={appServiceId}
        revision={live.revision}
        selectedId={conversationId}
        onSelect={onOpen}
      />
      {conversationId ? (
        <ConversationView
          key={conversationId}
          conversationId={conversationId}
          revision={live.revisionOf(conversationId)}
          viewerUserId={viewerUserId}
        />
      ) : (
        <section className="panel conversation conversation--empty" data-testid="conversation-placeholder">
          <p className="muted panel__body">{t.conversation.placeholder}</p>
        </section>
      )}
      <aside className="side">
        <Alerts live={live} onOpen={onOpen} />
        <Monitoring appServiceId={appServiceId} revision={live.revision} />
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
