// Which inbox to work in: one of the viewer's organizations, then one of its app services.
import type { ConsoleViewerQuery } from './generated/graphql.js';
import { useI18n } from './i18n.js';

export type Organization = ConsoleViewerQuery['viewer']['organizations']['edges'][number]['node'];
export type AppService = Organization['appServices']['edges'][number]['node'];

export interface Selection {
  organizationId: string | null;
  /** An app service's id, ALL_APP_SERVICES, or null (not chosen yet). */
  appServiceId: string | null;
}

/** The choice of every app service of the organization at once. */
export const ALL_APP_SERVICES = 'all';

export function OrgPicker({
  organizations,
  organization,
  appService,
  allAppServices,
  onChange,
}: {
  organizations: Organization[];
  organization: Organization | undefined;
  appService: AppService | undefined;
  allAppServices: boolean;
  onChange: (selection: Selection) => void;
}) {
  const { t } = useI18n();
  const appServices = organization?.appServices.edges.map((edge) => edge.node) ?? [];
  return (
    <div className="picker" data-testid="org-picker">
      <label className="field field--inline">
        <span className="field__label">{t.header.organization}</span>
        <select
          className="input"
          value={organization?.id ?? ''}
          data-testid="org-select"
          onChange={(event) => onChange({ organizationId: event.target.value || null, appServiceId: null })}
        >
          <option value="">{t.header.choose}</option>
          {organizations.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
              {candidate.viewerRole ? ` · ${t.roles[candidate.viewerRole]}` : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="field field--inline">
        <span className="field__label">{t.header.appService}</span>
        <select
          className="input"
          value={allAppServices ? ALL_APP_SERVICES : (appService?.id ?? '')}
          disabled={!organization}
          data-testid="app-service-select"
          onChange={(event) =>
            onChange({ organizationId: organization?.id ?? null, appServiceId: event.target.value || null })
          }
        >
          <option value="">{t.header.choose}</option>
          {appServices.length > 1 && <option value={ALL_APP_SERVICES}>{t.header.allAppServices}</option>}
          {appServices.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name} · {t.channels[candidate.channel]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** Shown instead of the inbox until an app service is chosen. */
export function PickerHint({
  organizations,
  organization,
}: {
  organizations: Organization[];
  organization: Organization | undefined;
}) {
  const { t } = useI18n();
  const text =
    organizations.length === 0
      ? t.picker.noOrganizations
      : organization && organization.appServices.edges.length === 0
        ? t.picker.noAppServices
        : t.picker.title;
  return (
    <section className="card empty-state" data-testid="picker-hint">
      <p>{text}</p>
    </section>
  );
}
