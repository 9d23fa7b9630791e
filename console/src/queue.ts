// The escalations queue of the organization, as the API keeps it: the unacknowledged escalations of
// every app service (newest first) and their count. It survives reloads because it is fetched, not
// collected: a new escalation (escalationRaised) or a reconnect refetches it, and escalations that were
// not there before beep and notify.
import { useEffect, useRef, useState } from 'react';
import { useQuery, useSubscription, type CombinedError } from 'urql';
import {
  ConsoleEscalationQueueDocument,
  ConsoleOrganizationEscalationRaisedDocument,
  type QueueEscalationFragment,
} from './generated/graphql.js';
import { useOnReconnect, useRefetchOn } from './live.js';

export interface EscalationQueue {
  escalations: QueueEscalationFragment[];
  /** Unacknowledged escalations the business was notified of (the API's badge). */
  unacknowledged: number;
  /** More than the list shows. */
  totalCount: number;
  /** Escalations that arrived while this page was open, newest first (for the live region). */
  arrived: QueueEscalationFragment[];
  loaded: boolean;
  error: CombinedError | null;
  refetch(): void;
}

export function useEscalationQueue(
  organizationId: string,
  onArrived: (escalation: QueueEscalationFragment) => void,
): EscalationQueue {
  const [result, reexecute] = useQuery({
    query: ConsoleEscalationQueueDocument,
    variables: { organizationId },
  });
  const refetch = () => reexecute({ requestPolicy: 'network-only' });
  const [revision, setRevision] = useState(0);
  const [subscription] = useSubscription({
    query: ConsoleOrganizationEscalationRaisedDocument,
    variables: { organizationId },
  });
  const raised = subscription.data?.escalationRaised.id;
  useEffect(() => {
    if (raised) setRevision((value) => value + 1);
  }, [raised]);
  useRefetchOn(revision, refetch, 100);
  // What was raised while the socket was down is not sent again: fetch the queue.
  useOnReconnect(refetch);

  const node = result.data?.node;
  const organization = node?.__typename === 'Organization' ? node : null;
  const escalations = organization?.escalations.edges.map((edge) => edge.node) ?? [];

  // Escalations not seen before (not on the first load) are signalled, whether live or caught up.
  const seen = useRef<Set<string> | null>(null);
  const [arrived, setArrived] = useState<QueueEscalationFragment[]>([]);
  const latestOnArrived = useRef(onArrived);
  useEffect(() => {
    latestOnArrived.current = onArrived;
  });
  useEffect(() => {
    if (!organization) return;
    const ids = organization.escalations.edges.map((edge) => edge.node.id);
    if (seen.current === null) {
      seen.current = new Set(ids);
      return;
    }
    const fresh = organization.escalations.edges
      .map((edge) => edge.node)
      .filter((escalation) => !seen.current!.has(escalation.id));
    for (const escalation of fresh) seen.current.add(escalation.id);
    if (fresh.length === 0) return;
    setArrived((previous) => [...fresh, ...previous].slice(0, 20));
    for (const escalation of fresh) latestOnArrived.current(escalation);
  }, [organization]);
  useEffect(() => {
    seen.current = null;
    setArrived([]);
  }, [organizationId]);

  return {
    escalations,
    unacknowledged: organization?.unacknowledgedEscalations ?? 0,
    totalCount: organization?.escalations.totalCount ?? 0,
    arrived,
    loaded: organization !== null,
    error: result.error ?? subscription.error ?? null,
    refetch,
  };
}
