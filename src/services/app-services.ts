import type { Actor } from '../auth/actor.js';
import type { Channel, EscalationType } from '../generated/prisma/enums.js';
import { Prisma } from '../generated/prisma/client.js';
import type { BusinessHours } from './business-hours.js';
import { checkedCsatSettings, type CsatSettingsInput } from './csat.js';
import { changedFields, recordAudit } from './audit-log.js';
import type { ServiceDeps } from './deps.js';
import { forbidden } from '../kernel/errors.js';
import { checkedWebhookUrl } from './webhook-endpoints.js';

export interface AppServiceSettingsInput {
  name?: string | null;
  externalId?: string | null;
  botEnabled?: boolean | null;
  timezone?: string | null;
  notificationWhatsappNumbers?: string[] | null;
  notificationEmails?: string[] | null;
  notificationWebhookUrls?: string[] | null;
  enabledEscalationTypes?: EscalationType[] | null;
  escalationCooldownMinutes?: number | null;
  autoAssignOnEscalation?: boolean | null;
  topicLabels?: boolean | null;
  autoResolveMinutes?: number | null;
  autoResolveHeld?: boolean | null;
  /** null clears (always open); absent leaves as is. */
  businessHours?: BusinessHours | null;
  /** null or "" clears. */
  outOfOfficeMessage?: string | null;
  /** The satisfaction survey after resolutions (csat.ts); null removes it; absent leaves as is. */
  csatSurvey?: CsatSettingsInput | null;
}

export interface CreateAppServiceInput extends AppServiceSettingsInput {
  organizationId: string;
  name: string;
  channel: Channel;
}

export async function createAppService(deps: ServiceDeps, actor: Actor, input: CreateAppServiceInput) {
  actor.assertCan(input.organizationId, 'appServices:manage');
  const { organizationId, channel, name, ...settings } = input;
  await checkWebhookUrls(deps, settings.notificationWebhookUrls);
  return deps.prisma.appService.create({
    data: {
      ...(settingsData(settings) as Prisma.AppServiceUncheckedCreateInput),
      ...(settings.businessHours ? { businessHours: settings.businessHours } : {}),
      ...(settings.csatSurvey ? { csatSurvey: { ...checkedCsatSettings(settings.csatSurvey) } } : {}),
      organizationId,
      channel,
      name,
    },
  });
}

export async function updateAppService(
  deps: ServiceDeps,
  actor: Actor,
  input: AppServiceSettingsInput & { id: string },
) {
  const { id, ...settings } = input;
  const appService = await findAppServiceFor(deps, actor, id, 'appServices:manage');
  await checkWebhookUrls(deps, settings.notificationWebhookUrls);
  return deps.prisma.$transaction(async (tx) => {
    const updated = await tx.appService.update({
      where: { id: appService.id },
      data: {
        ...settingsData(settings),
        ...(settings.businessHours !== undefined
          ? { businessHours: settings.businessHours ?? Prisma.DbNull }
          : {}),
        ...(settings.outOfOfficeMessage !== undefined
          ? { outOfOfficeMessage: settings.outOfOfficeMessage || null }
          : {}),
        ...(settings.csatSurvey !== undefined
          ? {
              csatSurvey: settings.csatSurvey
                ? { ...checkedCsatSettings(settings.csatSurvey) }
                : Prisma.DbNull,
            }
          : {}),
      },
    });
    const hours = changedFields(appService, updated, ['businessHours']);
    if (hours)
      await recordAudit(tx, {
        organizationId: appService.organizationId,
        actor,
        action: 'business_hours.updated',
        targetType: 'APP_SERVICE',
        targetId: appService.id,
        changes: hours,
      });
    return updated;
  });
}

/** The app service if the actor holds the permission in its organization; FORBIDDEN otherwise (also when unknown). */
export async function findAppServiceFor(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  permission: Parameters<Actor['can']>[1],
) {
  actor.assertAuthenticated();
  const appService = await deps.prisma.appService.findFirst({
    where: { id, organizationId: { in: actor.organizationIdsWith(permission) } },
  });
  if (!appService) throw forbidden();
  return appService;
}

/** Only the settings given are changed; null and undefined both mean "leave as is". */
function settingsData(settings: AppServiceSettingsInput): Prisma.AppServiceUncheckedUpdateInput {
  const data: Prisma.AppServiceUncheckedUpdateInput = {};
  const { businessHours: _hours, csatSurvey: _csat, ...plain } = settings;
  for (const [key, value] of Object.entries(plain) as [keyof AppServiceSettingsInput, unknown][]) {
    if (value !== undefined && value !== null) (data as Record<string, unknown>)[key] = value;
  }
  return data;
}

/** Webhook URLs are refused when they point at private or loopback addresses, as endpoints are (SSRF). */
async function checkWebhookUrls(deps: ServiceDeps, urls: string[] | null | undefined): Promise<void> {
  for (const url of urls ?? []) await checkedWebhookUrl(deps, url);
}
