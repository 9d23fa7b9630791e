// The audit log end to end over HTTP, on the embedded default and on Postgres: every family of audited
// changes writes exactly one entry (per change) with the right actor, target and changes, and the request's
// x-request-id; a refused change writes none; only OWNER and ADMIN read the log, never another organization
// (not by filtering either); the database refuses UPDATE and DELETE of an entry but lets an organization go
// with its entries; no mutation touches entries; and no secret ever lands in one.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApplication, type Application } from '../src/app.js';
import { Actor } from '../src/auth/actor.js';
import { loadConfig } from '../src/config.js';
import { autoResolveIdle } from '../src/services/auto-resolve.js';
import { schema } from '../src/resolvers/schema.js';
import { recordAudit } from '../src/services/audit-log.js';
import { backends, createTestDatabase, type TestDatabase } from './support/db.js';
import { globalId, rawId } from './support/fixtures.js';
import { httpGraphQL } from './support/http-graphql.js';
import { RUN_RATE_LIMIT_PREFIX } from './support/process.js';

interface Entry {
  id: string;
  createdAt: string;
  action: string;
  targetType: string;
  targetId: string;
  changes: Record<string, { from: unknown; to: unknown }> | null;
  requestId: string | null;
  actor: { kind: string; label: string; user: { id: string } | null; apiKey: { id: string } | null };
}

const ENTRY = `id createdAt action targetType targetId changes requestId
  actor { kind label user { id } apiKey { id } }`;

const scenarios = [
  { label: 'the embedded default', kind: 'embedded' as const },
  { label: 'Postgres', kind: 'postgres' as const },
].filter((scenario) => backends.includes(scenario.kind));

describe.each(scenarios)('the audit log on $label', ({ kind }) => {
  let db: TestDatabase;
  let app: Application;
  let url: string;
  let serial = 0;
  let owner: Person;
  let admin: Person;
  let agent: Person;
  let analyst: Person;
  let stranger: Person;
  let organizationId: string;
  let strangerOrganizationId: string;
  let appServiceId: string;
  let ingestKey: Record<string, string>;

  interface Person {
    auth: { authorization: string };
    email: string;
    userId: string;
  }

  const { gql, ok } = httpGraphQL(() => url);

  async function person(label: string): Promise<Person> {
    const email = `audit-${label}-${kind}@example.test`;
    const { signUp } = await ok<{ signUp: { token: string; user: { id: string } } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }`,
      { i: { email, password: 'correct-horse-battery', name: label } },
    );
    return { auth: { authorization: `Bearer ${signUp.token}` }, email, userId: signUp.user.id };
  }

  async function organization(by: Person, name: string) {
    const { createOrganization } = await ok<{ createOrganization: { organization: { id: string } } }>(
      `mutation($n: String!) { createOrganization(input: { name: $n }) { organization { id } } }`,
      { n: name },
      by.auth,
    );
    return createOrganization.organization.id;
  }

  /** The log as `by` reads it (all of it, newest first), or the error code. */
  async function log(filter: Record<string, unknown> = {}, by = owner, org = organizationId) {
    const answer = await gql(
      `query($o: ID!, $f: AuditLogFilter) { node(id: $o) { ... on Organization {
        auditLog(first: 100, filter: $f) { edges { node { ${ENTRY} } } pageInfo { hasNextPage } } } } }`,
      { o: org, f: filter },
      by.auth,
    );
    if (answer.errors) return { code: answer.errors[0]!.extensions?.code, entries: [] as Entry[] };
    const node = (answer.data as { node: { auditLog: { edges: { node: Entry }[] } } | null }).node;
    return { code: null, entries: node ? node.auditLog.edges.map((edge) => edge.node) : [] };
  }

  /** Entries of the actions since the mark, oldest first. */
  async function since(mark: string, actions?: string[]) {
    const { entries } = await log({ since: mark, ...(actions ? { actions } : {}) });
    return entries.reverse();
  }

  const mark = async () => {
    // Entries are stamped by the database's clock (ms); a mark strictly after everything written so far.
    await new Promise((resolve) => setTimeout(resolve, 5));
    return new Date().toISOString();
  };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PREFIX: RUN_RATE_LIMIT_PREFIX,
    });
    app = await startApplication(config, pino({ level: 'silent' }), { db });
    url = app.server!.url;
    owner = await person('owner');
    admin = await person('admin');
    agent = await person('agent');
    analyst = await person('analyst');
    stranger = await person('stranger');
    organizationId = await organization(owner, 'Audited');
    strangerOrganizationId = await organization(stranger, 'Elsewhere');
    for (const [who, role] of [
      [admin, 'ADMIN'],
      [agent, 'AGENT'],
      [analyst, 'ANALYST'],
    ] as const) {
      await ok(
        `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
        { i: { organizationId, email: who.email, role } },
        owner.auth,
      );
    }
    const { createAppService } = await ok<{ createAppService: { id: string } }>(
      `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
      { i: { organizationId, name: 'line', channel: 'WHATSAPP' } },
      owner.auth,
    );
    appServiceId = createAppService.id;
    const { createApiKey } = await ok<{ createApiKey: { secret: string } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "bot", scopes: [MESSAGES_WRITE, CONVERSATIONS_READ] }) { secret } }`,
      { o: organizationId },
      owner.auth,
    );
    ingestKey = { 'x-api-key': createApiKey.secret };
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('members: added, role changed, removed, each once, by the owner, with the request id', async () => {
    const newcomer = await person(`newcomer-${++serial}`);
    const start = await mark();
    const header = { ...owner.auth, 'x-request-id': `audit-add-${kind}` };
    await ok(
      `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
      { i: { organizationId, email: newcomer.email, role: 'AGENT' } },
      header,
    );
    // Refused: already a member (CONFLICT), the same role again (nothing changes), the last owner demoted.
    const again = await gql(
      `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
      { i: { organizationId, email: newcomer.email, role: 'ADMIN' } },
      owner.auth,
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const demoted = await gql(
      `mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { role } }`,
      { i: { organizationId, userId: owner.userId, role: 'AGENT' } },
      owner.auth,
    );
    expect(demoted.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const byAdmin = await gql(
      `mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { role } }`,
      { i: { organizationId, userId: newcomer.userId, role: 'OWNER' } },
      admin.auth,
    );
    expect(byAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const role of ['ANALYST', 'ANALYST']) {
      await ok(
        `mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { role } }`,
        { i: { organizationId, userId: newcomer.userId, role } },
        owner.auth,
      );
    }
    await ok(
      `mutation($i: MemberInput!) { removeMember(input: $i) { role } }`,
      { i: { organizationId, userId: newcomer.userId } },
      owner.auth,
    );

    const entries = await since(start);
    expect(entries.map((entry) => entry.action)).toEqual([
      'member.added',
      'member.role_changed',
      'member.removed',
    ]);
    for (const entry of entries) {
      expect(entry.actor).toEqual({
        kind: 'USER',
        label: owner.email,
        user: { id: owner.userId },
        apiKey: null,
      });
      expect(entry.targetType).toBe('USER');
      expect(entry.targetId).toBe(newcomer.userId);
    }
    expect(entries[0]!.changes).toEqual({
      email: { from: null, to: newcomer.email },
      role: { from: null, to: 'AGENT' },
    });
    expect(entries[0]!.requestId).toBe(`audit-add-${kind}`);
    expect(entries[1]!.changes).toEqual({ role: { from: 'AGENT', to: 'ANALYST' } });
    expect(entries[2]!.changes).toEqual({ role: { from: 'ANALYST', to: null } });
    // Filters: by target and by actor.
    expect((await log({ targetId: newcomer.userId })).entries).toHaveLength(3);
    expect((await log({ actorUserId: owner.userId, since: start })).entries).toHaveLength(3);
    expect((await log({ actorUserId: admin.userId, since: start })).entries).toHaveLength(0);
  });

  it('API keys: created, rotated, revoked; the key itself is in no entry; a refused rotation writes none', async () => {
    const start = await mark();
    const created = await ok<{ createApiKey: { secret: string; apiKey: { id: string; prefix: string } } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "crm", scopes: [EVENTS_WRITE] }) { secret apiKey { id prefix } } }`,
      { o: organizationId },
      admin.auth,
    );
    const rotated = await ok<{ rotateApiKey: { secret: string; apiKey: { id: string; prefix: string } } }>(
      `mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { secret apiKey { id prefix } } }`,
      { i: { id: created.createApiKey.apiKey.id, gracePeriodHours: 1 } },
      admin.auth,
    );
    const twice = await gql(
      `mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { secret } }`,
      { i: { id: created.createApiKey.apiKey.id } },
      admin.auth,
    );
    expect(twice.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await ok(
      `mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { id } }`,
      { i: { id: rotated.rotateApiKey.apiKey.id } },
      admin.auth,
    );
    const entries = await since(start);
    expect(entries.map((entry) => [entry.action, entry.targetId])).toEqual([
      ['api_key.created', created.createApiKey.apiKey.id],
      ['api_key.rotated', created.createApiKey.apiKey.id],
      ['api_key.revoked', rotated.rotateApiKey.apiKey.id],
    ]);
    expect(entries.every((entry) => entry.actor.label === admin.email)).toBe(true);
    expect(entries[1]!.changes!.prefix).toEqual({
      from: created.createApiKey.apiKey.prefix,
      to: rotated.rotateApiKey.apiKey.prefix,
    });
    // Neither secret, nor its hash, anywhere: not through GraphQL, not in the stored rows.
    const stored = await app.db.prisma.auditLogEntry.findMany({
      where: { organizationId: rawId(organizationId) },
    });
    const hashes = await app.db.prisma.apiKey.findMany({
      where: { organizationId: rawId(organizationId) },
      select: { secretHash: true },
    });
    for (const text of [JSON.stringify(entries), JSON.stringify(stored)]) {
      expect(text).not.toContain(created.createApiKey.secret);
      expect(text).not.toContain(rotated.rotateApiKey.secret);
      for (const { secretHash } of hashes) expect(text).not.toContain(secretHash);
    }
  });

  it('handoff rules, teams and their members, SLA policies, business hours', async () => {
    const agents = await ok<{ node: { agents: { edges: { node: { id: string; name: string } }[] } } }>(
      `query($o: ID!) { node(id: $o) { ... on Organization { agents(first: 10) { edges { node { id name } } } } } }`,
      { o: organizationId },
      owner.auth,
    );
    const agentId = (name: string) =>
      agents.node.agents.edges.find((edge) => edge.node.name === name)!.node.id;
    const start = await mark();

    const bad = await gql(
      `mutation($i: CreateHandoffRuleInput!) { createHandoffRule(input: $i) { id } }`,
      { i: { organizationId, name: 'bad', triggerType: 'KEYWORD', trigger: { keywords: [] } } },
      owner.auth,
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const { createHandoffRule } = await ok<{ createHandoffRule: { id: string } }>(
      `mutation($i: CreateHandoffRuleInput!) { createHandoffRule(input: $i) { id } }`,
      { i: { organizationId, name: 'Refunds', triggerType: 'KEYWORD', trigger: { keywords: ['refund'] } } },
      owner.auth,
    );
    const ruleId = createHandoffRule.id;
    await ok(
      `mutation($i: UpdateHandoffRuleInput!) { updateHandoffRule(input: $i) { id } }`,
      { i: { id: ruleId, priority: 5, name: 'Refunds' } },
      owner.auth,
    );
    await ok(
      `mutation($i: DeleteHandoffRuleInput!) { deleteHandoffRule(input: $i) }`,
      { i: { id: ruleId } },
      owner.auth,
    );

    const { createTeam } = await ok<{ createTeam: { id: string } }>(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId, name: `Billing ${kind}`, agentIds: [agentId('owner')] } },
      admin.auth,
    );
    const teamId = createTeam.id;
    await ok(
      `mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { id } }`,
      { i: { id: teamId, name: `Billing+ ${kind}`, agentIds: [agentId('admin'), agentId('agent')] } },
      admin.auth,
    );
    const duplicate = await gql(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId, name: `Billing+ ${kind}` } },
      admin.auth,
    );
    expect(duplicate.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await ok(`mutation($i: DeleteTeamInput!) { deleteTeam(input: $i) }`, { i: { id: teamId } }, admin.auth);

    const { createSlaPolicy } = await ok<{ createSlaPolicy: { id: string } }>(
      `mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { id } }`,
      { i: { organizationId, name: 'Standard', firstResponseSeconds: 600 } },
      owner.auth,
    );
    await ok(
      `mutation($i: DeleteSlaPolicyInput!) { deleteSlaPolicy(input: $i) }`,
      { i: { id: createSlaPolicy.id } },
      owner.auth,
    );

    const hours = { timezone: 'Asia/Dubai', weekly: { mon: [['09:00', '17:00']] } };
    for (const businessHours of [hours, hours]) {
      await ok(
        `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { id } }`,
        { i: { id: appServiceId, businessHours } },
        owner.auth,
      );
    }
    await ok(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { id } }`,
      { i: { id: appServiceId, name: 'line (renamed)' } },
      owner.auth,
    );

    // Entries of one transaction share its time: their order among themselves is not meaningful.
    const entries = await since(start);
    const teamUpdate = entries.slice(4, 8).map((entry) => entry.action);
    expect(teamUpdate.sort()).toEqual([
      'team.member_added',
      'team.member_added',
      'team.member_removed',
      'team.updated',
    ]);
    entries.splice(4, 4, ...entries.slice(4, 8).sort((a, b) => a.action.localeCompare(b.action)));
    expect(entries.map((entry) => entry.action)).toEqual([
      'handoff_rule.created',
      'handoff_rule.updated',
      'handoff_rule.deleted',
      'team.created',
      'team.member_added',
      'team.member_added',
      'team.member_removed',
      'team.updated',
      'team.deleted',
      'sla_policy.created',
      'sla_policy.deleted',
      'business_hours.updated',
    ]);
    const [ruleCreated, ruleUpdated, ruleDeleted] = entries;
    expect(ruleCreated!.targetId).toBe(ruleId);
    expect(ruleCreated!.changes!.trigger).toEqual({
      from: null,
      to: { keywords: ['refund'], languages: [], patterns: [] },
    });
    expect(ruleUpdated!.changes).toEqual({ priority: { from: 100, to: 5 } });
    expect(ruleDeleted!.changes!.name).toEqual({ from: 'Refunds', to: null });
    expect(entries[3]!.changes!.agentIds).toEqual({ from: null, to: [rawId(agentId('owner'))] });
    expect(entries.slice(4, 7).map((entry) => entry.changes)).toEqual(
      expect.arrayContaining([
        { agentId: { from: null, to: rawId(agentId('admin')) } },
        { agentId: { from: null, to: rawId(agentId('agent')) } },
        { agentId: { from: rawId(agentId('owner')), to: null } },
      ]),
    );
    expect(entries[7]!.changes).toEqual({ name: { from: `Billing ${kind}`, to: `Billing+ ${kind}` } });
    expect(
      entries.slice(3, 9).every((entry) => entry.targetId === teamId && entry.actor.label === admin.email),
    ).toBe(true);
    expect(entries[9]!.targetId).toBe(createSlaPolicy.id);
    expect(entries[11]!.targetId).toBe(appServiceId);
    expect(entries[11]!.changes!.businessHours!.from).toBeNull();
    expect(entries[11]!.changes!.businessHours!.to).toMatchObject({ timezone: 'Asia/Dubai' });
    // Filters: by action and by target type.
    expect((await log({ since: start, actions: ['team.member_added'] })).entries).toHaveLength(2);
    expect((await log({ since: start, targetType: 'SLA_POLICY' })).entries).toHaveLength(2);
    // Open again (always), for the routing of the next tests; clearing the hours is a change too.
    const cleared = await mark();
    await ok(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { id } }`,
      { i: { id: appServiceId, businessHours: null } },
      owner.auth,
    );
    expect((await since(cleared)).map((entry) => [entry.action, entry.changes!.businessHours!.to])).toEqual([
      ['business_hours.updated', null],
    ]);
  });

  it('conversations: takeover, assignment, transfer, status changes; routing and auto-resolve as SYSTEM', async () => {
    const agents = await ok<{ node: { agents: { edges: { node: { id: string; name: string } }[] } } }>(
      `query($o: ID!) { node(id: $o) { ... on Organization { agents(first: 10) { edges { node { id name } } } } } }`,
      { o: organizationId },
      owner.auth,
    );
    const agentId = (name: string) =>
      agents.node.agents.edges.find((edge) => edge.node.name === name)!.node.id;
    const { createTeam } = await ok<{ createTeam: { id: string } }>(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId, name: `Support ${kind}`, agentIds: [agentId('agent')] } },
      owner.auth,
    );
    const ingest = async (customer: string) => {
      const { ingestMessage } = await ok<{ ingestMessage: { conversation: { id: string } } }>(
        `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { conversation { id } } }`,
        { i: { appServiceId, customer: { externalId: customer }, content: 'Hello, where is my order?' } },
        ingestKey,
      );
      return ingestMessage.conversation.id;
    };
    const conversationId = await ingest(`+97150900${kind.length}01`);
    const start = await mark();
    const takeOver = (by: Person, extra: Record<string, unknown> = {}) =>
      gql(
        `mutation($i: TakeOverConversationInput!) { takeOverConversation(input: $i) { conversation { id } } }`,
        { i: { conversationId, ...extra } },
        by.auth,
      );
    expect((await takeOver(owner)).errors).toBeUndefined();
    expect((await takeOver(agent)).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await ok(
      `mutation($i: AssignConversationInput!) { assignConversation(input: $i) { conversation { id } } }`,
      { i: { conversationId, agentId: agentId('admin') } },
      owner.auth,
    );
    await ok(
      `mutation($i: TransferConversationInput!) { transferConversation(input: $i) { id } }`,
      { i: { conversationId, teamId: createTeam.id, note: 'billing question' } },
      admin.auth,
    );
    const status = (value: string, by = agent) =>
      gql(
        `mutation($i: SetConversationStatusInput!) { setConversationStatus(input: $i) { status } }`,
        { i: { conversationId, status: value } },
        by.auth,
      );
    expect((await status('PENDING')).errors).toBeUndefined();
    expect((await status('RESOLVED')).errors).toBeUndefined();
    expect((await status('PENDING')).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await ok(
      `mutation($i: ConversationIdInput!) { reopenConversation(input: $i) { id } }`,
      { i: { conversationId } },
      agent.auth,
    );
    await ok(
      `mutation($i: ConversationIdInput!) { releaseConversation(input: $i) { id } }`,
      { i: { conversationId } },
      agent.auth,
    );

    const entries = await since(start);
    expect(
      entries.map((entry) => [entry.action, entry.actor.label]),
      JSON.stringify(entries),
    ).toEqual([
      ['conversation.taken_over', owner.email],
      ['conversation.assigned', owner.email],
      ['conversation.transferred', admin.email],
      ['conversation.status_changed', agent.email],
      ['conversation.status_changed', agent.email],
      ['conversation.status_changed', agent.email],
      ['conversation.status_changed', agent.email],
    ]);
    expect(
      entries.every((entry) => entry.targetType === 'CONVERSATION' && entry.targetId === conversationId),
    ).toBe(true);
    expect(entries[0]!.changes).toEqual({
      status: { from: 'BOT', to: 'ASSIGNED' },
      assigneeId: { from: null, to: rawId(agentId('owner')) },
    });
    expect(entries[1]!.changes).toEqual({
      assigneeId: { from: rawId(agentId('owner')), to: rawId(agentId('admin')) },
    });
    expect(entries[2]!.changes).toMatchObject({
      teamId: { from: null, to: rawId(createTeam.id) },
      assigneeId: { from: rawId(agentId('admin')), to: rawId(agentId('agent')) },
      transferredTo: { from: null, to: `team:${rawId(createTeam.id)}` },
    });
    expect(entries.slice(3).map((entry) => entry.changes!.status)).toEqual([
      { from: 'ASSIGNED', to: 'PENDING' },
      { from: 'PENDING', to: 'RESOLVED' },
      { from: 'RESOLVED', to: 'ASSIGNED' },
      { from: 'ASSIGNED', to: 'BOT' },
    ]);

    // Routing on its own: a handoff requested by the integrator is assigned by the router (SYSTEM).
    const handedOver = await ingest(`+97150900${kind.length}02`);
    const routedMark = await mark();
    const routed = await ok<{ requestHandoff: { status: string } }>(
      `mutation($i: RequestHandoffInput!) { requestHandoff(input: $i) { status } }`,
      { i: { conversationId: handedOver, reason: 'asked for a person' } },
      ingestKey,
    );
    expect(routed.requestHandoff.status).toBe('ASSIGNED');
    const system = await since(routedMark);
    expect(
      system.map((entry) => [entry.action, entry.actor.kind, entry.actor.label, entry.requestId]),
    ).toEqual([['conversation.assigned', 'SYSTEM', 'routing', expect.any(String)]]);

    // Auto-resolve (a schedule): as if the customer had been silent for an hour.
    await ok(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { id } }`,
      { i: { id: appServiceId, autoResolveMinutes: 30, autoResolveHeld: true } },
      owner.auth,
    );
    await app.db.prisma.conversation.update({
      where: { id: rawId(handedOver) },
      data: { lastMessageAt: new Date(Date.now() - 3_600_000) },
    });
    const resolvedMark = await mark();
    await autoResolveIdle({ prisma: app.db.prisma, realtime: app.realtime });
    const resolved = await since(resolvedMark);
    expect(resolved.map((entry) => [entry.action, entry.actor, entry.targetId, entry.requestId])).toEqual([
      [
        'conversation.status_changed',
        { kind: 'SYSTEM', label: 'auto-resolve', user: null, apiKey: null },
        handedOver,
        null,
      ],
    ]);
    expect(resolved[0]!.changes!.status).toEqual({ from: 'ASSIGNED', to: 'RESOLVED' });
    await ok(
      `mutation($i: UpdateAppServiceInput!) { updateAppService(input: $i) { id } }`,
      { i: { id: appServiceId, autoResolveMinutes: 0 } },
      owner.auth,
    );
  });

  it('labels, priority and organization settings: one entry per real change, none for a no-op or a refusal', async () => {
    const { ingestMessage } = await ok<{ ingestMessage: { conversation: { id: string } } }>(
      `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { conversation { id } } }`,
      { i: { appServiceId, customer: { externalId: `+97150910${kind.length}02` }, content: 'Hi there' } },
      ingestKey,
    );
    const conversationId = ingestMessage.conversation.id;
    const start = await mark();
    const labels = (verb: 'addLabels' | 'removeLabels', values: string[]) =>
      gql(
        `mutation($i: ConversationLabelsInput!) { ${verb}(input: $i) { labels } }`,
        { i: { conversationId, labels: values } },
        agent.auth,
      );
    const priority = (value: string) =>
      gql(
        `mutation($i: SetConversationPriorityInput!) { setConversationPriority(input: $i) { priority } }`,
        { i: { conversationId, priority: value } },
        agent.auth,
      );
    expect((await labels('addLabels', ['Billing'])).errors).toBeUndefined();
    expect((await labels('addLabels', ['billing'])).errors).toBeUndefined(); // the same label: no change
    expect((await labels('removeLabels', ['billing'])).errors).toBeUndefined();
    expect((await priority('URGENT')).errors).toBeUndefined();
    expect((await priority('URGENT')).errors).toBeUndefined(); // no change
    // 21 labels: refused, nothing written.
    const many = Array.from({ length: 21 }, (_, index) => `topic-${index}`);
    expect((await labels('addLabels', many)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const update = (input: Record<string, unknown>, by = owner) =>
      gql(
        `mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { timezone } }`,
        { i: { organizationId, ...input } },
        by.auth,
      );
    expect((await update({ timezone: 'Asia/Dubai' })).errors).toBeUndefined();
    expect((await update({ timezone: 'Asia/Dubai' })).errors).toBeUndefined(); // no change
    expect((await update({ timezone: 'Mars/Olympus' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await update({ timezone: 'UTC' }, agent)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const entries = await since(start);
    expect(entries.map((entry) => [entry.action, entry.changes])).toEqual([
      ['conversation.labels_changed', { labels: { from: [], to: ['billing'] } }],
      ['conversation.labels_changed', { labels: { from: ['billing'], to: [] } }],
      ['conversation.priority_changed', { priority: { from: 'NORMAL', to: 'URGENT' } }],
      ['organization.updated', { timezone: { from: 'UTC', to: 'Asia/Dubai' } }],
    ]);
    expect(entries.slice(0, 3).every((entry) => entry.targetId === conversationId)).toBe(true);
    expect(entries.slice(0, 3).every((entry) => entry.actor.user?.id === agent.userId)).toBe(true);
    expect(entries[3]).toMatchObject({ targetType: 'ORGANIZATION', targetId: organizationId });
    expect(entries[3]!.actor.user?.id).toBe(owner.userId);
    // Another organization's owner reads none of them: not through this organization, nor by their ids.
    expect(await log({ since: start }, stranger)).toEqual({ code: null, entries: [] });
    const theirs = await log({ targetId: organizationId }, stranger, strangerOrganizationId);
    expect(theirs).toEqual({ code: null, entries: [] });
  });

  it('an API key as actor: its prefix as label, the key while it exists', async () => {
    const key = await app.db.prisma.apiKey.findFirstOrThrow({
      where: { organizationId: rawId(organizationId), revokedAt: null, name: 'bot' },
    });
    const actor = Actor.forApiKey({
      id: key.id,
      organizationId: key.organizationId,
      prefix: key.prefix,
      scopes: key.scopes,
    });
    const start = await mark();
    await recordAudit(app.db.prisma, {
      organizationId: key.organizationId,
      actor,
      action: 'export.requested',
      targetType: 'APP_SERVICE',
      targetId: rawId(appServiceId),
      changes: { format: { to: 'csv' }, secretToken: { to: 'never stored' } },
    });
    const [entry] = await since(start);
    expect(entry!.actor).toEqual({
      kind: 'API_KEY',
      label: key.prefix,
      user: null,
      apiKey: { id: globalId('ApiKey', key.id) },
    });
    expect(entry!.changes).toEqual({ format: { from: null, to: 'csv' } });
  });

  it('OWNER and ADMIN read it; AGENT, ANALYST, API keys and another organization cannot', async () => {
    expect((await log({}, owner)).entries.length).toBeGreaterThan(10);
    expect((await log({}, admin)).entries.length).toBeGreaterThan(10);
    expect((await log({}, agent)).code).toBe('FORBIDDEN');
    expect((await log({}, analyst)).code).toBe('FORBIDDEN');
    const byKey = await gql(
      `query($o: ID!) { node(id: $o) { ... on Organization { auditLog(first: 5) { edges { node { id } } } } } }`,
      { o: organizationId },
      ingestKey,
    );
    expect(byKey.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Another organization's owner: the organization is not theirs to read, and their own log (which has
    // entries of its own) cannot be filtered into this one's.
    await ok(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId: strangerOrganizationId, name: 'Theirs' } },
      stranger.auth,
    );
    const outsider = await log({}, stranger);
    expect(outsider.entries).toEqual([]);
    const ours = (await log({}, owner)).entries;
    const theirs = await log({ targetId: ours[0]!.targetId }, stranger, strangerOrganizationId);
    expect(theirs.code).toBeNull();
    expect(theirs.entries).toEqual([]);
    expect((await log({ actorUserId: owner.userId }, stranger, strangerOrganizationId)).entries).toEqual([]);
    const all = (await log({}, stranger, strangerOrganizationId)).entries;
    expect(all.map((entry) => entry.action)).toEqual(['team.created']);
    const nodes = await gql(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: ours.slice(0, 3).map((entry) => entry.id) },
      stranger.auth,
    );
    expect(nodes.data).toEqual({ nodes: [null, null, null] });
    const own = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: ours[0]!.id }, admin.auth);
    expect(own.data).toEqual({ node: { id: ours[0]!.id } });

    // Bounded and validated input.
    const big = await gql(
      `query($o: ID!) { node(id: $o) { ... on Organization { auditLog(first: 101) { edges { node { id } } } } } }`,
      { o: organizationId },
      owner.auth,
    );
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await log({ actions: ['member.promoted'] })).code).toBe('BAD_USER_INPUT');
    // An id of a type the log never names: an Agent.
    const { node: withAgents } = await ok<{ node: { agents: { edges: { node: { id: string } }[] } } }>(
      `query($o: ID!) { node(id: $o) { ... on Organization { agents(first: 1) { edges { node { id } } } } } }`,
      { o: organizationId },
      owner.auth,
    );
    expect((await log({ targetId: withAgents.agents.edges[0]!.node.id })).code).toBe('BAD_USER_INPUT');
  });

  it('pages newest first with a cursor; entries, users and keys one statement each per page', async () => {
    const page = async (after: string | null) => {
      const { node } = await ok<{
        node: {
          auditLog: {
            edges: { cursor: string; node: { id: string; createdAt: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        };
      }>(
        `query($o: ID!, $a: String) { node(id: $o) { ... on Organization { auditLog(first: 4, after: $a) {
          edges { cursor node { id createdAt } } pageInfo { hasNextPage endCursor } } } } }`,
        { o: organizationId, a: after },
        owner.auth,
      );
      return node.auditLog;
    };
    const seen: { id: string; createdAt: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const current = await page(after);
      seen.push(...current.edges.map((edge) => edge.node));
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
    }
    const all = (await log()).entries;
    expect(seen.map((entry) => entry.id)).toEqual(all.map((entry) => entry.id));
    const times = seen.map((entry) => Date.parse(entry.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(seen.length);

    // The actors' users and keys are read once per page, whatever its size: one statement each (the
    // background jobs of the embedded app may run statements meanwhile: only these tables are counted).
    const statements: string[] = [];
    const stop = app.db.onQuery((sql) => statements.push(sql));
    try {
      await ok(
        `query($o: ID!) { node(id: $o) { ... on Organization { auditLog(first: 100) { edges { node { ${ENTRY} } } } } } }`,
        { o: organizationId },
        owner.auth,
      );
    } finally {
      stop();
    }
    expect(all.some((entry) => entry.actor.apiKey) && all.some((entry) => entry.actor.user)).toBe(true);
    expect(all.length).toBeGreaterThan(20);
    for (const table of ['audit_log_entries', 'users', 'api_keys']) {
      const reads = statements.filter((sql) => sql.includes(`FROM "public"."${table}" AS "t0"`));
      expect(reads, table).toHaveLength(1);
    }
  });

  it('the database refuses UPDATE and DELETE of an entry, and lets an organization go with its entries', async () => {
    const [entry] = await app.db.prisma.auditLogEntry.findMany({
      where: { organizationId: rawId(organizationId) },
      take: 1,
    });
    await expect(
      app.db.prisma.auditLogEntry.update({ where: { id: entry!.id }, data: { action: 'member.added' } }),
    ).rejects.toThrow(/append-only/);
    await expect(
      app.db.prisma.$executeRawUnsafe(
        `UPDATE audit_log_entries SET changes = NULL WHERE organization_id = $1::uuid`,
        rawId(organizationId),
      ),
    ).rejects.toThrow(/append-only/);
    await expect(app.db.prisma.auditLogEntry.delete({ where: { id: entry!.id } })).rejects.toThrow(
      /append-only/,
    );
    expect(await app.db.prisma.auditLogEntry.count({ where: { id: entry!.id, action: entry!.action } })).toBe(
      1,
    );

    // An organization of its own, deleted: its entries go with it (the cascade), the others stay.
    const doomed = await organization(stranger, 'Doomed');
    await ok(
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      { i: { organizationId: doomed, name: 'Short-lived' } },
      stranger.auth,
    );
    expect(await app.db.prisma.auditLogEntry.count({ where: { organizationId: rawId(doomed) } })).toBe(1);
    const others = await app.db.prisma.auditLogEntry.count();
    await app.db.prisma.organization.delete({ where: { id: rawId(doomed) } });
    expect(await app.db.prisma.auditLogEntry.count({ where: { organizationId: rawId(doomed) } })).toBe(0);
    expect(await app.db.prisma.auditLogEntry.count()).toBe(others - 1);
  });

  it('the schema has no mutation on audit entries, and no input type names them', () => {
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThan(20);
    expect(mutations.filter((field) => /audit/i.test(field.name))).toEqual([]);
    // Nor does any mutation return an entry or take one's id by type.
    for (const field of mutations) {
      expect(String(field.type)).not.toMatch(/Audit/);
      for (const arg of field.args) expect(String(arg.type)).not.toMatch(/Audit/);
    }
  });
});
