// The signed-in agent's own availability in an organization (available / away), a switch that can sit in
// the conversation view's header or in the top bar: routing only assigns to available agents.
import { useMutation, useQuery } from 'urql';
import { ErrorBanner } from './errors.js';
import { ConsoleSetAvailabilityDocument, ConsoleTeamWorkDocument } from './generated/graphql.js';
import { useI18n } from './i18n.js';

export function AvailabilitySwitch({
  organizationId,
  viewerUserId,
}: {
  organizationId: string;
  viewerUserId: string | null;
}) {
  const { t } = useI18n();
  // The same query as the assign picker: urql answers both from one request.
  const [work] = useQuery({ query: ConsoleTeamWorkDocument, variables: { organizationId } });
  const [state, setAvailability] = useMutation(ConsoleSetAvailabilityDocument);
  const organization = work.data?.node?.__typename === 'Organization' ? work.data.node : null;
  const own = organization?.agents.edges.find((edge) => edge.node.user?.id === viewerUserId)?.node;
  if (!organization) return null;
  if (!own) {
    return (
      <span className="muted availability" data-testid="availability-none">
        {t.work.noAgentProfile}
      </span>
    );
  }
  return (
    <span className="availability">
      <button
        type="button"
        role="switch"
        aria-checked={own.available}
        className={`availability__switch availability__switch--${own.available ? 'on' : 'off'}`}
        disabled={state.fetching}
        data-testid="availability-switch"
        data-available={own.available ? 'true' : 'false'}
        onClick={() => void setAvailability({ organizationId, available: !own.available })}
      >
        <span className="availability__dot" aria-hidden="true" />
        <span className="visually-hidden">{t.work.availability}: </span>
        {own.available ? t.work.available : t.work.away}
      </button>
      <ErrorBanner error={state.error} />
    </span>
  );
}
