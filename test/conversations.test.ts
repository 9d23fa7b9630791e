import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canTransition } from '../src/services/conversation-lifecycle.js';
import { codesOf, createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createAppService,
  createOrganization,
  globalId,
  rawId,
  signUp,
} from './support/fixtures.js';

const INGEST = `mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { botShouldReply conversation { id status } } }`;
const TAKE_OVER = `mutation($input: TakeOverConversationInput!) {
  takeOverConversation(input: $input) { conversation { id status assignee { id name } firstReplyAt } message { id content senderType } } }`;
const SEND = `mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { conversation { status assignee { id } firstReplyAt lastMessageAt } message { id content private senderType index } } }`;
const STATUS = `mutation($input: SetConversationStatusInput!) { setConversationStatus(input: $input) { status resolvedAt closedAt assignee { id } } }`;
const OUTBOX = `query($id: ID!) { node(id: $id) { ... on AppService { outbox(first: 50) { totalCount edges { node { id content private } } } } } }`;

type Member = Awaited<ReturnType<typeof signUp>>;

describe.each(backends)('agents working conversations on %s', (kind) => {
  let app: TestApp;
  let owner: Member;
  let agentA: Member;
  let agentB: Member;
  let analyst: Member;
  let orgId: string;
  let appServiceId: string;
  let key: string;
  let customerCounter = 0;

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'conv-owner');
    orgId = await createOrganization(app, owner.token, 'Conversations Org');
    appServiceId = await createAppService(app, owner.token, orgId, 'WhatsApp');
    key = (await createApiKey(app, owner.token, orgId, ['MESSAGES_WRITE', 'CONVERSATIONS_READ'])).secret;
    const add = async (label: string, role: string) => {
      const member = await signUp(app, label);
      await app.gql(
        `mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`,
        { input: { organizationId: orgId, email: member.email, role } },
        { token: owner.token },
      );
      return member;
    };
    agentA = await add('agent-a', 'AGENT');
    agentB = await add('agent-b', 'AGENT');
    analyst = await add('analyst', 'ANALYST');
  });
  afterAll(() => app?.close());

  async function newConversation(content = 'I need help') {
    const response = await app.gql<{ ingestMessage: { conversation: { id: string } } }>(
      INGEST,
      {
        input: {
          appServiceId,
          senderType: 'CUSTOMER',
          customer: { externalId: `+97155${String(++customerCounter).padStart(7, '0')}`, name: 'Lina' },
          content,
        },
      },
      { apiKey: key },
    );
    return response.data!.ingestMessage.conversation.id;
  }
  const agentIdOf = async (member: Member) =>
    globalId(
      'Agent',
      (await app.db.prisma.agent.findFirstOrThrow({ where: { userId: rawId(member.user.id) } })).id,
    );

  it('takes over from the bot with a message; the bot is told to stay quiet', async () => {
    const conversationId = await newConversation();
    const taken = await app.gql<{
      takeOverConversation: {
        conversation: { status: string; assignee: { id: string }; firstReplyAt: string };
        message: { senderType: string };
      };
    }>(TAKE_OVER, { input: { conversationId, message: 'Hi, I am here to help.' } }, { token: agentA.token });
    expect(taken.errors).toBeUndefined();
    expect(taken.data!.takeOverConversation.conversation).toMatchObject({
      status: 'ASSIGNED',
      assignee: { id: await agentIdOf(agentA) },
    });
    expect(taken.data!.takeOverConversation.conversation.firstReplyAt).not.toBeNull();
    const next = await app.gql<{ ingestMessage: { botShouldReply: boolean } }>(
      INGEST,
      {
        input: {
          appServiceId,
          senderType: 'CUSTOMER',
          customer: { externalId: `+97155${String(customerCounter).padStart(7, '0')}` },
          content: 'thanks',
        },
      },
      { apiKey: key },
    );
    expect(next.data!.ingestMessage.botShouldReply).toBe(false);
    const history = await app.db.prisma.assignmentRecord.findMany({
      where: { conversationId: rawId(conversationId) },
    });
    expect(history.map((h) => h.reason)).toEqual(['TAKEOVER']);
  });

  it('lets exactly one of two agents win a simultaneous takeover', async () => {
    const conversationId = await newConversation();
    const [a, b] = await Promise.all([
      app.gql(TAKE_OVER, { input: { conversationId } }, { token: agentA.token }),
      app.gql(TAKE_OVER, { input: { conversationId } }, { token: agentB.token }),
    ]);
    const codes = [codesOf(a), codesOf(b)];
    expect(codes.filter((c) => c.length === 0)).toHaveLength(1);
    expect(codes.flat()).toEqual(['CONFLICT']);
    const row = await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: rawId(conversationId) } });
    const winner = codes[0]!.length === 0 ? agentA : agentB;
    expect(globalId('Agent', row.assigneeId!)).toBe(await agentIdOf(winner));
    expect(await app.db.prisma.assignmentRecord.count({ where: { conversationId: row.id } })).toBe(1);
  });

  it('lets an OWNER force a takeover, not an AGENT', async () => {
    const conversationId = await newConversation();
    await app.gql(TAKE_OVER, { input: { conversationId } }, { token: agentA.token });
    expect(
      codesOf(await app.gql(TAKE_OVER, { input: { conversationId, force: true } }, { token: agentB.token })),
    ).toEqual(['FORBIDDEN']);
    const forced = await app.gql<{ takeOverConversation: { conversation: { assignee: { id: string } } } }>(
      TAKE_OVER,
      { input: { conversationId, force: true } },
      { token: owner.token },
    );
    expect(forced.data!.takeOverConversation.conversation.assignee.id).toBe(await agentIdOf(owner));
  });

  it('takes over by sending; private notes neither take over nor reach the outbox', async () => {
    const conversationId = await newConversation();
    const note = await app.gql<{
      sendMessage: {
        conversation: { status: string; assignee: null; firstReplyAt: null };
        message: { private: boolean };
      };
    }>(
      SEND,
      { input: { conversationId, content: 'VIP customer, be nice', private: true } },
      { token: agentB.token },
    );
    expect(note.data!.sendMessage.conversation).toMatchObject({
      status: 'BOT',
      assignee: null,
      firstReplyAt: null,
    });
    const reply = await app.gql<{
      sendMessage: {
        conversation: { status: string; assignee: { id: string }; firstReplyAt: string };
        message: { id: string; index: number };
      };
    }>(SEND, { input: { conversationId, content: 'Hello Lina!' } }, { token: agentB.token });
    expect(reply.data!.sendMessage.conversation).toMatchObject({
      status: 'ASSIGNED',
      assignee: { id: await agentIdOf(agentB) },
    });
    expect(reply.data!.sendMessage.message.index).toBe(2);

    type Outbox = {
      node: {
        outbox: { totalCount: number; edges: { node: { id: string; content: string; private: boolean } }[] };
      };
    };
    const outbox = await app.gql<Outbox>(OUTBOX, { id: appServiceId }, { apiKey: key });
    const contents = outbox.data!.node.outbox.edges.map((e) => e.node.content);
    expect(contents).toContain('Hello Lina!');
    expect(contents).not.toContain('VIP customer, be nice');
    expect(outbox.data!.node.outbox.edges.every((e) => !e.node.private)).toBe(true);

    const ack = await app.gql<{ acknowledgeOutboundMessages: number }>(
      `mutation($input: AcknowledgeOutboundMessagesInput!) { acknowledgeOutboundMessages(input: $input) }`,
      { input: { messageIds: [reply.data!.sendMessage.message.id] } },
      { apiKey: key },
    );
    expect(ack.data!.acknowledgeOutboundMessages).toBe(1);
    const again = await app.gql<{ acknowledgeOutboundMessages: number }>(
      `mutation($input: AcknowledgeOutboundMessagesInput!) { acknowledgeOutboundMessages(input: $input) }`,
      { input: { messageIds: [reply.data!.sendMessage.message.id] } },
      { apiKey: key },
    );
    expect(again.data!.acknowledgeOutboundMessages).toBe(0);
    const after = await app.gql<Outbox>(OUTBOX, { id: appServiceId }, { apiKey: key });
    expect(after.data!.node.outbox.edges.map((e) => e.node.content)).not.toContain('Hello Lina!');
  });

  it('accepts every legal transition and refuses every illegal one, changing nothing', async () => {
    const statuses = ['OPEN', 'BOT', 'ASSIGNED', 'PENDING', 'RESOLVED', 'CLOSED'] as const;
    let legal = 0;
    let illegal = 0;
    for (const from of statuses) {
      for (const to of statuses) {
        if (from === to) continue;
        const conversationId = await newConversation();
        const id = rawId(conversationId);
        const assignee = rawId(await agentIdOf(agentA));
        const held = ['ASSIGNED', 'PENDING', 'RESOLVED'].includes(from);
        await app.db.prisma.conversation.update({
          where: { id },
          data: { status: from, assigneeId: held ? assignee : null },
        });
        const response = await app.gql<{
          setConversationStatus: { status: string; resolvedAt: string | null; closedAt: string | null };
        }>(STATUS, { input: { conversationId, status: to } }, { token: agentA.token });
        const row = await app.db.prisma.conversation.findUniqueOrThrow({ where: { id } });
        // ASSIGNED needs someone to be assigned to: a legal transition still refused without one.
        if (canTransition(from, to) && to === 'ASSIGNED' && !held) {
          expect(codesOf(response), `${from} → ${to} without assignee`).toEqual(['CONFLICT']);
          expect(row.status).toBe(from);
        } else if (canTransition(from, to)) {
          legal++;
          expect(response.errors, `${from} → ${to}`).toBeUndefined();
          expect(row.status, `${from} → ${to}`).toBe(to);
          if (to === 'RESOLVED') expect(row.resolvedAt).not.toBeNull();
          if (to === 'CLOSED') expect(row.closedAt).not.toBeNull();
          if (to === 'BOT') expect(row.assigneeId).toBeNull();
        } else {
          illegal++;
          expect(codesOf(response), `${from} → ${to}`).toEqual(['CONFLICT']);
          expect(row.status, `${from} → ${to}`).toBe(from);
        }
      }
    }
    expect(legal).toBeGreaterThan(15);
    expect(illegal).toBeGreaterThan(4);
  });

  it('reopens, refuses work on closed conversations, and keeps priority and labels', async () => {
    const conversationId = await newConversation();
    await app.gql(TAKE_OVER, { input: { conversationId } }, { token: agentA.token });
    await app.gql(
      `mutation($i: ConversationIdInput!) { resolveConversation(input: $i) { status } }`,
      { i: { conversationId } },
      { token: agentA.token },
    );
    const reopened = await app.gql<{ reopenConversation: { status: string; resolvedAt: null } }>(
      `mutation($i: ConversationIdInput!) { reopenConversation(input: $i) { status resolvedAt } }`,
      { i: { conversationId } },
      { token: agentA.token },
    );
    expect(reopened.data!.reopenConversation).toEqual({ status: 'ASSIGNED', resolvedAt: null });
    const priority = await app.gql<{ setConversationPriority: { priority: string } }>(
      `mutation($i: SetConversationPriorityInput!) { setConversationPriority(input: $i) { priority } }`,
      { i: { conversationId, priority: 'URGENT' } },
      { token: agentA.token },
    );
    expect(priority.data!.setConversationPriority.priority).toBe('URGENT');
    const labels = await app.gql<{ addLabels: { labels: string[] } }>(
      `mutation($i: ConversationLabelsInput!) { addLabels(input: $i) { labels } }`,
      { i: { conversationId, labels: ['Billing', 'refund ', 'billing'] } },
      { token: agentA.token },
    );
    expect(labels.data!.addLabels.labels).toEqual(['billing', 'refund']);
    const removed = await app.gql<{ removeLabels: { labels: string[] } }>(
      `mutation($i: ConversationLabelsInput!) { removeLabels(input: $i) { labels } }`,
      { i: { conversationId, labels: ['BILLING'] } },
      { token: agentA.token },
    );
    expect(removed.data!.removeLabels.labels).toEqual(['refund']);
    const released = await app.gql<{ releaseConversation: { status: string; assignee: null } }>(
      `mutation($i: ConversationIdInput!) { releaseConversation(input: $i) { status assignee { id } } }`,
      { i: { conversationId } },
      { token: agentA.token },
    );
    expect(released.data!.releaseConversation).toEqual({ status: 'BOT', assignee: null });

    await app.gql(
      `mutation($i: ConversationIdInput!) { closeConversation(input: $i) { status } }`,
      { i: { conversationId } },
      { token: agentA.token },
    );
    for (const query of [
      [TAKE_OVER, { input: { conversationId } }],
      [SEND, { input: { conversationId, content: 'hello?' } }],
      [
        `mutation($i: ConversationIdInput!) { reopenConversation(input: $i) { status } }`,
        { i: { conversationId } },
      ],
    ] as const) {
      expect(codesOf(await app.gql(query[0], query[1], { token: agentA.token }))).toEqual(['CONFLICT']);
    }
  });

  it('fills canned responses, exports a transcript and counts stats', async () => {
    const created = await app.gql<{ createCannedResponse: { id: string } }>(
      `mutation($i: CreateCannedResponseInput!) { createCannedResponse(input: $i) { id shortCode } }`,
      {
        i: {
          organizationId: orgId,
          shortCode: 'Hello',
          content: 'Hi {{contact_name}}, {{agent_name}} from {{organization_name}} here.',
        },
      },
      { token: agentA.token },
    );
    expect(created.errors).toBeUndefined();
    const duplicate = await app.gql(
      `mutation($i: CreateCannedResponseInput!) { createCannedResponse(input: $i) { id } }`,
      { i: { organizationId: orgId, shortCode: 'hello', content: 'again' } },
      { token: agentA.token },
    );
    expect(codesOf(duplicate)).toEqual(['CONFLICT']);
    const unknownVariable = await app.gql(
      `mutation($i: CreateCannedResponseInput!) { createCannedResponse(input: $i) { id } }`,
      { i: { organizationId: orgId, shortCode: 'bad', content: 'Hi {{password}}' } },
      { token: agentA.token },
    );
    expect(codesOf(unknownVariable)).toEqual(['BAD_USER_INPUT']);
    expect(
      codesOf(
        await app.gql(
          `mutation($i: CreateCannedResponseInput!) { createCannedResponse(input: $i) { id } }`,
          { i: { organizationId: orgId, shortCode: 'analyst', content: 'x' } },
          { token: analyst.token },
        ),
      ),
    ).toEqual(['FORBIDDEN']);

    const conversationId = await newConversation('Where is my refund?');
    const sent = await app.gql<{ sendMessage: { message: { content: string } } }>(
      SEND,
      { input: { conversationId, cannedResponseId: created.data!.createCannedResponse.id } },
      { token: agentA.token },
    );
    expect(sent.data!.sendMessage.message.content).toBe('Hi Lina, agent-a from Conversations Org here.');
    await app.gql(
      SEND,
      { input: { conversationId, content: 'check the refund log', private: true } },
      { token: agentA.token },
    );

    const read = await app.gql<{
      node: {
        transcript: string;
        stats: {
          messages: number;
          privateNotes: number;
          firstReplySeconds: number;
          messagesBySenderType: { senderType: string; count: number }[];
        };
      };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Conversation { transcript stats { messages privateNotes firstReplySeconds messagesBySenderType { senderType count } } } } }`,
      { id: conversationId },
      { token: agentA.token },
    );
    const lines = read.data!.node.transcript.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] Customer \(Lina\): Where is my refund\?$/,
    );
    expect(lines[1]).toContain('Agent (agent-a): Hi Lina');
    expect(lines[2]).toContain('[private note]: check the refund log');
    expect(read.data!.node.stats).toMatchObject({ messages: 2, privateNotes: 1 });
    expect(read.data!.node.stats.firstReplySeconds).toBeGreaterThanOrEqual(0);
    expect(
      read.data!.node.stats.messagesBySenderType.sort((a, b) => a.senderType.localeCompare(b.senderType)),
    ).toEqual([
      { senderType: 'AGENT', count: 1 },
      { senderType: 'CUSTOMER', count: 1 },
    ]);
    const forKey = await app.gql<{ node: { transcript: string } }>(
      `query($id: ID!) { node(id: $id) { ... on Conversation { transcript } } }`,
      { id: conversationId },
      { apiKey: key },
    );
    expect(forKey.data!.node.transcript).not.toContain('refund log');
  });

  it('refuses analysts, API keys and other organizations, changing nothing', async () => {
    const conversationId = await newConversation();
    const outsider = await signUp(app, 'conv-outsider');
    const otherOrg = await createOrganization(app, outsider.token, 'Elsewhere');
    const otherKey = (
      await createApiKey(app, outsider.token, otherOrg, ['MESSAGES_WRITE', 'CONVERSATIONS_READ'])
    ).secret;
    const before = JSON.stringify(
      await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: rawId(conversationId) } }),
    );
    const messagesBefore = await app.db.prisma.message.count();
    const attempts: [string, Record<string, unknown>][] = [
      [TAKE_OVER, { input: { conversationId } }],
      [SEND, { input: { conversationId, content: 'hi' } }],
      [STATUS, { input: { conversationId, status: 'RESOLVED' } }],
      [
        `mutation($i: AssignConversationInput!) { assignConversation(input: $i) { queuePosition } }`,
        { i: { conversationId, auto: true } },
      ],
      [
        `mutation($i: ConversationIdInput!) { releaseConversation(input: $i) { status } }`,
        { i: { conversationId } },
      ],
      [
        `mutation($i: ConversationLabelsInput!) { addLabels(input: $i) { labels } }`,
        { i: { conversationId, labels: ['x'] } },
      ],
    ];
    for (const [auth, expected] of [
      [{ token: analyst.token }, 'FORBIDDEN'],
      [{ token: outsider.token }, 'FORBIDDEN'],
      [{ apiKey: otherKey }, 'FORBIDDEN'],
      [{ apiKey: key }, 'FORBIDDEN'],
    ] as const) {
      for (const [query, variables] of attempts)
        expect(codesOf(await app.gql(query, variables, auth))).toEqual([expected]);
    }
    expect(
      JSON.stringify(
        await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: rawId(conversationId) } }),
      ),
    ).toBe(before);
    expect(await app.db.prisma.message.count()).toBe(messagesBefore);
    const outbox = await app.gql<{ node: unknown }>(OUTBOX, { id: appServiceId }, { apiKey: otherKey });
    expect(outbox.data!.node).toBeNull();
  });
});
