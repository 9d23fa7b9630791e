// Customer satisfaction (CSAT): an app service may ask, after each resolution of a conversation a human
// agent answered, "how did we do?" in the conversation's language. The survey is a SYSTEM message with
// origin "csat", outbound like agents' replies (the integrator reads it from the outbox or the
// outboundMessage subscription and delivers it), written in the resolution's transaction. The integrator
// records the customer's 1–5 answer with recordCsatResponse; the figures feed monitoring and the reports.
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { Message } from '../generated/prisma/client.js';
import { badInput, conflict, forbidden } from '../kernel/errors.js';
import { languageSchema } from './agents.js';
import { placeBySentAt } from './conversation-store.js';
import { nowOf, type ServiceDeps } from './deps.js';
import type { Tx } from './transactions.js';

/** The origin of survey messages (outbound: outbound-messages.ts and publisher.ts isOutbound list it). */
export const CSAT_MESSAGE_ORIGIN = 'csat';
/** A rating of 4 or 5 counts as satisfied. */
export const SATISFIED_FROM = 4;
export const MAX_CSAT_COMMENT = 2000;
const MAX_TEMPLATE = 1000;
const MAX_LANGUAGES = 20;

/** Used for a language the app service has no template for, when its default language has none either. */
export const DEFAULT_CSAT_TEMPLATES: Readonly<Record<string, string>> = {
  en: 'How did we do? Reply with a number from 1 (poor) to 5 (excellent).',
  ar: 'كيف كانت خدمتنا؟ أرسل رقمًا من 1 (سيئة) إلى 5 (ممتازة).',
  fr: 'Comment avons-nous fait ? Répondez par un chiffre de 1 (mauvais) à 5 (excellent).',
};

export interface CsatSettings {
  enabled: boolean;
  /** The template used when the conversation's language has none (or is unknown). */
  defaultLanguage: string;
  /** Language code (en, ar, fr-CA…) → survey text. Empty: the platform's templates. */
  templates: Record<string, string>;
}

const templateSchema = z.string().trim().min(1, 'must not be empty').max(MAX_TEMPLATE);

export const csatSettingsSchema = z
  .object({
    enabled: z.boolean(),
    defaultLanguage: languageSchema.transform((language) => language.toLowerCase()).default('en'),
    templates: z
      .array(z.object({ language: languageSchema, text: templateSchema }))
      .max(MAX_LANGUAGES)
      .default([]),
  })
  .transform((input, context): CsatSettings => {
    const templates: Record<string, string> = {};
    for (const { language, text } of input.templates) {
      const key = language.toLowerCase();
      if (key in templates) context.addIssue({ code: 'custom', message: `${key} is given twice` });
      templates[key] = text;
    }
    const known = Object.keys(templates).length ? templates : DEFAULT_CSAT_TEMPLATES;
    if (!known[input.defaultLanguage]) {
      context.addIssue({
        code: 'custom',
        message: `no template for the default language ${input.defaultLanguage}`,
      });
    }
    return { enabled: input.enabled, defaultLanguage: input.defaultLanguage, templates };
  });

export type CsatSettingsInput = z.input<typeof csatSettingsSchema>;

/** Validated settings for storage: BAD_USER_INPUT with the first problem. */
export function checkedCsatSettings(input: CsatSettingsInput): CsatSettings {
  const parsed = csatSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw badInput(`Invalid CSAT survey: ${field}${issue.message}.`);
  }
  return parsed.data;
}

/** The stored settings (null or malformed: none). */
export function storedCsatSettings(value: unknown): CsatSettings | null {
  if (!value || typeof value !== 'object') return null;
  const stored = value as Partial<CsatSettings>;
  if (typeof stored.enabled !== 'boolean' || typeof stored.defaultLanguage !== 'string') return null;
  const templates = stored.templates && typeof stored.templates === 'object' ? stored.templates : {};
  return { enabled: stored.enabled, defaultLanguage: stored.defaultLanguage, templates };
}

/**
 * The survey's language and text for a conversation's language: its own template ("ar-AE", then "ar"),
 * else the default language's; the app service's templates, or the platform's when it has none.
 */
export function surveyText(
  settings: CsatSettings,
  language: string | null,
): { language: string; text: string } {
  const templates = Object.keys(settings.templates).length ? settings.templates : DEFAULT_CSAT_TEMPLATES;
  const wanted = language?.toLowerCase() ?? '';
  for (const candidate of [wanted, wanted.split(/[-_]/)[0] ?? '', settings.defaultLanguage]) {
    const text = candidate ? templates[candidate] : undefined;
    if (text) return { language: candidate, text };
  }
  // Settings are checked when stored; a default language without a template falls back to English.
  return { language: 'en', text: DEFAULT_CSAT_TEMPLATES.en! };
}

/**
 * Called in the transaction that resolved the conversation (agent or auto-resolve), under its lock: when
 * its app service asks for surveys and a human agent answered it (a public reply: firstReplyAt), writes the
 * survey message and its CsatSurvey row, keyed by the resolution (conversation, resolvedAt), so a resolution
 * sends at most one survey; a reopening and a new resolution send another. Returns the message, or null.
 */
export async function sendCsatSurvey(tx: Tx, conversationId: string, now: Date): Promise<Message | null> {
  const conversation = await tx.conversation.findUniqueOrThrow({
    where: { id: conversationId },
    include: { appService: { select: { csatSurvey: true, channel: true } } },
  });
  const settings = storedCsatSettings(conversation.appService.csatSurvey);
  if (!settings?.enabled || conversation.status !== 'RESOLVED' || !conversation.resolvedAt) return null;
  if (!conversation.firstReplyAt) return null;
  const resolvedAt = conversation.resolvedAt;
  const already = await tx.csatSurvey.findUnique({
    where: { conversationId_resolvedAt: { conversationId, resolvedAt } },
    select: { id: true },
  });
  if (already) return null;
  // Who handled it: the assignee at resolution, else (released before resolving) the last agent who replied.
  const agentId =
    conversation.assigneeId ??
    (
      await tx.message.findFirst({
        where: { conversationId, senderType: 'AGENT', private: false },
        orderBy: { index: 'desc' },
        select: { senderAgentId: true },
      })
    )?.senderAgentId ??
    null;
  const { language, text } = surveyText(settings, conversation.language);
  const index = await placeBySentAt(tx, conversation, now);
  const message = await tx.message.create({
    data: {
      organizationId: conversation.organizationId,
      appServiceId: conversation.appServiceId,
      conversationId,
      index,
      senderType: 'SYSTEM',
      content: text,
      channel: conversation.appService.channel,
      origin: CSAT_MESSAGE_ORIGIN,
      // Unique per app service: a second attempt for this resolution could never store a second message.
      idempotencyKey: `csat:${conversationId}:${resolvedAt.toISOString()}`,
      metaData: { csat: { language } },
      sentAt: now,
    },
  });
  await tx.conversation.update({
    where: { id: conversationId },
    data: { messageCount: { increment: 1 }, lastMessageAt: now },
  });
  await tx.csatSurvey.create({
    data: {
      organizationId: conversation.organizationId,
      appServiceId: conversation.appServiceId,
      conversationId,
      messageId: message.id,
      agentId,
      teamId: conversation.teamId,
      language,
      resolvedAt,
    },
  });
  return message;
}

export interface CsatResponseInput {
  conversationId: string;
  rating: number;
  comment?: string | null;
}

export const ratingSchema = z.number().int().min(1).max(5);
export const commentSchema = z.string().trim().max(MAX_CSAT_COMMENT);

/**
 * The customer's answer to the conversation's latest survey, for an integrator key with MESSAGES_WRITE
 * (messages:ingest, the permission that brings the customer's words in). The same answer again is a retry
 * and returns the stored survey; a different second answer is CONFLICT, as is an answer with no survey
 * sent. Another organization's conversation is FORBIDDEN, like an unknown one.
 */
export async function recordCsatResponse(
  deps: Pick<ServiceDeps, 'prisma' | 'now'>,
  actor: Actor,
  input: CsatResponseInput,
) {
  actor.assertAuthenticated();
  if (!ratingSchema.safeParse(input.rating).success) throw badInput('rating must be an integer from 1 to 5.');
  const parsedComment = commentSchema.safeParse(input.comment ?? '');
  if (!parsedComment.success) throw badInput(`comment has at most ${MAX_CSAT_COMMENT} characters.`);
  const comment = parsedComment.data || null;
  return deps.prisma.$transaction(async (tx) => {
    const conversation = await tx.conversation.findFirst({
      where: {
        id: input.conversationId,
        organizationId: { in: actor.organizationIdsWith('messages:ingest') },
      },
      select: { id: true },
    });
    if (!conversation) throw forbidden();
    // Locks the latest survey: two answers at once are decided one after the other.
    const [latest] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM csat_surveys WHERE conversation_id = ${conversation.id}::uuid
      ORDER BY resolved_at DESC LIMIT 1 FOR UPDATE`;
    if (!latest) throw conflict('No satisfaction survey was sent in this conversation.');
    const survey = await tx.csatSurvey.findUniqueOrThrow({ where: { id: latest.id } });
    if (survey.rating !== null) {
      if (survey.rating === input.rating && survey.comment === comment) return survey;
      throw conflict('This survey was answered already.');
    }
    return tx.csatSurvey.update({
      where: { id: survey.id },
      data: { rating: input.rating, comment, respondedAt: nowOf(deps) },
    });
  });
}

export interface CsatFigures {
  /** Surveys sent after resolutions in the range. */
  surveysSent: number;
  /** Of those, how many were answered. */
  responses: number;
  /** The average rating (1–5) of the answers; null without answers. */
  averageRating: number | null;
  /** The share of answers rating 4 or 5, in percent; null without answers. */
  satisfiedPercent: number | null;
  /** responses / surveysSent, in percent; null when no survey went out. */
  responseRate: number | null;
  /** Sum of the ratings and count of satisfied answers, to weigh sums over several app services. */
  ratingSum: number;
  satisfied: number;
}

export const emptyCsatFigures = (): CsatFigures => ({
  surveysSent: 0,
  responses: 0,
  averageRating: null,
  satisfiedPercent: null,
  responseRate: null,
  ratingSum: 0,
  satisfied: 0,
});

/** The figures from their counts (also the organization's from summed counts). */
export function csatFiguresOf(counts: {
  surveysSent: number;
  responses: number;
  ratingSum: number;
  satisfied: number;
}): CsatFigures {
  const { surveysSent, responses, ratingSum, satisfied } = counts;
  return {
    surveysSent,
    responses,
    ratingSum,
    satisfied,
    averageRating: responses ? ratingSum / responses : null,
    satisfiedPercent: responses ? (100 * satisfied) / responses : null,
    responseRate: surveysSent ? (100 * responses) / surveysSent : null,
  };
}

/**
 * CSAT per app service over surveys whose resolution is in [from, to), one aggregate statement, unchecked
 * (monitoring.ts checks the reader's reach).
 */
export async function csatByAppService(
  prisma: PrismaClient,
  ids: string[],
  from: Date,
  to: Date,
): Promise<Map<string, CsatFigures>> {
  const result = new Map<string, CsatFigures>(ids.map((id) => [id, emptyCsatFigures()]));
  if (ids.length === 0) return result;
  const rows = await prisma.$queryRaw<
    { app_service_id: string; sent: number; responses: number; rating_sum: number; satisfied: number }[]
  >`
    SELECT app_service_id::text AS app_service_id, count(*)::int AS sent, count(rating)::int AS responses,
      coalesce(sum(rating), 0)::int AS rating_sum,
      count(*) FILTER (WHERE rating >= ${SATISFIED_FROM})::int AS satisfied
    FROM csat_surveys
    WHERE app_service_id IN (${Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`))})
      AND resolved_at >= ${from.toISOString()}::timestamptz AND resolved_at < ${to.toISOString()}::timestamptz
    GROUP BY app_service_id`;
  for (const row of rows) {
    result.set(
      row.app_service_id,
      csatFiguresOf({
        surveysSent: row.sent,
        responses: row.responses,
        ratingSum: row.rating_sum,
        satisfied: row.satisfied,
      }),
    );
  }
  return result;
}
