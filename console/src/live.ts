// The app service's live feed: one subscription each to conversationUpdated, messageAdded and
// escalationRaised, turned into revision counters (the inbox and the open conversation refetch when
// theirs moves) and the list of escalation alerts as they happen.
import { createContext, useContext, useEffect, useReducer, useRef, useSyncExternalStore } from 'react';
import { useClient, type CombinedError } from 'urql';
import type { ConsoleClient, SocketStatus } from './client.js';
import {
  ConsoleConversationUpdatedDocument,
  ConsoleEscalationRaisedDocument,
  ConsoleMessageAddedDocument,
  type ConsoleEscalationRaisedSubscription,
} from './generated/graphql.js';

export type LiveAlert = ConsoleEscalationRaisedSubscription['escalationRaised'];

export interface LiveFeed {
  /** Moves on every event of the app service. */
  revision: number;
  /** Moves on every event of one conversation. */
  revisionOf(conversationId: string): number;
  /** Newest first. */
  alerts: LiveAlert[];
  dismissAlert(id: string): void;
  acknowledged(id: string, at: string): void;
  error: CombinedError | null;
}

interface State {
  revision: number;
  /** Moves when the socket came back after being offline: everything shown is fetched again. */
  reconnects: number;
  perConversation: Record<string, number>;
  alerts: LiveAlert[];
  error: CombinedError | null;
}

type Action =
  | { type: 'touch'; conversationId: string }
  | { type: 'alert'; alert: LiveAlert }
  | { type: 'dismiss'; id: string }
  | { type: 'acknowledged'; id: string; at: string }
  | { type: 'error'; error: CombinedError }
  | { type: 'reconnected' }
  | { type: 'reset' };

const initial: State = { revision: 0, reconnects: 0, perConversation: {}, alerts: [], error: null };

/** At most this many alerts are kept on screen. */
const MAX_ALERTS = 50;

function touch(state: State, conversationId: string): State {
  return {
    ...state,
    revision: state.revision + 1,
    perConversation: {
      ...state.perConversation,
      [conversationId]: (state.perConversation[conversationId] ?? 0) + 1,
    },
  };
}

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'touch':
      return touch(state, action.conversationId);
    case 'alert': {
      const touched = touch(state, action.alert.conversation.id);
      const others = state.alerts.filter((alert) => alert.id !== action.alert.id);
      return { ...touched, alerts: [action.alert, ...others].slice(0, MAX_ALERTS) };
    }
    case 'dismiss':
      return { ...state, alerts: state.alerts.filter((alert) => alert.id !== action.id) };
    case 'acknowledged':
      return {
        ...state,
        alerts: state.alerts.map((alert) =>
          alert.id === action.id ? { ...alert, acknowledgedAt: action.at } : alert,
        ),
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

export function useLiveFeed(appServiceId: string): LiveFeed {
  const client = useClient();
  const consoleClient = useContext(ConsoleClientContext);
  const [state, dispatch] = useReducer(reducer, initial);

  useEffect(() => {
    let wasOffline = false;
    return (
      consoleClient?.onStatus((status) => {
        if (status === 'offline') wasOffline = true;
        if (status === 'live' && wasOffline) {
          wasOffline = false;
          dispatch({ type: 'reconnected' });
        }
      }) ?? undefined
    );
  }, [consoleClient]);

  useEffect(() => {
    dispatch({ type: 'reset' });
    const variables = { appServiceId };
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
      client.subscription(ConsoleEscalationRaisedDocument, variables).subscribe((result) => {
        onError(result.error);
        const alert = result.data?.escalationRaised;
        if (alert) dispatch({ type: 'alert', alert });
      }),
    ];
    return () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    };
  }, [client, appServiceId]);

  return {
    revision: state.revision,
    revisionOf: (conversationId) => (state.perConversation[conversationId] ?? 0) + state.reconnects,
    alerts: state.alerts,
    dismissAlert: (id) => dispatch({ type: 'dismiss', id }),
    acknowledged: (id, at) => dispatch({ type: 'acknowledged', id, at }),
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
