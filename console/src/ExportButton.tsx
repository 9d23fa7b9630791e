// The inbox's "Export CSV": the conversations its filters select (in its app service, or all of them), as
// a CSV built by a job (exportConversations). The Export is polled until READY, then its file is fetched
// with the session's Authorization (the link works for its requester only) and saved from a blob.
import { useContext, useEffect, useRef, useState } from 'react';
import { useClient, useMutation, type CombinedError } from 'urql';
import { ErrorBanner } from './errors.js';
import {
  ConsoleExportConversationsDocument,
  ConsoleExportDocument,
  type ConsoleExportStateFragment,
  type ConversationFilter,
} from './generated/graphql.js';
import { useI18n } from './i18n.js';
import { ConsoleClientContext, type Scope } from './live.js';

const POLL_MS = 1_000;
/** A job queue that has not finished in this long is reported as failed; the Export may still end READY. */
const GIVE_UP_MS = 5 * 60_000;

type State =
  | { phase: 'idle' }
  | { phase: 'working' }
  | { phase: 'done'; rows: number }
  | { phase: 'failed'; error: CombinedError | null };

export function ExportButton({
  scope,
  filter,
  searching,
}: {
  scope: Scope;
  /** Null: the filters select nothing (e.g. "mine" without an agent profile). */
  filter: ConversationFilter | null;
  /** A search text is typed: the export leaves it out, and says so. */
  searching: boolean;
}) {
  const { t } = useI18n();
  const urql = useClient();
  const consoleClient = useContext(ConsoleClientContext);
  const [, exportConversations] = useMutation(ConsoleExportConversationsDocument);
  const [state, setState] = useState<State>({ phase: 'idle' });
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const run = async (): Promise<State> => {
    const started = await exportConversations({
      input: {
        organizationId: scope.organizationId,
        appServiceIds: scope.appServiceId ? [scope.appServiceId] : null,
        filter,
      },
    });
    if (!started.data) return { phase: 'failed', error: started.error ?? null };
    let current: ConsoleExportStateFragment = started.data.exportConversations;
    const giveUpAt = Date.now() + GIVE_UP_MS;
    while (current.status === 'QUEUED' || current.status === 'RUNNING') {
      if (!mounted.current || Date.now() > giveUpAt) return { phase: 'failed', error: null };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const polled = await urql
        .query(ConsoleExportDocument, { id: current.id }, { requestPolicy: 'network-only' })
        .toPromise();
      const node = polled.data?.node;
      if (node?.__typename !== 'Export') return { phase: 'failed', error: polled.error ?? null };
      current = node;
    }
    if (current.status !== 'READY' || !current.downloadUrl || !consoleClient) {
      return { phase: 'failed', error: null };
    }
    const response = await consoleClient.fetchWithSession(current.downloadUrl);
    if (!response.ok) return { phase: 'failed', error: null };
    save(await response.blob(), fileNameOf(response));
    return { phase: 'done', rows: current.rowCount ?? 0 };
  };

  return (
    <div className="export" data-testid="inbox-export">
      <button
        type="button"
        className="button button--small button--ghost"
        disabled={state.phase === 'working' || filter === null}
        onClick={() => {
          setState({ phase: 'working' });
          run().then(
            (next) => mounted.current && setState(next),
            () => mounted.current && setState({ phase: 'failed', error: null }),
          );
        }}
        data-testid="inbox-export-button"
      >
        {t.exports.button}
      </button>
      <span className="muted" role="status" data-testid="inbox-export-status" data-phase={state.phase}>
        {state.phase === 'working' && t.exports.working}
        {state.phase === 'done' && t.exports.done(state.rows)}
        {state.phase === 'failed' && !state.error && t.exports.failed}
        {state.phase !== 'working' && searching && ` ${t.exports.searchLeftOut}`}
      </span>
      {state.phase === 'failed' && <ErrorBanner error={state.error} />}
    </div>
  );
}

/** The file name the server gives (Content-Disposition), or a plain one. */
function fileNameOf(response: Response): string {
  const disposition = response.headers.get('content-disposition') ?? '';
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'conversations.csv';
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken the blob by then; the URL only holds memory.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
