// The live feed of the inbox's scope (one app service, or the whole organization): subscriptions to
// conversationUpdated and messageAdded, turned into revision counters (the inbox and the open
// conversation refetch when theirs moves). The escalations queue has its own subscription (queue.ts).
import { createContext, useContext, useEffect, useReducer, useRef, useSyncExternalStore } from 'react';
import { useClient, type CombinedError } from 'urql';
import type { ConsoleClient, SocketStatus } from './client.js';
import { ConsoleConversationUpdatedDocument, ConsoleMessageAddedDocument } from './generated/graphql.js';

/** What the inbox shows: one app service, or every app service of the organization. */
export interface Scope {
  organizationId: string;
  /** Null: all the organization's app services. */
  appServiceId: string | null;
}

export interface LiveFeed {
  /** Moves on every event of the scope, and after a reconnect. */
  revision: number;
  /** Moves on every event of one conversation, and after a reconnect. */
  revisionOf(conversationId: string): number;
  error: CombinedError | null;
}

interface State {
  revision: number;
  /** Moves when the socket came back after being offline: everything shown is fetched again. */
  reconnects: number;
  perConversation: Record<string, number>;
  error: CombinedError | null;
}

type Action =
  | { type: 'touch'; conversationId: string }
  | { type: 'error'; error: CombinedError }
  | { type: 'reconnected' }
  | { type: 'reset' };

const initial: State = { revision: 0, reconnects: 0, perConversation: {}, error: null };

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'touch':
      return {
        ...state,
        revision: state.revision + 1,
        perConversation: {
          ...state.perConversation,
          [action.conversationId]: (state.perConversation[action.conversationId] ?? 0) + 1,
        },
      };
    case 'error':
      return { ...state, error: action.error };
    case 'reconnected':
      // Events published while the socket was down are not sent again: refetch to catch up.
      return { ...state, revision: state.revision + 1, reconnects: state.reconnects + 1 };
    case 'reset':
      return initial;
  }
}

/** Calls `onReconnect` each time the socket is live again after having been offline. */
export function useOnReconnect(onReconnect: () => void): void {
  const consoleClient = useContext(ConsoleClientContext);
  const latest = useRef(onReconnect);
  useEffect(() => {
    latest.current = onReconnect;
  });
  useEffect(() => {
    let wasOffline = false;
    return (
      consoleClient?.onStatus((status) => {
        if (status === 'offline') wasOffline = true;
        if (status === 'live' && wasOffline) {
          wasOffline = false;
          latest.current();
        }
      }) ?? undefined
    );
  }, [consoleClient]);
}

export function useLiveFeed(scope: Scope): LiveFeed {
  const client = useClient();
  const [state, dispatch] = useReducer(reducer, initial);
  useOnReconnect(() => dispatch({ type: 'reconnected' }));
  const { organizationId, appServiceId } = scope;

  useEffect(() => {
    dispatch({ type: 'reset' });
    // One app service, or the organization: never both (the server wants one scope).
    const variables = appServiceId ? { appServiceId } : { organizationId };
    const onError = (error: CombinedError | undefined) => {
      if (error) dispatch({ type: 'error', error });
    };
    const subscriptions = [
      client.subscription(ConsoleConversationUpdatedDocument, variables).subscribe((result) => {
        onError(result.error);
        const conversation = result.data?.conversationUpdated;
        if (conversation) dispatch({ type: 'touch', conversationId: conversation.id });
      }),
      client.subscription(ConsoleMessageAddedDocument, variables).subscribe((result) => {
        onError(result.error);
        const message = result.data?.messageAdded;
        if (message) dispatch({ type: 'touch', conversationId: message.conversation.id });
      }),
    ];
    return () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    };
  }, [client, organizationId, appServiceId]);

  return {
    revision: state.revision,
    revisionOf: (conversationId) => (state.perConversation[conversationId] ?? 0) + state.reconnects,
    error: state.error,
  };
}

export const ConsoleClientContext = createContext<ConsoleClient | null>(null);

/** The graphql-ws connection's state, for the "Live" badge. */
export function useSocketStatus(): SocketStatus {
  const client = useContext(ConsoleClientContext);
  return useSyncExternalStore(
    (listener) => client?.onStatus(listener) ?? (() => undefined),
    () => client?.status() ?? 'offline',
  );
}

/**
 * Runs `refetch` shortly after `revision` moves (not on the first render): a burst of events, such as
 * a message and the conversation change it causes, becomes one request.
 */
export function useRefetchOn(revision: number, refetch: () => void, delayMs = 150): void {
  const latest = useRef(refetch);
  useEffect(() => {
    latest.current = refetch;
  });
  useEffect(() => {
    if (revision === 0) return;
    const timer = setTimeout(() => latest.current(), delayMs);
    return () => clearTimeout(timer);
  }, [revision, delayMs]);
}
