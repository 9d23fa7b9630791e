// SLA policies end to end, on the embedded default and on Postgres with Redis and BullMQ workers: the
// schedule raises a WARNING at 80 % of the first-response time and a BREACH at the deadline, each once, on
// the slaAlert subscription; a reply stops the clock; a PENDING conversation raises nothing; the report
// counts them. Time passing is simulated by moving the conversation's escalatedAt back in the database.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApplication, type Application } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { checkSlas } from '../src/services/sla.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { rawId } from './support/fixtures.js';
import { eventually, REDIS_URL, subscribe } from './support/live.js';
import { RUN_QUEUE_PREFIX, RUN_RATE_LIMIT_PREFIX } from './support/process.js';
import { startWebhookReceiver } from './support/receivers.js';
import { httpGraphQL } from './support/http-graphql.js';

const scenarios = [
  { label: 'the embedded default', kind: 'embedded' as const, redis: false },
  { label: 'Postgres with Redis and BullMQ workers', kind: 'postgres' as const, redis: true },
];

describe.each(scenarios)('SLA policies on $label', ({ kind, redis }) => {
  let db: TestDatabase;
  let app: Application;
  let url: string;
  let owner: { authorization: string };
  let organizationId: string;
  let appServiceId: string;
  let key: Record<string, string>;
  let customer = 0;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;

  const { gql, ok } = httpGraphQL(() => url);

  /** A conversation handed to humans now, by requestHandoff. */
  async function handedOver(line = appServiceId) {
    const { ingestMessage } = await ok<{ ingestMessage: { conversation: { id: string } } }>(
      `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { conversation { id } } }`,
      {
        i: {
          appServiceId: line,
          customer: { externalId: `+97150200${++customer}` },
          content: 'Where is my refund?',
        },
      },
      key,
    );
    const conversationId = ingestMessage.conversation.id;
    await ok(
      `mutation($i: RequestHandoffInput!) { requestHandoff(input: $i) { id } }`,
      { i: { conversationId, reason: 'refund' } },
      key,
    );
    return conversationId;
  }
  /** As if the conversation had left the bot `seconds` ago. */
  const escalatedAgo = (conversationId: string, seconds: number) =>
    app.db.prisma.conversation.update({
      where: { id: rawId(conversationId) },
      data: { escalatedAt: new Date(Date.now() - seconds * 1000) },
    });

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    hooks = await startWebhookReceiver();
    const config = loadConfig({
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PREFIX: RUN_RATE_LIMIT_PREFIX,
      ...(redis ? { REDIS_URL, QUEUE_PREFIX: `${RUN_QUEUE_PREFIX}-sla` } : {}),
    });
    app = await startApplication(config, pino({ level: 'silent' }), { db });
    url = app.server!.url;
    const { signUp } = await ok<{ signUp: { token: string } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      { i: { email: `sla-${kind}@example.test`, password: 'correct-horse-battery', name: 'Owner' } },
    );
    owner = { authorization: `Bearer ${signUp.token}` };
    const { createOrganization } = await ok<{ createOrganization: { organization: { id: string } } }>(
      `mutation { createOrganization(input: { name: "SLA org" }) { organization { id } } }`,
      {},
      owner,
    );
    organizationId = createOrganization.organization.id;
    const { createAppService } = await ok<{ createAppService: { id: string } }>(
      `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
      { i: { organizationId, name: 'line', channel: 'WHATSAPP', notificationWebhookUrls: [hooks.url] } },
      owner,
    );
    appServiceId = createAppService.id;
    const { createApiKey } = await ok<{ createApiKey: { secret: string } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "bot", scopes: [MESSAGES_WRITE] }) { secret } }`,
      { o: organizationId },
      owner,
    );
    key = { 'x-api-key': createApiKey.secret };
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await hooks?.close();
    await db?.drop();
  });

  it('refuses a policy without targets, with targets out of range, or for another organization', async () => {
    const CREATE = `mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { id } }`;
    const code = async (input: Record<string, unknown>, auth = owner) =>
      (await gql(CREATE, { i: { organizationId, name: 'bad', ...input } }, auth)).errors?.[0]?.extensions
        ?.code;
    expect(await code({})).toBe('BAD_USER_INPUT');
    expect(await code({ firstResponseSeconds: 10 })).toBe('BAD_USER_INPUT');
    const { signUp } = await ok<{ signUp: { token: string } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      {
        i: {
          email: `sla-stranger-${kind}@example.test`,
          password: 'correct-horse-battery',
          name: 'Stranger',
        },
      },
    );
    const stranger = { authorization: `Bearer ${signUp.token}` };
    expect(await code({ firstResponseSeconds: 60 }, stranger)).toBe('FORBIDDEN');
    const { createOrganization } = await ok<{ createOrganization: { organization: { id: string } } }>(
      `mutation { createOrganization(input: { name: "Theirs" }) { organization { id } } }`,
      {},
      stranger,
    );
    const theirs = await ok<{ createAppService: { id: string } }>(
      `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
      { i: { organizationId: createOrganization.organization.id, name: 'x', channel: 'WHATSAPP' } },
      stranger,
    );
    expect(await code({ firstResponseSeconds: 60, appServiceId: theirs.createAppService.id })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await app.db.prisma.slaPolicy.count()).toBe(0);
    // Our policy and our alerts are out of their reach.
    const { createSlaPolicy } = await ok<{ createSlaPolicy: { id: string } }>(
      `mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { id } }`,
      { i: { organizationId, name: 'ours', resolutionSeconds: 86_400, active: false } },
      owner,
    );
    const deleted = await gql(
      `mutation($i: DeleteSlaPolicyInput!) { deleteSlaPolicy(input: $i) }`,
      { i: { id: createSlaPolicy.id } },
      stranger,
    );
    expect(deleted.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const seen = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: createSlaPolicy.id }, stranger);
    expect(seen.data?.node).toBeNull();
    const spy = await subscribe(
      url,
      stranger,
      `subscription($o: ID) { slaAlert(organizationId: $o) { kind } }`,
      {
        o: organizationId,
      },
    );
    await spy.ended;
    expect(spy.errors[0]?.extensions?.code).toBe('FORBIDDEN');
    await spy.stop();
    await ok(
      `mutation($i: DeleteSlaPolicyInput!) { deleteSlaPolicy(input: $i) }`,
      { i: { id: createSlaPolicy.id } },
      owner,
    );
    expect(await app.db.prisma.slaPolicy.count()).toBe(0);
  });

  it('stops the clocks while PENDING: the time waited moves the deadlines later', async () => {
    // An app service of its own: its policy is the most specific there, and only there.
    const { createAppService } = await ok<{ createAppService: { id: string } }>(
      `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
      { i: { organizationId, name: 'other line', channel: 'WHATSAPP' } },
      owner,
    );
    const other = createAppService.id;
    await ok(
      `mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { id } }`,
      {
        i: { organizationId, name: 'Resolution in 10 minutes', appServiceId: other, resolutionSeconds: 600 },
      },
      owner,
    );
    const conversationId = await handedOver(other);
    const status = (to: string) =>
      ok(
        `mutation($i: SetConversationStatusInput!) { setConversationStatus(input: $i) { status } }`,
        { i: { conversationId, status: to } },
        owner,
      );
    await status('PENDING');
    // As if it had waited for the customer for half an hour.
    await app.db.prisma.conversation.update({
      where: { id: rawId(conversationId) },
      data: { pendingSince: new Date(Date.now() - 1800_000) },
    });
    await status('OPEN');
    const row = await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: rawId(conversationId) } });
    expect(row.pendingSince).toBeNull();
    expect(row.pausedSeconds).toBeGreaterThanOrEqual(1800);
    expect(row.pausedSeconds).toBeLessThan(1800 + 60);

    // The schedule runs meanwhile: each check runs a pass of its own, then reads what is stored.
    const pass = () => checkSlas({ prisma: app.db.prisma, realtime: app.realtime });
    const stored = async () =>
      (await app.db.prisma.slaAlert.findMany({ where: { conversationId: rawId(conversationId) } })).map(
        (alert) => [alert.target, alert.kind],
      );
    // Escalated 11 minutes ago: past 10 minutes, but it waited 30 of them.
    await escalatedAgo(conversationId, 660);
    await pass();
    expect(await stored()).toEqual([]);
    await escalatedAgo(conversationId, 600 + 1800 + 5);
    await pass();
    expect(await stored()).toEqual([['RESOLUTION', 'BREACH']]);
  });

  it('warns at 80 %, breaches at the deadline, once each; a reply stops the clock; PENDING raises nothing', async () => {
    await ok(
      `mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { id } }`,
      { i: { organizationId, name: 'First response in a minute', firstResponseSeconds: 60 } },
      owner,
    );
    const alerts = await subscribe<{
      slaAlert: { kind: string; target: string; dueAt: string; conversation: { id: string } };
    }>(
      url,
      owner,
      `subscription($o: ID) { slaAlert(organizationId: $o) { kind target dueAt conversation { id } } }`,
      { o: organizationId },
    );
    const late = await handedOver();
    const waiting = await handedOver();
    await ok(
      `mutation($i: SetConversationStatusInput!) { setConversationStatus(input: $i) { status } }`,
      { i: { conversationId: waiting, status: 'PENDING' } },
      owner,
    );
    await escalatedAgo(waiting, 3600);

    await escalatedAgo(late, 50);
    // Alerts of this test's conversations (the schedule may raise others of earlier tests meanwhile).
    const ofThese = () =>
      alerts.received.filter((alert) => [late, waiting].includes(alert.slaAlert.conversation.id));
    await eventually(() => ofThese().length >= 1, 'the warning', 20_000);
    const [warning] = ofThese();
    expect(warning!.slaAlert).toMatchObject({
      kind: 'WARNING',
      target: 'FIRST_RESPONSE',
      conversation: { id: late },
    });
    const escalatedAt = (await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: rawId(late) } }))
      .escalatedAt!;
    expect(new Date(warning!.slaAlert.dueAt).getTime()).toBe(escalatedAt.getTime() + 60_000);

    await escalatedAgo(late, 61);
    await eventually(() => ofThese().length >= 2, 'the breach', 20_000);
    const [, breach] = ofThese();
    expect(breach!.slaAlert).toMatchObject({
      kind: 'BREACH',
      target: 'FIRST_RESPONSE',
      conversation: { id: late },
    });
    const stored = await app.db.prisma.slaAlert.findMany({
      where: { conversationId: rawId(late), kind: 'BREACH' },
    });
    expect(stored).toHaveLength(1);
    // Raised at or after its deadline, never before.
    expect(stored[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(stored[0]!.dueAt.getTime());

    // A reply: the first-response clock stops; nothing more for this conversation, whatever the time.
    await ok(
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`,
      { i: { conversationId: late, content: 'Looking into it now.' } },
      owner,
    );
    await escalatedAgo(late, 3600);
    const before = await app.db.prisma.slaAlert.count();
    // The schedule's pass, run here twice more (as it runs every 5 seconds).
    const pass = () => checkSlas({ prisma: app.db.prisma, realtime: app.realtime });
    expect(await pass()).toEqual([]);
    expect(await pass()).toEqual([]);
    expect(await app.db.prisma.slaAlert.count()).toBe(before);
    expect(await app.db.prisma.slaAlert.count({ where: { conversationId: rawId(waiting) } })).toBe(0);
    expect(ofThese()).toHaveLength(2);
    // Both also went out through the app service's webhook, as escalations do.
    const sent = () =>
      hooks.bodies.filter((body) => body.type === 'sla.alert' && body.data.conversation_id === late);
    await eventually(() => sent().length === 2, 'the alerts by webhook', 20_000);
    expect(sent().map((body) => body.data.event)).toEqual([
      'sla_warning_first_response',
      'sla_breach_first_response',
    ]);
    expect(String(sent()[1]!.data.headline)).toMatch(
      /^is waiting: the first response target was missed \(due /,
    );
    await alerts.stop();

    const { node } = await ok<{
      node: {
        monitoring: { sla: { target: string; measured: number; breaches: number; withinTarget: number }[] };
      };
    }>(
      `query($o: ID!, $from: DateTime!, $to: DateTime!) { node(id: $o) { ... on Organization { monitoring(from: $from, to: $to) { sla { target measured breaches withinTarget } } } } }`,
      {
        o: organizationId,
        from: new Date(Date.now() - 86_400_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      },
      owner,
    );
    expect(node.monitoring.sla.find((row) => row.target === 'FIRST_RESPONSE')).toEqual({
      target: 'FIRST_RESPONSE',
      measured: 2,
      breaches: 1,
      withinTarget: 1,
    });
  }, 90_000);

  it('keeps the alerts to list: newest first, by kind and since; another organization reads none', async () => {
    // The warning and the breach of the test above are stored; slaAlerts lists what slaAlert delivered.
    const stored = await app.db.prisma.slaAlert.findMany({
      where: { organizationId: rawId(organizationId) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    expect(stored.length).toBeGreaterThanOrEqual(2);
    type Listed = { node: { slaAlerts: { edges: { node: { id: string; kind: string } }[] } } | null };
    const list = (args: string, headers = owner) =>
      ok<Listed>(
        `query($o: ID!) { node(id: $o) { ... on Organization { slaAlerts(${args}) { edges { node { id kind } } } } } }`,
        { o: organizationId },
        headers,
      );
    const all = await list('first: 100');
    expect(all.node!.slaAlerts.edges.map((edge) => rawId(edge.node.id))).toEqual(stored.map((a) => a.id));
    const breaches = await list('first: 100, kinds: [BREACH]');
    expect(breaches.node!.slaAlerts.edges.map((edge) => edge.node.kind)).toEqual(
      stored.filter((a) => a.kind === 'BREACH').map(() => 'BREACH'),
    );
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await list(`first: 100, since: "${future}"`)).node!.slaAlerts.edges).toEqual([]);
    const tooMany = await gql(
      `query($o: ID!) { node(id: $o) { ... on Organization { slaAlerts(first: 500) { edges { node { id } } } } } }`,
      { o: organizationId },
      owner,
    );
    expect(tooMany.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);

    // Another organization's owner: this organization is not there, and its own list is empty.
    const { signUp } = await ok<{ signUp: { token: string } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      { i: { email: `sla-other-${kind}@example.test`, password: 'correct-horse-battery', name: 'Other' } },
    );
    const other = { authorization: `Bearer ${signUp.token}` };
    const { createOrganization } = await ok<{ createOrganization: { organization: { id: string } } }>(
      `mutation { createOrganization(input: { name: "Other SLA org" }) { organization { id } } }`,
      {},
      other,
    );
    expect((await list('first: 100', other)).node).toBeNull();
    const own = await ok<Listed>(
      `query($o: ID!) { node(id: $o) { ... on Organization { slaAlerts(first: 100) { edges { node { id kind } } } } } }`,
      { o: createOrganization.organization.id },
      other,
    );
    expect(own.node!.slaAlerts.edges).toEqual([]);
  });
});
