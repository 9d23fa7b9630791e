// Handoff rules end to end through GraphQL, on the embedded default (in-process queue) and on Postgres with
// Redis and BullMQ workers: each trigger type hands a conversation from the bot to humans, with the reason
// visible, routing within the rule's team, its priority, and its message in the app service's outbox for
// the connector; each also has a case that must not fire. Bad input stores nothing; another organization
// reaches nothing.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApplication, type Application } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { rawId } from './support/fixtures.js';
import { eventually, REDIS_URL } from './support/live.js';
import { RUN_QUEUE_PREFIX, RUN_RATE_LIMIT_PREFIX } from './support/process.js';
import { startWebhookReceiver } from './support/receivers.js';
import { httpGraphQL } from './support/http-graphql.js';

const scenarios = [
  { label: 'the embedded default', kind: 'embedded' as const, redis: false },
  { label: 'Postgres with Redis and BullMQ workers', kind: 'postgres' as const, redis: true },
];

describe.each(scenarios)('handoff rules on $label', ({ kind, redis }) => {
  let db: TestDatabase;
  let app: Application;
  let url: string;
  let owner: { authorization: string };
  let organizationId: string;
  let agentId: string;
  let teamId: string;
  let emptyTeamId: string;
  let serial = 0;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;

  const { gql, ok } = httpGraphQL(() => url);

  async function signUpOwner(label: string) {
    const { signUp } = await ok<{ signUp: { token: string } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      { i: { email: `${label}-${kind}@example.test`, password: 'correct-horse-battery', name: label } },
    );
    const auth = { authorization: `Bearer ${signUp.token}` };
    const { createOrganization } = await ok<{ createOrganization: { organization: { id: string } } }>(
      `mutation($n: String!) { createOrganization(input: { name: $n }) { organization { id } } }`,
      { n: `${label} org` },
      auth,
    );
    return { auth, organizationId: createOrganization.organization.id };
  }

  /** An app service of its own (rules limited to it), and an API key that writes messages. */
  async function channel(settings: Record<string, unknown> = {}) {
    serial += 1;
    const { createAppService } = await ok<{ createAppService: { id: string } }>(
      `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
      { i: { organizationId, name: `line ${serial}`, channel: 'WHATSAPP', ...settings } },
      owner,
    );
    const { createApiKey } = await ok<{ createApiKey: { secret: string } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "bot", scopes: [MESSAGES_WRITE, CONVERSATIONS_READ] }) { secret } }`,
      { o: organizationId },
      owner,
    );
    return { appServiceId: createAppService.id, key: { 'x-api-key': createApiKey.secret } };
  }

  async function rule(input: Record<string, unknown>) {
    const { createHandoffRule } = await ok<{ createHandoffRule: { id: string } }>(
      `mutation($i: CreateHandoffRuleInput!) { createHandoffRule(input: $i) { id } }`,
      { i: { organizationId, ...input } },
      owner,
    );
    return createHandoffRule.id;
  }

  async function ingest(
    line: { appServiceId: string; key: Record<string, string> },
    customer: string,
    content: string,
    extra: Record<string, unknown> = {},
  ) {
    const { ingestMessage } = await ok<{
      ingestMessage: { message: { id: string }; conversation: { id: string } };
    }>(
      `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } conversation { id } } }`,
      {
        i: {
          appServiceId: line.appServiceId,
          customer: { externalId: customer, name: 'Sara' },
          content,
          ...extra,
        },
      },
      line.key,
    );
    return { messageId: rawId(ingestMessage.message.id), conversationId: ingestMessage.conversation.id };
  }

  /** Waits until the message's job has run: its outbox row is deleted when the job completes. */
  async function settled(messageId: string) {
    await eventually(
      async () =>
        (await app.db.prisma.outboxJob.count({
          where: { payload: { path: ['messageId'], equals: messageId } },
        })) === 0,
      'the job of the message settled',
      20_000,
    );
  }

  const CONVERSATION = `query($id: ID!) { node(id: $id) { ... on Conversation { status priority
    assignee { id } team { id name }
    handoffReason { trigger evidence ruleName rule { id } at } } } }`;
  type Read = {
    node: {
      status: string;
      priority: string;
      assignee: { id: string } | null;
      team: { id: string; name: string } | null;
      handoffReason: {
        trigger: string;
        evidence: string;
        ruleName: string;
        rule: { id: string } | null;
      } | null;
    };
  };
  const read = async (id: string) => (await ok<Read>(CONVERSATION, { id }, owner)).node;
  async function handedOver(id: string) {
    let node!: Read['node'];
    await eventually(
      async () => {
        node = await read(id);
        return node.status !== 'BOT';
      },
      'the handoff',
      20_000,
    );
    return node;
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    hooks = await startWebhookReceiver();
    const config = loadConfig({
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PREFIX: RUN_RATE_LIMIT_PREFIX,
      ...(redis ? { REDIS_URL, QUEUE_PREFIX: `${RUN_QUEUE_PREFIX}-handoff` } : {}),
    });
    app = await startApplication(config, pino({ level: 'silent' }), { db });
    url = app.server!.url;
    const signedUp = await signUpOwner('owner');
    owner = signedUp.auth;
    organizationId = signedUp.organizationId;
    const { node } = await ok<{ node: { agents: { edges: { node: { id: string } }[] } } }>(
      `query($o: ID!) { node(id: $o) { ... on Organization { agents(first: 5) { edges { node { id } } } } } }`,
      { o: organizationId },
      owner,
    );
    agentId = node.agents.edges[0]!.node.id;
    const { createTeam } = await ok<{ createTeam: { id: string } }>(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId, name: 'Support', agentIds: [agentId] } },
      owner,
    );
    teamId = createTeam.id;
    // Every test hands conversations to this agent: room for all of them.
    await ok(
      `mutation($i: UpdateAgentInput!) { updateAgent(input: $i) { id } }`,
      { i: { id: agentId, maxConcurrent: 100 } },
      owner,
    );
    const empty = await ok<{ createTeam: { id: string } }>(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId, name: 'Night shift' } },
      owner,
    );
    emptyTeamId = empty.createTeam.id;
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await hooks?.close();
    await db?.drop();
  });

  it('KEYWORD: hands over to the team with its priority and message; a negated mention does not', async () => {
    const line = await channel({ notificationWebhookUrls: [hooks.url] });
    const ruleId = await rule({
      name: 'Refunds',
      triggerType: 'KEYWORD',
      trigger: { keywords: ['refund', 'استرداد'] },
      targetTeamId: teamId,
      setPriority: 'HIGH',
      messageTemplate: 'Hi {{contact_name}}, {{team_name}} will take it from here.',
      appServiceIds: [line.appServiceId],
    });

    const negated = await ingest(line, '+971500000101', "I don't want a refund, just the baggage allowance");
    await settled(negated.messageId);
    expect((await read(negated.conversationId)).status).toBe('BOT');

    const wanted = await ingest(line, '+971500000102', 'I need a REFUND for my ticket');
    const node = await handedOver(wanted.conversationId);
    expect(node).toMatchObject({
      status: 'ASSIGNED',
      priority: 'HIGH',
      assignee: { id: agentId },
      team: { id: teamId, name: 'Support' },
      handoffReason: { trigger: 'KEYWORD', evidence: 'REFUND', ruleName: 'Refunds', rule: { id: ruleId } },
    });
    // The rule's message waits in the outbox for the connector, as an agent's reply would.
    const { node: service } = await ok<{
      node: {
        outbox: { edges: { node: { content: string; senderType: string; conversation: { id: string } } }[] };
      };
    }>(
      `query($id: ID!) { node(id: $id) { ... on AppService { outbox(first: 10) { edges { node { content senderType conversation { id } } } } } } }`,
      { id: line.appServiceId },
      line.key,
    );
    expect(service.outbox.edges.map((edge) => edge.node)).toEqual([
      {
        content: 'Hi Sara, Support will take it from here.',
        senderType: 'SYSTEM',
        conversation: { id: wanted.conversationId },
      },
    ]);
    // The business is told through its channels, as for an escalation.
    await eventually(
      () => hooks.bodies.some((body) => body.type === 'conversation.handed_over'),
      'the webhook',
      20_000,
    );
    const told = hooks.bodies.filter((body) => body.type === 'conversation.handed_over');
    expect(told).toHaveLength(1);
    expect(told[0]!.data).toMatchObject({
      event: 'conversation_handed_over',
      conversation_id: wanted.conversationId,
      customer_number: '+971500000102',
      headline: 'was handed to your team (Refunds, KEYWORD)',
      evidence: 'REFUND',
    });
  }, 60_000);

  it('INTENT: an explicit request for a human above the confidence; a KEYWORD in another language does not fire', async () => {
    const line = await channel();
    await rule({
      name: 'Arabic refunds',
      triggerType: 'KEYWORD',
      trigger: { keywords: ['refund'], languages: ['ar'] },
      priority: 1,
      appServiceIds: [line.appServiceId],
    });
    await rule({
      name: 'Humans',
      triggerType: 'INTENT',
      trigger: { escalationType: 'SPEAK_TO_HUMAN', minConfidence: 0.5 },
      priority: 2,
      appServiceIds: [line.appServiceId],
    });
    const english = await ingest(line, '+971500000201', 'Can I get a refund on this booking?');
    await settled(english.messageId);
    expect((await read(english.conversationId)).status).toBe('BOT');

    const human = await ingest(line, '+971500000202', 'I want to talk to a real person');
    const node = await handedOver(human.conversationId);
    expect(node.handoffReason).toMatchObject({ trigger: 'INTENT', ruleName: 'Humans' });
    expect(node.handoffReason!.evidence).toContain('SPEAK_TO_HUMAN');
  }, 60_000);

  it('SENTIMENT: an angry customer goes to humans without asking; a happy one stays with the bot', async () => {
    const line = await channel();
    await rule({
      name: 'Angry customers',
      triggerType: 'SENTIMENT',
      trigger: { emotions: ['ANGRY'], minIntensity: 30 },
      setPriority: 'URGENT',
      appServiceIds: [line.appServiceId],
    });
    const happy = await ingest(line, '+971500000301', 'Thank you so much, great service!');
    await settled(happy.messageId);
    expect((await read(happy.conversationId)).status).toBe('BOT');

    const angry = await ingest(line, '+971500000302', 'This is a useless service, I am furious!');
    const node = await handedOver(angry.conversationId);
    expect(node).toMatchObject({ priority: 'URGENT', handoffReason: { trigger: 'SENTIMENT' } });
    expect(node.handoffReason!.evidence).toMatch(/^ANGRY \(-\d+\)$/);
  }, 60_000);

  it('CONFIDENCE: a bot reply below the threshold hands over; a confident one does not', async () => {
    const line = await channel();
    await rule({
      name: 'Unsure bot',
      triggerType: 'CONFIDENCE',
      trigger: { below: 0.5, fallbackReplies: false },
      targetTeamId: emptyTeamId,
      appServiceIds: [line.appServiceId],
    });
    const first = await ingest(line, '+971500000401', 'Which terminal does my flight leave from?');
    const sure = await ingest(line, '+971500000401', 'Terminal 3.', { senderType: 'BOT', confidence: 0.9 });
    await settled(first.messageId);
    await settled(sure.messageId);
    expect((await read(first.conversationId)).status).toBe('BOT');

    const unsure = await ingest(line, '+971500000401', 'Maybe terminal 1?', {
      senderType: 'BOT',
      confidence: 0.2,
    });
    const node = await handedOver(unsure.conversationId);
    // The team has nobody: the conversation waits in the queue, the bot no longer answers.
    expect(node).toMatchObject({
      status: 'OPEN',
      assignee: null,
      team: { id: emptyTeamId },
      handoffReason: { trigger: 'CONFIDENCE', evidence: 'confidence 0.2 < 0.5' },
    });
  }, 60_000);

  it('MANUAL: requestHandoff by the integrator, once; another organization cannot', async () => {
    const line = await channel();
    await rule({
      name: 'Bot asks',
      triggerType: 'MANUAL',
      targetTeamId: teamId,
      appServiceIds: [line.appServiceId],
    });
    const { conversationId } = await ingest(line, '+971500000501', 'Hello');
    const REQUEST = `mutation($i: RequestHandoffInput!) { requestHandoff(input: $i) { id status handoffReason { trigger evidence ruleName } } }`;
    const stranger = await signUpOwner('stranger');
    const { createApiKey } = await ok<{ createApiKey: { secret: string } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "bot", scopes: [MESSAGES_WRITE] }) { secret } }`,
      { o: stranger.organizationId },
      stranger.auth,
    );
    const foreign = await gql(
      REQUEST,
      { i: { conversationId, reason: 'x' } },
      { 'x-api-key': createApiKey.secret },
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await read(conversationId)).status).toBe('BOT');

    const requested = await ok<{ requestHandoff: { status: string; handoffReason: Record<string, string> } }>(
      REQUEST,
      { i: { conversationId, reason: 'customer asked for a refund over 500 USD' } },
      line.key,
    );
    expect(requested.requestHandoff).toMatchObject({
      status: 'ASSIGNED',
      handoffReason: {
        trigger: 'MANUAL',
        ruleName: 'Bot asks',
        evidence: 'customer asked for a refund over 500 USD',
      },
    });
    const again = await gql(REQUEST, { i: { conversationId, reason: 'again' } }, line.key);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  }, 60_000);

  it('a handoff whose rule names no team goes to the team serving the app service', async () => {
    const line = await channel();
    const { createTeam } = await ok<{ createTeam: { id: string; appServices: { id: string }[] } }>(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id appServices { id } } }`,
      {
        i: {
          organizationId,
          name: `Line team ${serial}`,
          agentIds: [agentId],
          appServiceIds: [line.appServiceId],
        },
      },
      owner,
    );
    expect(createTeam.appServices).toEqual([{ id: line.appServiceId }]);
    const { conversationId } = await ingest(line, '+971500000551', 'Hello');
    const requested = await ok<{ requestHandoff: { team: { id: string } | null; status: string } }>(
      `mutation($i: RequestHandoffInput!) { requestHandoff(input: $i) { status team { id } } }`,
      { i: { conversationId, reason: 'no rule for this line' } },
      line.key,
    );
    expect(requested.requestHandoff).toEqual({ status: 'ASSIGNED', team: { id: createTeam.id } });
  }, 60_000);

  it('TIMEOUT: a customer left waiting past the limit goes to humans; one the bot answered does not', async () => {
    const line = await channel();
    await rule({
      name: 'Nobody answered',
      triggerType: 'TIMEOUT',
      trigger: { seconds: 10 },
      appServiceIds: [line.appServiceId],
    });
    const past = new Date(Date.now() - 15_000).toISOString();
    const answered = await ingest(line, '+971500000601', 'Is my visa ready?', { sentAt: past });
    await ingest(line, '+971500000601', 'Checking, one moment.', { senderType: 'BOT', sentAt: past });
    const waiting = await ingest(line, '+971500000602', 'Is my visa ready?', { sentAt: past });
    const node = await handedOver(waiting.conversationId);
    expect(node.handoffReason).toMatchObject({ trigger: 'TIMEOUT', ruleName: 'Nobody answered' });
    expect(node.handoffReason!.evidence).toMatch(/^waited \d+ s \(limit 10 s\)$/);
    expect((await read(answered.conversationId)).status).toBe('BOT');
  }, 60_000);

  it('outside business hours: queues the handoff and sends the out-of-office message, once', async () => {
    const line = await channel();
    const closed = { timezone: 'Asia/Dubai', weekly: {} };
    const configured = await gql(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { outOfOfficeMessage businessHours { timezone } } }`,
      {
        i: {
          id: line.appServiceId,
          outOfOfficeMessage: 'We are closed now, {{contact_name}}; we will answer soon.',
          businessHours: closed,
        },
      },
      owner,
    );
    expect(configured.data).toEqual({
      updateAppService: {
        outOfOfficeMessage: 'We are closed now, {{contact_name}}; we will answer soon.',
        businessHours: { timezone: 'Asia/Dubai' },
      },
    });
    const overlapping = await gql(
      `mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { id } }`,
      {
        i: {
          id: teamId,
          businessHours: {
            timezone: 'UTC',
            weekly: {
              mon: [
                ['09:00', '12:00'],
                ['10:00', '11:00'],
              ],
            },
          },
        },
      },
      owner,
    );
    expect(overlapping.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await rule({
      name: 'After hours',
      triggerType: 'KEYWORD',
      trigger: { keywords: ['agent'] },
      targetTeamId: teamId,
      appServiceIds: [line.appServiceId],
    });

    const first = await ingest(line, '+971500000701', 'I need an agent');
    const node = await handedOver(first.conversationId);
    // The team's agent is available, but the hours are closed: the conversation waits.
    expect(node).toMatchObject({ status: 'OPEN', assignee: null, team: { id: teamId } });
    // Back to the bot, and handed over again: the out-of-office message went out once.
    await ok(
      `mutation($i: ConversationIdInput!) { releaseConversation(input: $i) { id } }`,
      { i: { conversationId: first.conversationId } },
      owner,
    );
    const again = await ingest(line, '+971500000701', 'agent please');
    expect(again.conversationId).toBe(first.conversationId);
    await handedOver(first.conversationId);
    const { node: service } = await ok<{ node: { outbox: { edges: { node: { content: string } }[] } } }>(
      `query($id: ID!) { node(id: $id) { ... on AppService { outbox(first: 10) { edges { node { content } } } } } }`,
      { id: line.appServiceId },
      line.key,
    );
    expect(service.outbox.edges.map((edge) => edge.node.content)).toEqual([
      'We are closed now, Sara; we will answer soon.',
    ]);

    // Open hours: the next handoff is assigned at once.
    await ok(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { id } }`,
      { i: { id: line.appServiceId, businessHours: null } },
      owner,
    );
    const open = await ingest(line, '+971500000702', 'I need an agent');
    expect(await handedOver(open.conversationId)).toMatchObject({
      status: 'ASSIGNED',
      assignee: { id: agentId },
    });
  }, 60_000);

  it('refuses bad rules and stores nothing; another organization reaches neither rules nor teams', async () => {
    const CREATE = `mutation($i: CreateHandoffRuleInput!) { createHandoffRule(input: $i) { id } }`;
    const code = async (input: Record<string, unknown>, auth = owner) =>
      (await gql(CREATE, { i: { organizationId, name: 'bad', ...input } }, auth)).errors?.[0]?.extensions
        ?.code;
    const before = await app.db.prisma.handoffRule.count();
    expect(
      await code({ triggerType: 'INTENT', trigger: { keywords: ['x'], escalationType: 'SPEAK_TO_HUMAN' } }),
    ).toBe('BAD_USER_INPUT');
    expect(await code({ triggerType: 'KEYWORD', trigger: { patterns: ['(unclosed'] } })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code({ triggerType: 'KEYWORD', trigger: { patterns: ['(a+)+$'] } })).toBe('BAD_USER_INPUT');
    expect(await code({ triggerType: 'KEYWORD', trigger: {} })).toBe('BAD_USER_INPUT');
    expect(await code({ triggerType: 'TIMEOUT', trigger: { seconds: 1 } })).toBe('BAD_USER_INPUT');
    expect(await code({ triggerType: 'MANUAL', messageTemplate: 'Hi {{password}}' })).toBe('BAD_USER_INPUT');

    const stranger = await signUpOwner('outsider');
    const { createTeam } = await ok<{ createTeam: { id: string } }>(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId: stranger.organizationId, name: 'Theirs' } },
      stranger.auth,
    );
    expect(await code({ triggerType: 'MANUAL', targetTeamId: createTeam.id })).toBe('BAD_USER_INPUT');
    // Their owner cannot create, change or see our rules and teams.
    expect(await code({ triggerType: 'MANUAL' }, stranger.auth)).toBe('FORBIDDEN');
    const ours = await rule({ name: 'ours', triggerType: 'MANUAL', active: false });
    const update = await gql(
      `mutation($i: UpdateHandoffRuleInput!) { updateHandoffRule(input: $i) { id } }`,
      { i: { id: ours, active: true } },
      stranger.auth,
    );
    expect(update.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const teamInOurs = await gql(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId, name: 'Planted' } },
      stranger.auth,
    );
    expect(teamInOurs.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const teamDelete = await gql(
      `mutation($i: DeleteTeamInput!) { deleteTeam(input: $i) }`,
      { i: { id: teamId } },
      stranger.auth,
    );
    expect(teamDelete.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const teamUpdate = await gql(
      `mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { id } }`,
      { i: { id: teamId, name: 'Hijacked' } },
      stranger.auth,
    );
    expect(teamUpdate.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const addForeignAgent = await gql(
      `mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { id } }`,
      { i: { id: createTeam.id, agentIds: [agentId] } },
      stranger.auth,
    );
    expect(addForeignAgent.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const seen = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: ours }, stranger.auth);
    expect(seen.data?.node).toBeNull();
    const seenTeam = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: teamId }, stranger.auth);
    expect(seenTeam.data?.node).toBeNull();
    const deleted = await gql(
      `mutation($i: DeleteHandoffRuleInput!) { deleteHandoffRule(input: $i) }`,
      { i: { id: ours } },
      stranger.auth,
    );
    expect(deleted.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const line = await channel();
    const dryRun = await gql(
      `query($i: TestHandoffRulesInput!) { testHandoffRules(input: $i) { matched } }`,
      { i: { appServiceId: line.appServiceId, content: 'refund' } },
      stranger.auth,
    );
    expect(dryRun.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await app.db.prisma.handoffRule.count()).toBe(before + 1);
  }, 60_000);

  it('testHandoffRules says which rules would match and why, and changes nothing', async () => {
    const line = await channel();
    const refunds = await rule({
      name: 'Dry refunds',
      triggerType: 'KEYWORD',
      trigger: { keywords: ['refund'] },
      priority: 1,
      appServiceIds: [line.appServiceId],
    });
    const angry = await rule({
      name: 'Dry angry',
      triggerType: 'SENTIMENT',
      trigger: { emotions: ['ANGRY'] },
      priority: 2,
      appServiceIds: [line.appServiceId],
    });
    const conversations = await app.db.prisma.conversation.count();
    const { testHandoffRules } = await ok<{
      testHandoffRules: { rule: { id: string }; matched: boolean; evidence: string | null }[];
    }>(
      `query($i: TestHandoffRulesInput!) { testHandoffRules(input: $i) { rule { id } matched evidence } }`,
      { i: { appServiceId: line.appServiceId, content: 'I want my refund' } },
      owner,
    );
    expect(testHandoffRules).toEqual([
      { rule: { id: refunds }, matched: true, evidence: 'refund' },
      { rule: { id: angry }, matched: false, evidence: null },
    ]);
    expect(await app.db.prisma.conversation.count()).toBe(conversations);
    const asKey = await gql(
      `query($i: TestHandoffRulesInput!) { testHandoffRules(input: $i) { matched } }`,
      { i: { appServiceId: line.appServiceId, content: 'refund' } },
      line.key,
    );
    expect(asKey.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }, 60_000);
});
