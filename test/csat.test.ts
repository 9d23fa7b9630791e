// CSAT end to end through GraphQL, on each backend: the settings (OWNER/ADMIN, validated), the survey after
// a resolution (in the conversation's language, once per resolution, in the outbox like an agent's reply,
// only when enabled and a human answered; also after auto-resolve), the integrator's answer
// (recordCsatResponse: validated, a retry returns the first, a different second answer is CONFLICT,
// another organization is refused), and the figures in monitoring, exact on a known data set.
import { PubSub } from 'graphql-subscriptions';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import { autoResolveIdle } from '../src/services/auto-resolve.js';
import { DEFAULT_CSAT_TEMPLATES } from '../src/services/csat.js';
import { codesOf, createTestApp, type Auth, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createAppService,
  createOrganization,
  globalId,
  rawId,
  signUp,
} from './support/fixtures.js';

const UPDATE = `mutation($i: UpdateAppServiceInput!) {
  updateAppService(input: $i) { csatSurvey { enabled defaultLanguage templates { language text } } }
}`;
const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { conversation { id } } }`;
const TAKE_OVER = `mutation($i: TakeOverConversationInput!) { takeOverConversation(input: $i) { conversation { id } } }`;
const STATUS = `mutation($i: SetConversationStatusInput!) { setConversationStatus(input: $i) { status } }`;
const REOPEN = `mutation($i: ConversationIdInput!) { reopenConversation(input: $i) { status } }`;
const RESPOND = `mutation($i: RecordCsatResponseInput!) {
  recordCsatResponse(input: $i) { conversationId agentId teamId language rating comment respondedAt }
}`;
const OUTBOX = `query($id: ID!) { node(id: $id) { ... on AppService {
  outbox(first: 200) { edges { node { id content senderType origin conversation { id } } } }
} } }`;

const AR = 'كيف كانت خدمتنا اليوم؟ أرسل رقمًا من 1 إلى 5';
const EN = 'How did we do? Reply 1 to 5.';
const FR = 'Comment avons-nous fait ? Répondez de 1 à 5.';

describe.each(backends)('CSAT on %s', (kind) => {
  let app: TestApp;
  let owner: Auth;
  let ownerAgentId: string;
  let orgId: string;
  let line: string;
  let key: Auth; // MESSAGES_WRITE
  let readKey: Auth; // CONVERSATIONS_READ only
  let stranger: Auth;
  let strangerKey: Auth;
  let customer = 0;

  const ok = async <T = Record<string, unknown>>(query: string, variables: object, auth: Auth) => {
    const response = await app.gql<T>(query, variables as Record<string, unknown>, auth);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!;
  };

  /** A customer writes; the conversation is in `language` (as the classifier would set it). */
  async function conversation(language: string | null, appServiceId = line) {
    const { ingestMessage } = await ok<{ ingestMessage: { conversation: { id: string } } }>(
      INGEST,
      { i: { appServiceId, customer: { externalId: `+9715077${++customer}` }, content: 'My order is late' } },
      key,
    );
    const id = ingestMessage.conversation.id;
    await app.db.prisma.conversation.update({ where: { id: rawId(id) }, data: { language } });
    return id;
  }
  const answered = async (id: string) =>
    ok(TAKE_OVER, { i: { conversationId: id, message: 'I am on it.' } }, owner);
  const resolve = (id: string) => ok(STATUS, { i: { conversationId: id, status: 'RESOLVED' } }, owner);
  const surveysOf = (id: string) =>
    app.db.prisma.message.findMany({
      where: { conversationId: rawId(id), origin: 'csat' },
      orderBy: { index: 'asc' },
    });
  async function outbox() {
    const data = await ok<{
      node: {
        outbox: {
          edges: {
            node: {
              id: string;
              content: string;
              senderType: string;
              origin: string;
              conversation: { id: string };
            };
          }[];
        };
      };
    }>(OUTBOX, { id: line }, key);
    return data.node.outbox.edges.map((edge) => edge.node);
  }
  const enable = (input: Record<string, unknown>, auth = owner, id = line) =>
    app.gql<{ updateAppService: { csatSurvey: unknown } }>(UPDATE, { i: { id, csatSurvey: input } }, auth);

  beforeAll(async () => {
    app = await createTestApp(kind);
    const user = await signUp(app, 'csat-owner');
    owner = { token: user.token };
    orgId = await createOrganization(app, user.token, 'CSAT org');
    line = await createAppService(app, user.token, orgId, 'CSAT line');
    ownerAgentId = (
      await app.db.prisma.agent.findFirstOrThrow({
        where: { organizationId: rawId(orgId), userId: rawId(user.user.id) },
      })
    ).id;
    key = { apiKey: (await createApiKey(app, user.token, orgId, ['MESSAGES_WRITE'])).secret };
    readKey = { apiKey: (await createApiKey(app, user.token, orgId, ['CONVERSATIONS_READ'])).secret };
    const other = await signUp(app, 'csat-stranger');
    stranger = { token: other.token };
    const theirs = await createOrganization(app, other.token, 'Other org');
    strangerKey = {
      apiKey: (await createApiKey(app, other.token, theirs, ['MESSAGES_WRITE', 'ANALYTICS_READ'])).secret,
    };
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('is set per app service by OWNER/ADMIN, validated, and refused to others', async () => {
    const settings = {
      enabled: true,
      defaultLanguage: 'en',
      templates: [
        { language: 'en', text: EN },
        { language: 'ar', text: AR },
        { language: 'fr', text: FR },
      ],
    };
    const before = await app.db.prisma.appService.findUniqueOrThrow({ where: { id: rawId(line) } });
    // A default language without a template, a template too long, a language given twice, a bad code.
    for (const bad of [
      { ...settings, defaultLanguage: 'de' },
      { ...settings, templates: [{ language: 'en', text: 'x'.repeat(1001) }] },
      { ...settings, templates: [settings.templates[0], settings.templates[0]] },
      { ...settings, templates: [{ language: 'english!', text: EN }] },
      { ...settings, templates: [{ language: 'en', text: '   ' }] },
    ]) {
      expect(codesOf(await enable(bad)), JSON.stringify(bad)).toEqual(['BAD_USER_INPUT']);
    }
    // An agent of the organization, and the other organization's owner and key.
    const agentUser = await signUp(app, 'csat-agent');
    await ok(
      `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
      { i: { organizationId: orgId, email: agentUser.email, role: 'AGENT' } },
      owner,
    );
    for (const auth of [{ token: agentUser.token }, stranger, strangerKey, key]) {
      expect(codesOf(await enable(settings, auth))).toEqual(['FORBIDDEN']);
    }
    const after = await app.db.prisma.appService.findUniqueOrThrow({ where: { id: rawId(line) } });
    expect(after.csatSurvey).toEqual(before.csatSurvey);
    expect(after.csatSurvey).toBeNull();

    const { updateAppService } = await ok<{ updateAppService: { csatSurvey: unknown } }>(
      UPDATE,
      { i: { id: line, csatSurvey: settings } },
      owner,
    );
    // Read back by language.
    const stored = {
      ...settings,
      templates: [settings.templates[1], settings.templates[0], settings.templates[2]],
    };
    expect(updateAppService.csatSurvey).toEqual(stored);
    // Changing another setting leaves the survey as it is.
    const renamed = await ok<{ updateAppService: { csatSurvey: unknown } }>(
      UPDATE,
      { i: { id: line, name: 'Renamed' } },
      owner,
    );
    expect(renamed.updateAppService.csatSurvey).toEqual(stored);
  });

  it('sends one survey per resolution, in the conversation language, through the outbox', async () => {
    const arabic = await conversation('ar');
    await answered(arabic);
    await resolve(arabic);
    // Resolving a resolved conversation again changes nothing and sends nothing.
    await resolve(arabic);
    let surveys = await surveysOf(arabic);
    expect(surveys).toHaveLength(1);
    expect(surveys[0]).toMatchObject({
      senderType: 'SYSTEM',
      private: false,
      content: AR,
      deliveredAt: null,
    });
    const pending = await outbox();
    expect(
      pending.filter((message) => message.origin === 'csat' && message.conversation.id === arabic),
    ).toEqual([
      expect.objectContaining({ id: globalId('Message', surveys[0]!.id), content: AR, senderType: 'SYSTEM' }),
    ]);
    const stored = await app.db.prisma.csatSurvey.findMany({ where: { conversationId: rawId(arabic) } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      language: 'ar',
      agentId: ownerAgentId,
      messageId: surveys[0]!.id,
      rating: null,
    });

    // Reopened and resolved again: a new resolution, a new survey.
    await ok(REOPEN, { i: { conversationId: arabic } }, owner);
    await resolve(arabic);
    surveys = await surveysOf(arabic);
    expect(surveys.map((survey) => survey.content)).toEqual([AR, AR]);
    expect(await app.db.prisma.csatSurvey.count({ where: { conversationId: rawId(arabic) } })).toBe(2);

    // fr-CA → fr; German has no template → the default language (en); unknown language → en.
    for (const [language, text] of [
      ['fr-CA', FR],
      ['de', EN],
      [null, EN],
    ] as const) {
      const id = await conversation(language);
      await answered(id);
      await resolve(id);
      expect(
        (await surveysOf(id)).map((survey) => survey.content),
        String(language),
      ).toEqual([text]);
    }
  });

  it('sends nothing when no human answered, when closed without resolving, or when disabled', async () => {
    const botOnly = await conversation('en');
    await resolve(botOnly);
    expect(await surveysOf(botOnly)).toEqual([]);
    const closed = await conversation('en');
    await answered(closed);
    await ok(STATUS, { i: { conversationId: closed, status: 'CLOSED' } }, owner);
    expect(await surveysOf(closed)).toEqual([]);

    const quiet = await createAppService(app, owner.token!, orgId, 'Quiet line');
    await ok(UPDATE, { i: { id: quiet, csatSurvey: { enabled: false } } }, owner);
    const off = await conversation('en', quiet);
    await answered(off);
    await resolve(off);
    expect(await surveysOf(off)).toEqual([]);
    // Never configured: no survey either.
    const plain = await createAppService(app, owner.token!, orgId, 'Plain line');
    const none = await conversation('en', plain);
    await answered(none);
    await resolve(none);
    expect(await surveysOf(none)).toEqual([]);
    expect(
      await app.db.prisma.csatSurvey.count({ where: { appServiceId: { in: [rawId(quiet), rawId(plain)] } } }),
    ).toBe(0);
  });

  it('sends the survey after an auto-resolve too, with the platform template when none is set', async () => {
    const idle = await createAppService(app, owner.token!, orgId, 'Idle line');
    await ok(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { id } }`,
      {
        i: {
          id: idle,
          autoResolveMinutes: 5,
          autoResolveHeld: true,
          csatSurvey: { enabled: true, defaultLanguage: 'ar' },
        },
      },
      owner,
    );
    const id = await conversation('fr', idle);
    await answered(id);
    await app.db.prisma.conversation.update({
      where: { id: rawId(id) },
      data: { lastMessageAt: new Date(Date.now() - 10 * 60_000) },
    });
    const logger = pino({ level: 'silent' });
    const realtime = new RealtimePublisher(new TopicBus(new PubSub()), logger);
    expect(await autoResolveIdle({ prisma: app.db.prisma, realtime })).toBeGreaterThanOrEqual(1);
    expect((await surveysOf(id)).map((survey) => survey.content)).toEqual([DEFAULT_CSAT_TEMPLATES.fr]);
    // A second pass finds nothing more to resolve and sends nothing more.
    await autoResolveIdle({ prisma: app.db.prisma, realtime });
    expect(await surveysOf(id)).toHaveLength(1);
  });

  it('records the answer once, validated, with the agent and team of the resolution; others are refused', async () => {
    const team = await app.db.prisma.team.create({ data: { organizationId: rawId(orgId), name: 'Care' } });
    const id = await conversation('en');
    await app.db.prisma.conversation.update({ where: { id: rawId(id) }, data: { teamId: team.id } });
    const unsurveyed = await conversation('en');
    // No survey yet: nothing to answer.
    expect(codesOf(await app.gql(RESPOND, { i: { conversationId: unsurveyed, rating: 5 } }, key))).toEqual([
      'CONFLICT',
    ]);
    await answered(id);
    await resolve(id);
    const snapshot = () => app.db.prisma.csatSurvey.findMany({ where: { conversationId: rawId(id) } });
    const before = await snapshot();
    for (const [input, code] of [
      [{ rating: 0 }, 'BAD_USER_INPUT'],
      [{ rating: 6 }, 'BAD_USER_INPUT'],
      [{ rating: -1 }, 'BAD_USER_INPUT'],
      [{ rating: 4, comment: 'x'.repeat(2001) }, 'BAD_USER_INPUT'],
    ] as const) {
      expect(codesOf(await app.gql(RESPOND, { i: { conversationId: id, ...input } }, key))).toEqual([code]);
    }
    // Another organization's key and owner, a signed-in user of this one, a key without MESSAGES_WRITE.
    for (const auth of [strangerKey, stranger, owner, readKey]) {
      expect(codesOf(await app.gql(RESPOND, { i: { conversationId: id, rating: 1 } }, auth))).toEqual([
        'FORBIDDEN',
      ]);
    }
    expect(await snapshot()).toEqual(before);

    const first = await ok<{ recordCsatResponse: Record<string, unknown> }>(
      RESPOND,
      { i: { conversationId: id, rating: 4, comment: '  Quick and kind  ' } },
      key,
    );
    expect(first.recordCsatResponse).toMatchObject({
      conversationId: id,
      agentId: globalId('Agent', ownerAgentId),
      teamId: globalId('Team', team.id),
      language: 'en',
      rating: 4,
      comment: 'Quick and kind',
    });
    // The same answer again is a retry: the same result, nothing changed.
    const retry = await ok<{ recordCsatResponse: Record<string, unknown> }>(
      RESPOND,
      { i: { conversationId: id, rating: 4, comment: 'Quick and kind' } },
      key,
    );
    expect(retry.recordCsatResponse).toEqual(first.recordCsatResponse);
    expect(codesOf(await app.gql(RESPOND, { i: { conversationId: id, rating: 1 } }, key))).toEqual([
      'CONFLICT',
    ]);
    const stored = await snapshot();
    expect(stored.map((survey) => [survey.rating, survey.comment])).toEqual([[4, 'Quick and kind']]);
  });

  it('monitoring shows the CSAT figures, exact on a known data set, and only to its organization', async () => {
    const prisma = app.db.prisma;
    const figures = await createAppService(app, owner.token!, orgId, 'Figures line');
    const second = await createAppService(app, owner.token!, orgId, 'Second line');
    const T0 = Date.parse('2025-05-05T00:00:00Z');
    // Ratings per line; null: not answered. The last of each line is outside the range.
    const data: [string, (number | null)[], number][] = [
      [figures, [5, 4, 2, null, 1], 5],
      [second, [5, null], 3],
    ];
    for (const [appServiceId, ratings, outside] of data) {
      for (const [n, rating] of [...ratings, outside].entries()) {
        const id = await conversation('en', appServiceId);
        const inside = n < ratings.length;
        await prisma.csatSurvey.create({
          data: {
            organizationId: rawId(orgId),
            appServiceId: rawId(appServiceId),
            conversationId: rawId(id),
            language: 'en',
            resolvedAt: new Date(T0 + (inside ? n * 3600_000 : 3 * 86_400_000)),
            rating,
            respondedAt: rating === null ? null : new Date(T0 + n * 3600_000 + 60_000),
          },
        });
      }
    }
    const range = { from: new Date(T0).toISOString(), to: new Date(T0 + 86_400_000).toISOString() };
    const CSAT = 'csat { surveysSent responses averageRating satisfiedPercent responseRate }';
    const one = await ok<{ node: { monitoring: { csat: unknown } } }>(
      `query($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on AppService { monitoring(from: $from, to: $to) { ${CSAT} } } } }`,
      { id: figures, ...range },
      owner,
    );
    // 5 sent, 4 answered (5, 4, 2, 1): average 3, satisfied 2 of 4, answered 4 of 5.
    expect(one.node.monitoring.csat).toEqual({
      surveysSent: 5,
      responses: 4,
      averageRating: 3,
      satisfiedPercent: 50,
      responseRate: 80,
    });
    const ORG = `query($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on Organization {
      monitoring(from: $from, to: $to) { ${CSAT} appServices { appService { name } ${CSAT} } } } } }`;
    const all = await ok<{
      node: { monitoring: { csat: unknown; appServices: { appService: { name: string }; csat: unknown }[] } };
    }>(ORG, { id: orgId, ...range }, owner);
    // Both lines: 7 sent, 5 answered (5, 4, 2, 1, 5): average 17/5, satisfied 3 of 5, answered 5 of 7.
    expect(all.node.monitoring.csat).toEqual({
      surveysSent: 7,
      responses: 5,
      averageRating: 3.4,
      satisfiedPercent: 60,
      responseRate: (100 * 5) / 7,
    });
    expect(
      all.node.monitoring.appServices.find((row) => row.appService.name === 'Second line')?.csat,
    ).toEqual({
      surveysSent: 2,
      responses: 1,
      averageRating: 5,
      satisfiedPercent: 100,
      responseRate: 50,
    });
    // The other organization reads nothing of it.
    for (const auth of [stranger, strangerKey]) {
      const theirs = await app.gql(ORG, { id: orgId, ...range }, auth);
      expect(theirs.data?.node ?? null).toBeNull();
      const direct = await app.gql(
        `query($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on AppService { monitoring(from: $from, to: $to) { ${CSAT} } } } }`,
        { id: figures, ...range },
        auth,
      );
      expect(direct.data?.node ?? null).toBeNull();
    }
  });
});
