import { z } from 'zod';
import type { CsatSurvey } from '../generated/prisma/client.js';
import * as csat from '../services/csat.js';
import { encodeGlobalId, decodeIdOf } from '../kernel/global-id.js';
import { builder } from './builder.js';
import { depsOf } from './deps.js';

/**
 * CSAT: the app service's survey settings (AppService.csatSurvey, set by updateAppService), the customer's
 * answer (recordCsatResponse) and the figures (Monitoring.csat, ReportRow). The survey itself is a message
 * of the conversation (sender SYSTEM, origin "csat") in the app service's outbox.
 */
const CsatTemplateRef = builder.objectRef<{ language: string; text: string }>('CsatTemplate').implement({
  fields: (t) => ({
    language: t.exposeString('language', { description: 'A language code: en, ar, fr-CA…' }),
    text: t.exposeString('text'),
  }),
});

export const CsatSurveySettingsRef = builder.objectRef<csat.CsatSettings>('CsatSurveySettings').implement({
  description:
    "The satisfaction survey sent after a resolution of a conversation a human agent answered, in the conversation's language.",
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled'),
    defaultLanguage: t.exposeString('defaultLanguage', {
      description: "The template used when there is none for the conversation's language.",
    }),
    templates: t.field({
      type: [CsatTemplateRef],
      description: "The app service's templates, by language; empty: the platform's (en, ar, fr).",
      resolve: (settings) =>
        Object.entries(settings.templates)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([language, text]) => ({ language, text })),
    }),
  }),
});

const CsatTemplateInput = builder.inputType('CsatTemplateInput', {
  fields: (t) => ({
    language: t.string({ validate: z.string().max(35) }),
    text: t.string({ description: 'At most 1,000 characters.', validate: z.string().max(1000) }),
  }),
});

export const CsatSurveyInput = builder.inputType('CsatSurveyInput', {
  description:
    'The survey settings; the default language must have a template (the platform has en, ar and fr when no template is given).',
  fields: (t) => ({
    enabled: t.boolean(),
    defaultLanguage: t.string({ required: false, description: 'Defaults to en.' }),
    templates: t.field({
      type: [CsatTemplateInput],
      required: false,
      description: 'At most 20 languages.',
      validate: z.array(z.unknown()).max(20).optional().nullable(),
    }),
  }),
});

/** An input's settings for the service: null removes the survey, undefined leaves it as is. */
export function csatSurveyOf(
  input: typeof CsatSurveyInput.$inferInput | null | undefined,
): csat.CsatSettingsInput | null | undefined {
  if (input === undefined || input === null) return input;
  return {
    enabled: input.enabled,
    ...(input.defaultLanguage ? { defaultLanguage: input.defaultLanguage } : {}),
    templates: input.templates ?? [],
  };
}

/** The settings as stored, for output. */
export const csatSettingsField = (value: unknown) => csat.storedCsatSettings(value);

const CsatResponseRef = builder.objectRef<CsatSurvey>('CsatResponse').implement({
  description:
    'A survey and its answer; agent and team are those that handled the conversation when resolved.',
  fields: (t) => ({
    conversationId: t.id({ resolve: (survey) => encodeGlobalId('Conversation', survey.conversationId) }),
    agentId: t.id({
      nullable: true,
      resolve: (survey) => (survey.agentId ? encodeGlobalId('Agent', survey.agentId) : null),
    }),
    teamId: t.id({
      nullable: true,
      resolve: (survey) => (survey.teamId ? encodeGlobalId('Team', survey.teamId) : null),
    }),
    language: t.exposeString('language'),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', description: 'The resolution it followed.' }),
    rating: t.exposeInt('rating', { nullable: true }),
    comment: t.exposeString('comment', { nullable: true }),
    respondedAt: t.expose('respondedAt', { type: 'DateTime', nullable: true }),
  }),
});

const RecordCsatResponseInput = builder.inputType('RecordCsatResponseInput', {
  fields: (t) => ({
    conversationId: t.id(),
    rating: t.int({ description: '1 (poor) to 5 (excellent).' }),
    comment: t.string({
      required: false,
      description: `At most ${csat.MAX_CSAT_COMMENT} characters.`,
    }),
  }),
});

builder.mutationField('recordCsatResponse', (t) =>
  t.field({
    type: CsatResponseRef,
    description:
      "The customer's answer to the conversation's latest survey (API keys with MESSAGES_WRITE). The same " +
      'answer again returns the stored one; a different second answer, or an answer without a survey, is CONFLICT.',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RecordCsatResponseInput }) },
    resolve: (_root, { input }, ctx) =>
      csat.recordCsatResponse(depsOf(ctx), ctx.actor, {
        conversationId: decodeIdOf('Conversation', input.conversationId),
        rating: input.rating,
        comment: input.comment ?? null,
      }),
  }),
);

export const CsatFiguresRef = builder.objectRef<csat.CsatFigures>('CsatFigures').implement({
  description: 'Satisfaction over the surveys sent after resolutions in the range.',
  fields: (t) => ({
    surveysSent: t.exposeInt('surveysSent'),
    responses: t.exposeInt('responses'),
    averageRating: t.exposeFloat('averageRating', {
      nullable: true,
      description: '1 to 5; null without answers.',
    }),
    satisfiedPercent: t.exposeFloat('satisfiedPercent', {
      nullable: true,
      description: 'Percent of answers rating 4 or 5.',
    }),
    responseRate: t.exposeFloat('responseRate', {
      nullable: true,
      description: 'Percent of surveys answered; null when none went out.',
    }),
  }),
});
