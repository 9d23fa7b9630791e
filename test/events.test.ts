import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/kernel/errors.js';
import { parseEventPayload } from '../src/services/event-payloads.js';
import { storeEvent } from '../src/services/events.js';
import { codesOf, createTestApp, type Auth, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createAppService,
  createOrganization,
  globalId,
  insertConversation,
  rawId,
  signUp,
} from './support/fixtures.js';

const RECORD = /* GraphQL */ `
  mutation Record($input: RecordEventInput!) {
    recordEvent(input: $input) {
      id
      type
      subtype
      source
      scheduledTo
      agent {
        id
      }
      followUp {
        score
        followUpDate
      }
      payload {
        __typename
      }
    }
  }
`;

const PAYLOAD_FIELDS = /* GraphQL */ `
  payload {
    __typename
    ... on SalesStageChangePayload {
      oldStage
      newStage
    }
    ... on FollowupDetectionPayload {
      followupTry
      followupTime
      followupType
    }
    ... on ObjectionDetectionPayload {
      objectionType
    }
    ... on SaleMadePayload {
      product
      price
      currency
      discount
    }
    ... on MeetingScheduledPayload {
      timeScheduled
      meetingChannel
      link
    }
    ... on MeetingDonePayload {
      attended
      duration
      transcription
      video
    }
    ... on CustomerInformationDetectionPayload {
      subtype
      value
    }
  }
`;

const EVENTS = /* GraphQL */ `
  query Events($id: ID!, $types: [EventType!]) {
    node(id: $id) {
      ... on Conversation {
        events(types: $types, first: 50) {
          totalCount
          edges {
            node {
              id
              type
              subtype
              source
              confidence
              createdAt
              scheduledTo
              agent { id }
              message { id }
              followUp { score followUpDate doneAt }
              ${PAYLOAD_FIELDS}
            }
          }
        }
      }
    }
  }
`;

const FOLLOW_UPS = /* GraphQL */ `
  query FollowUps($id: ID!, $dueBefore: DateTime, $includeDone: Boolean) {
    node(id: $id) {
      ... on Organization {
        followUps(dueBefore: $dueBefore, includeDone: $includeDone) {
          totalCount
          edges {
            node {
              score
              followUpDate
              doneAt
              event {
                id
                type
              }
              conversation {
                id
              }
            }
          }
        }
      }
    }
  }
`;

const NODE = `query($id: ID!) { node(id: $id) { __typename id } }`;

interface EventRow {
  id: string;
  type: string;
  subtype: string | null;
  source: string;
  confidence: number | null;
  createdAt: string;
  scheduledTo: string | null;
  agent: { id: string } | null;
  message: { id: string } | null;
  followUp: { score: number; followUpDate: string; doneAt: string | null } | null;
  payload: ({ __typename: string } & Record<string, unknown>) | null;
}

interface EventsResult {
  node: { events: { totalCount: number; edges: { node: EventRow }[] } } | null;
}

interface FollowUpsResult {
  node: {
    followUps: {
      totalCount: number;
      edges: {
        node: {
          score: number;
          followUpDate: string;
          doneAt: string | null;
          event: { id: string; type: string };
          conversation: { id: string };
        };
      }[];
    };
  } | null;
}

/** One valid payload per event type, and what reading it back through the union gives. */
const samples: { type: string; payload: Record<string, unknown>; expected: Record<string, unknown> }[] = [
  {
    type: 'SALES_STAGE_CHANGE',
    payload: { salesStageChange: { oldStage: 'lead', newStage: 'qualified' } },
    expected: { __typename: 'SalesStageChangePayload', oldStage: 'lead', newStage: 'qualified' },
  },
  {
    type: 'FOLLOWUP_DETECTION',
    payload: {
      followupDetection: {
        followupTry: 2,
        followupTime: '2030-01-02T10:00:00.000Z',
        followupType: 'call back',
        score: 80,
      },
    },
    expected: {
      __typename: 'FollowupDetectionPayload',
      followupTry: 2,
      followupTime: '2030-01-02T10:00:00.000Z',
      followupType: 'call back',
    },
  },
  {
    type: 'OBJECTION_DETECTION',
    payload: { objectionDetection: { objectionType: 'PRICE' } },
    expected: { __typename: 'ObjectionDetectionPayload', objectionType: 'PRICE' },
  },
  {
    type: 'SALE_MADE',
    payload: { saleMade: { product: 'Dubai city break', price: 1299.5, currency: 'aed', discount: 100 } },
    expected: {
      __typename: 'SaleMadePayload',
      product: 'Dubai city break',
      price: 1299.5,
      currency: 'AED',
      discount: 100,
    },
  },
  {
    type: 'MEETING_SCHEDULED',
    payload: {
      meetingScheduled: {
        timeScheduled: '2030-02-01T15:00:00.000Z',
        meetingChannel: 'video call',
        link: 'https://meet.example.com/abc',
      },
    },
    expected: {
      __typename: 'MeetingScheduledPayload',
      timeScheduled: '2030-02-01T15:00:00.000Z',
      meetingChannel: 'video call',
      link: 'https://meet.example.com/abc',
    },
  },
  {
    type: 'MEETING_DONE',
    payload: {
      meetingDone: { attended: true, duration: 1800, transcription: 'Agent: hello. Customer: hi.' },
    },
    expected: {
      __typename: 'MeetingDonePayload',
      attended: true,
      duration: 1800,
      transcription: 'Agent: hello. Customer: hi.',
      video: null,
    },
  },
  {
    type: 'CUSTOMER_INFORMATION_DETECTION',
    payload: { customerInformationDetection: { subtype: 'EXAM_YEAR', value: '2026' } },
    expected: { __typename: 'CustomerInformationDetectionPayload', subtype: 'EXAM_YEAR', value: '2026' },
  },
];

describe.each(backends)('business events on %s', (kind) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let orgId: string;
  let appServiceId: string;
  let writer: Auth; // EVENTS_WRITE + CONVERSATIONS_READ
  let writeOnly: Auth; // EVENTS_WRITE alone
  let noEvents: Auth; // everything but EVENTS_WRITE
  let analyst: Auth;
  let agentMember: Auth;
  let agentMemberAgentId: string;
  let ownerAgentId: string;
  let other: {
    owner: Auth;
    key: Auth;
    orgId: string;
    conversationId: string;
    agentId: string;
    messageId: string;
  };

  const conversation = async () => {
    const { conversationId } = await insertConversation(app, {
      organizationId: orgId,
      appServiceId,
      messages: 4,
    });
    const messages = await app.db.prisma.message.findMany({
      where: { conversationId },
      orderBy: { index: 'asc' },
    });
    return {
      id: globalId('Conversation', conversationId),
      messageIds: messages.map((message) => globalId('Message', message.id)),
    };
  };
  const record = (auth: Auth, input: Record<string, unknown>) =>
    app.gql<{ recordEvent: EventRow }>(RECORD, { input }, auth);
  const eventsOf = (id: string, auth: Auth, types?: string[]) =>
    app.gql<EventsResult>(EVENTS, { id, types }, auth);
  const counts = async () => ({
    events: await app.db.prisma.event.count(),
    followUps: await app.db.prisma.followUp.count(),
  });

  async function member(role: 'ANALYST' | 'AGENT'): Promise<Auth & { userId: string }> {
    const user = await signUp(app, role.toLowerCase());
    const added = await app.gql(
      `mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`,
      { input: { organizationId: orgId, email: user.email, role } },
      { token: owner.token },
    );
    expect(added.errors).toBeUndefined();
    return { token: user.token, userId: rawId(user.user.id) };
  }

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'events-owner');
    orgId = await createOrganization(app, owner.token, 'Events Org');
    appServiceId = await createAppService(app, owner.token, orgId);
    writer = {
      apiKey: (await createApiKey(app, owner.token, orgId, ['EVENTS_WRITE', 'CONVERSATIONS_READ'])).secret,
    };
    writeOnly = { apiKey: (await createApiKey(app, owner.token, orgId, ['EVENTS_WRITE'])).secret };
    noEvents = {
      apiKey: (
        await createApiKey(app, owner.token, orgId, [
          'MESSAGES_WRITE',
          'CONVERSATIONS_READ',
          'ANALYTICS_READ',
        ])
      ).secret,
    };
    analyst = await member('ANALYST');
    const agent = await member('AGENT');
    agentMember = agent;
    const agents = await app.db.prisma.agent.findMany({ where: { organizationId: rawId(orgId) } });
    agentMemberAgentId = globalId('Agent', agents.find((row) => row.userId === agent.userId)!.id);
    ownerAgentId = globalId('Agent', agents.find((row) => row.userId === rawId(owner.user.id))!.id);

    const otherOwner = await signUp(app, 'other-owner');
    const otherOrgId = await createOrganization(app, otherOwner.token, 'Other Org');
    const otherAppServiceId = await createAppService(app, otherOwner.token, otherOrgId);
    const otherConversation = await insertConversation(app, {
      organizationId: otherOrgId,
      appServiceId: otherAppServiceId,
      messages: 2,
    });
    const otherAgent = await app.db.prisma.agent.findFirstOrThrow({
      where: { organizationId: rawId(otherOrgId) },
    });
    const otherMessage = await app.db.prisma.message.findFirstOrThrow({
      where: { conversationId: otherConversation.conversationId },
    });
    other = {
      owner: { token: otherOwner.token },
      key: {
        apiKey: (
          await createApiKey(app, otherOwner.token, otherOrgId, ['EVENTS_WRITE', 'CONVERSATIONS_READ'])
        ).secret,
      },
      orgId: otherOrgId,
      conversationId: globalId('Conversation', otherConversation.conversationId),
      agentId: globalId('Agent', otherAgent.id),
      messageId: globalId('Message', otherMessage.id),
    };
  });
  afterAll(() => app?.close());

  it('records every event type with an API key and reads each back with its typed payload', async () => {
    const { id } = await conversation();
    const recorded: EventRow[] = [];
    for (const sample of samples) {
      const response = await record(writer, { conversationId: id, payload: sample.payload });
      expect(response.errors, sample.type).toBeUndefined();
      const event = response.data!.recordEvent;
      expect(event.type).toBe(sample.type);
      expect(event.source).toBe('RECORDED');
      expect(event.agent).toBeNull(); // an API key has no agent of its own
      expect(event.payload?.__typename).toBe(sample.expected.__typename);
      recorded.push(event);
    }

    const read = await eventsOf(id, writer);
    expect(read.errors).toBeUndefined();
    const events = read.data!.node!.events;
    expect(events.totalCount).toBe(samples.length);
    const nodes = events.edges.map((edge) => edge.node);
    // Newest first.
    const times = nodes.map((node) => Date.parse(node.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const sample of samples) {
      const node = nodes.find((candidate) => candidate.type === sample.type)!;
      expect(node.payload, sample.type).toEqual(sample.expected);
      expect(node.id).toBe(recorded.find((event) => event.type === sample.type)!.id);
    }
    expect(nodes.find((node) => node.type === 'CUSTOMER_INFORMATION_DETECTION')!.subtype).toBe('EXAM_YEAR');
    expect(nodes.filter((node) => node.subtype !== null)).toHaveLength(1);
    // Events about a future moment are scheduled to it.
    expect(nodes.find((node) => node.type === 'MEETING_SCHEDULED')!.scheduledTo).toBe(
      '2030-02-01T15:00:00.000Z',
    );
    expect(nodes.find((node) => node.type === 'FOLLOWUP_DETECTION')!.scheduledTo).toBe(
      '2030-01-02T10:00:00.000Z',
    );
    expect(nodes.find((node) => node.type === 'SALE_MADE')!.scheduledTo).toBeNull();

    // Stored as camelCase JSON, dates as ISO strings, absent optional fields left out.
    const rows = await app.db.prisma.event.findMany({ where: { conversationId: rawId(id) } });
    expect(rows.find((row) => row.type === 'SALE_MADE')!.payload).toEqual({
      product: 'Dubai city break',
      price: 1299.5,
      currency: 'AED',
      discount: 100,
    });
    expect(rows.find((row) => row.type === 'MEETING_DONE')!.payload).toEqual({
      attended: true,
      duration: 1800,
      transcription: 'Agent: hello. Customer: hi.',
    });
    expect(rows.find((row) => row.type === 'CUSTOMER_INFORMATION_DETECTION')).toMatchObject({
      subtype: 'EXAM_YEAR',
      payload: { value: '2026' },
    });
  });

  it('FOLLOWUP_DETECTION creates a follow-up, listed by organization.followUps(dueBefore) soonest first', async () => {
    const { id } = await conversation();
    const before = await counts();
    const later = await record(writer, {
      conversationId: id,
      agentId: ownerAgentId,
      payload: {
        followupDetection: {
          followupTry: 1,
          followupTime: '2031-03-01T09:00:00.000Z',
          followupType: 'whatsapp',
          score: 55,
          followUpDate: '2031-03-05T09:00:00.000Z',
        },
      },
    });
    expect(later.errors).toBeUndefined();
    expect(later.data!.recordEvent.followUp).toEqual({ score: 55, followUpDate: '2031-03-05T09:00:00.000Z' });
    expect(later.data!.recordEvent.agent).toEqual({ id: ownerAgentId });
    const sooner = await record(writer, {
      conversationId: id,
      payload: {
        followupDetection: {
          followupTry: 2,
          followupTime: '2031-02-01T09:00:00.000Z',
          followupType: 'call',
          score: 90,
        },
      },
    });
    // followUpDate defaults to followupTime.
    expect(sooner.data!.recordEvent.followUp).toEqual({
      score: 90,
      followUpDate: '2031-02-01T09:00:00.000Z',
    });
    expect(await counts()).toEqual({ events: before.events + 2, followUps: before.followUps + 2 });

    const row = await app.db.prisma.followUp.findUniqueOrThrow({
      where: { eventId: rawId(later.data!.recordEvent.id) },
    });
    expect(row).toMatchObject({
      organizationId: rawId(orgId),
      conversationId: rawId(id),
      agentId: rawId(ownerAgentId),
      score: 55,
    });

    const due = await app.gql<FollowUpsResult>(
      FOLLOW_UPS,
      { id: orgId, dueBefore: '2031-12-31T00:00:00.000Z' },
      { token: analyst.token },
    );
    expect(due.errors).toBeUndefined();
    const listed = due.data!.node!.followUps.edges.map((edge) => edge.node);
    const ours = listed.filter((node) => node.conversation.id === id);
    expect(ours.map((node) => [node.event.id, node.score])).toEqual([
      [sooner.data!.recordEvent.id, 90],
      [later.data!.recordEvent.id, 55],
    ]);
    const dates = listed.map((node) => Date.parse(node.followUpDate));
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);

    const onlySooner = await app.gql<FollowUpsResult>(
      FOLLOW_UPS,
      { id: orgId, dueBefore: '2031-03-01T00:00:00.000Z' },
      { apiKey: writer.apiKey },
    );
    const soonerIds = onlySooner.data!.node!.followUps.edges.map((edge) => edge.node.event.id);
    expect(soonerIds).toContain(sooner.data!.recordEvent.id);
    expect(soonerIds).not.toContain(later.data!.recordEvent.id);

    // Done follow-ups drop out unless includeDone.
    await app.db.prisma.followUp.update({
      where: { eventId: rawId(sooner.data!.recordEvent.id) },
      data: { doneAt: new Date() },
    });
    const open = await app.gql<FollowUpsResult>(FOLLOW_UPS, { id: orgId }, { token: owner.token });
    const openIds = open.data!.node!.followUps.edges.map((edge) => edge.node.event.id);
    expect(openIds).toContain(later.data!.recordEvent.id);
    expect(openIds).not.toContain(sooner.data!.recordEvent.id);
    const all = await app.gql<FollowUpsResult>(
      FOLLOW_UPS,
      { id: orgId, includeDone: true },
      { token: owner.token },
    );
    expect(all.data!.node!.followUps.edges.map((edge) => edge.node.event.id)).toContain(
      sooner.data!.recordEvent.id,
    );
  });

  it('filters conversation.events by types', async () => {
    const { id } = await conversation();
    for (const sample of samples) await record(writer, { conversationId: id, payload: sample.payload });
    const some = await eventsOf(id, { token: owner.token }, ['SALE_MADE', 'MEETING_DONE']);
    expect(some.errors).toBeUndefined();
    expect(some.data!.node!.events.totalCount).toBe(2);
    expect(some.data!.node!.events.edges.map((edge) => edge.node.type).sort()).toEqual([
      'MEETING_DONE',
      'SALE_MADE',
    ]);
    const one = await eventsOf(id, { token: owner.token }, ['SALES_STAGE_CHANGE']);
    expect(one.data!.node!.events.edges.map((edge) => edge.node.payload)).toEqual([samples[0]!.expected]);
    const all = await eventsOf(id, { token: owner.token }, []);
    expect(all.data!.node!.events.totalCount).toBe(samples.length);
  });

  it('lets members who work conversations record, as their own agent by default, pointing at a message', async () => {
    const { id, messageIds } = await conversation();
    const response = await record(agentMember, {
      conversationId: id,
      messageId: messageIds[2],
      payload: { objectionDetection: { objectionType: 'TIMING' } },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.recordEvent.agent).toEqual({ id: agentMemberAgentId });
    const read = await eventsOf(id, { token: agentMember.token });
    expect(read.data!.node!.events.edges[0]!.node.message).toEqual({ id: messageIds[2] });

    // A message of another conversation of the same organization is refused.
    const elsewhere = await conversation();
    const mismatched = await record(agentMember, {
      conversationId: id,
      messageId: elsewhere.messageIds[0],
      payload: { objectionDetection: { objectionType: 'TIMING' } },
    });
    expect(codesOf(mismatched)).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps private notes out of an integrator key’s reach', async () => {
    const { id, messageIds } = await conversation();
    await app.db.prisma.message.update({ where: { id: rawId(messageIds[3]!) }, data: { private: true } });
    const input = {
      conversationId: id,
      messageId: messageIds[3],
      payload: { objectionDetection: { objectionType: 'TRUST' } },
    };
    const before = await counts();
    expect(codesOf(await record(writer, input))).toEqual(['FORBIDDEN']);
    expect(await counts()).toEqual(before);
    expect((await record({ token: owner.token }, input)).errors).toBeUndefined();
    const asKey = await eventsOf(id, writer);
    expect(asKey.data!.node!.events.edges[0]!.node.message).toBeNull();
    const asOwner = await eventsOf(id, { token: owner.token });
    expect(asOwner.data!.node!.events.edges[0]!.node.message).toEqual({ id: messageIds[3] });
  });

  it.each([
    ['a missing field', { saleMade: { product: 'Trip' } }],
    ['a wrong type', { saleMade: { product: 'Trip', price: 'cheap' } }],
    ['a wrong date', { meetingScheduled: { timeScheduled: 'next Tuesday', meetingChannel: 'phone' } }],
    [
      'two oneOf fields',
      { saleMade: { product: 'Trip', price: 10 }, objectionDetection: { objectionType: 'PRICE' } },
    ],
    ['no oneOf field', {}],
    ['an unknown subtype', { customerInformationDetection: { subtype: 'SHOE_SIZE', value: '42' } }],
    ['an over-long string', { saleMade: { product: 'x'.repeat(501), price: 10 } }],
    [
      'an over-long transcription',
      { meetingDone: { attended: true, duration: 60, transcription: 'x'.repeat(100_001) } },
    ],
    ['an empty string', { objectionDetection: { objectionType: '   ' } }],
    ['a negative price', { saleMade: { product: 'Trip', price: -1 } }],
    ['an unknown currency', { saleMade: { product: 'Trip', price: 1, currency: 'XYZ' } }],
    [
      'a non-http link',
      {
        meetingScheduled: {
          timeScheduled: '2030-01-01T00:00:00Z',
          meetingChannel: 'x',
          link: 'javascript:alert(1)',
        },
      },
    ],
    [
      'a score above 100',
      {
        followupDetection: {
          followupTry: 1,
          followupTime: '2030-01-01T00:00:00Z',
          followupType: 'call',
          score: 101,
        },
      },
    ],
    ['a negative duration', { meetingDone: { attended: false, duration: -5 } }],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_label, payload) => {
    const { id } = await conversation();
    const before = await counts();
    const response = await record(writer, { conversationId: id, payload });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.data?.recordEvent ?? null).toBeNull();
    expect(await counts()).toEqual(before);
  });

  it('names the invalid field', async () => {
    const { id } = await conversation();
    const response = await record(writer, {
      conversationId: id,
      payload: { saleMade: { product: 'x'.repeat(501), price: 10 } },
    });
    expect(response.errors?.[0]?.message).toBe(
      'Invalid SALE_MADE payload: product must be at most 500 characters',
    );
    expect(response.errors?.[0]?.extensions?.details).toEqual({
      issues: [{ path: 'product', message: 'must be at most 500 characters' }],
    });
  });

  it('refuses keys without events:write, analysts and anonymous callers, storing nothing', async () => {
    const { id } = await conversation();
    const input = { conversationId: id, payload: samples[0]!.payload };
    const before = await counts();
    expect(codesOf(await record(noEvents, input))).toEqual(['FORBIDDEN']);
    expect(codesOf(await record({ token: analyst.token }, input))).toEqual(['FORBIDDEN']);
    expect(codesOf(await record({}, input))).toEqual(['UNAUTHENTICATED']);
    expect(await counts()).toEqual(before);
    // The analyst still reads events.
    await record(writer, input);
    expect((await eventsOf(id, { token: analyst.token })).data!.node!.events.totalCount).toBe(1);
  });

  it('answers an events:write-only key with its event, but lists and node() need conversations:read', async () => {
    const { id } = await conversation();
    const response = await record(writeOnly, { conversationId: id, payload: samples[3]!.payload });
    expect(response.errors).toBeUndefined();
    expect(response.data!.recordEvent.payload).toEqual({ __typename: 'SaleMadePayload' });
    const eventId = response.data!.recordEvent.id;
    expect((await app.gql(NODE, { id: eventId }, writeOnly)).data).toEqual({ node: null });
    expect((await app.gql(NODE, { id: eventId }, writer)).data).toEqual({
      node: { __typename: 'Event', id: eventId },
    });
    expect((await eventsOf(id, writeOnly)).data).toEqual({ node: null });
  });

  it('refuses another organization’s user and key on this conversation, and shows them nothing', async () => {
    const { id, messageIds } = await conversation();
    const mine = await record(writer, { conversationId: id, payload: samples[1]!.payload });
    const eventId = mine.data!.recordEvent.id;
    const before = await counts();
    const attempts: [string, Auth, Record<string, unknown>][] = [
      ['their user on our conversation', other.owner, { conversationId: id }],
      ['their key on our conversation', other.key, { conversationId: id }],
      ['our key with their agent', writer, { conversationId: id, agentId: other.agentId }],
      ['our key with their message', writer, { conversationId: id, messageId: other.messageId }],
      ['our key on their conversation', writer, { conversationId: other.conversationId }],
      [
        'their key with our agent',
        other.key,
        { conversationId: other.conversationId, agentId: ownerAgentId },
      ],
      [
        'their key with our message',
        other.key,
        { conversationId: other.conversationId, messageId: messageIds[0] },
      ],
    ];
    for (const [who, auth, ids] of attempts) {
      const response = await record(auth, { ...ids, payload: samples[1]!.payload });
      expect(codesOf(response), who).toEqual(['FORBIDDEN']);
    }
    // An id that exists nowhere answers the same.
    const unknown = globalId('Conversation', '00000000-0000-4000-8000-000000000000');
    expect(codesOf(await record(writer, { conversationId: unknown, payload: samples[0]!.payload }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(await counts()).toEqual(before);

    for (const auth of [other.owner, other.key]) {
      expect((await app.gql(NODE, { id: eventId }, auth)).data).toEqual({ node: null });
      expect((await eventsOf(id, auth)).data).toEqual({ node: null });
      expect((await app.gql(FOLLOW_UPS, { id: orgId }, auth)).data).toEqual({ node: null });
      const theirs = await app.gql<FollowUpsResult>(FOLLOW_UPS, { id: other.orgId, includeDone: true }, auth);
      expect(theirs.errors).toBeUndefined();
      expect(JSON.stringify(theirs.data)).not.toContain(eventId);
    }
  });

  it('stores classifier events with source DETECTED and a confidence; an unreadable stored payload reads as null', async () => {
    const { id } = await conversation();
    const event = parseEventPayload('CUSTOMER_INFORMATION_DETECTION', 'NAME', { value: '  Layla ' });
    await storeEvent(app.db.prisma, {
      organizationId: rawId(orgId),
      conversationId: rawId(id),
      event,
      source: 'DETECTED',
      confidence: 0.85,
    });
    await expect(
      storeEvent(app.db.prisma, {
        organizationId: rawId(orgId),
        conversationId: rawId(id),
        event,
        source: 'DETECTED',
        confidence: 1.5,
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await app.db.prisma.event.create({
      data: {
        organizationId: rawId(orgId),
        conversationId: rawId(id),
        type: 'SALE_MADE',
        payload: { product: 'Trip', price: 'not a number' },
        createdAt: new Date(Date.now() - 60_000),
      },
    });
    const read = await eventsOf(id, writer);
    expect(read.errors).toBeUndefined();
    const [detected, broken] = read.data!.node!.events.edges.map((edge) => edge.node);
    expect(detected).toMatchObject({
      type: 'CUSTOMER_INFORMATION_DETECTION',
      subtype: 'NAME',
      source: 'DETECTED',
      confidence: 0.85,
      payload: { __typename: 'CustomerInformationDetectionPayload', subtype: 'NAME', value: 'Layla' },
    });
    expect(broken).toMatchObject({ type: 'SALE_MADE', payload: null });
  });
});

describe('parseEventPayload (raw JSON, as the classifier sends it)', () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      return { code: (error as DomainError).code, details: (error as DomainError).details };
    }
    throw new Error('expected a refusal');
  };

  it('accepts ISO strings for dates and defaults the follow-up date', () => {
    const parsed = parseEventPayload('FOLLOWUP_DETECTION', null, {
      followupTry: 1,
      followupTime: '2030-05-01T08:00:00+02:00',
      followupType: 'email',
      score: 0,
    });
    expect(parsed.data).toEqual({
      followupTry: 1,
      followupTime: new Date('2030-05-01T06:00:00Z'),
      followupType: 'email',
    });
    expect(parsed.followUp).toEqual({ score: 0, followUpDate: new Date('2030-05-01T06:00:00Z') });
  });

  it.each([
    ['a string for a number', 'SALE_MADE', null, { product: 'Trip', price: '12' }, 'price'],
    ['an unknown key', 'OBJECTION_DETECTION', null, { objectionType: 'PRICE', severity: 3 }, ''],
    ['a subtype on a type without subtypes', 'SALE_MADE', 'NAME', { product: 'Trip', price: 1 }, 'subtype'],
    ['a missing subtype', 'CUSTOMER_INFORMATION_DETECTION', null, { value: 'x' }, 'subtype'],
    ['an unknown subtype', 'CUSTOMER_INFORMATION_DETECTION', 'SHOE_SIZE', { value: 'x' }, 'subtype'],
    ['a non-object', 'SALES_STAGE_CHANGE', null, 'lead → won', ''],
    ['a float for an integer', 'MEETING_DONE', null, { attended: true, duration: 1.5 }, 'duration'],
    [
      'free text for a date',
      'MEETING_SCHEDULED',
      null,
      { timeScheduled: 'Tuesday 3pm', meetingChannel: 'x' },
      'timeScheduled',
    ],
    [
      'score without a follow-up type',
      'FOLLOWUP_DETECTION',
      null,
      { followupTry: 1, followupTime: '2030-01-01T00:00:00Z', score: 5 },
      'followupType',
    ],
  ] as const)('refuses %s', (_label, type, subtype, raw, path) => {
    const refused = refusal(() => parseEventPayload(type, subtype, raw));
    expect(refused.code).toBe('BAD_USER_INPUT');
    const issues = (refused.details as { issues: { path: string }[] }).issues;
    expect(issues.map((issue) => issue.path)).toContain(path);
  });
});
