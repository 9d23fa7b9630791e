import { PubSub } from 'graphql-subscriptions';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimePublisher } from '../src/realtime/publisher.js';
import { TopicBus } from '../src/realtime/topic-bus.js';
import type { Channel, ConversationStatus } from '../src/generated/prisma/enums.js';
import type { Prisma } from '../src/generated/prisma/client.js';
import {
  ineligibilityReason,
  isWithinWorkingHours,
  pickAgent,
  workingHoursSchema,
  type RoutingCandidate,
  type RoutingNeed,
  type WorkingHours,
} from '../src/services/routing.js';
import { loadCandidates, lockOrganizationRouting } from '../src/services/routing-assignment.js';
import { autoAssign, drainAllQueues, drainQueue, queuePosition } from '../src/services/routing-queue.js';
import { testSettings, createTestApp, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import { createAppService, createOrganization, rawId, signUp } from './support/fixtures.js';

// Monday 15 January 2024, 10:00 UTC.
const MONDAY_10_UTC = new Date('2024-01-15T10:00:00Z');

const candidate = (overrides: Partial<RoutingCandidate> = {}): RoutingCandidate => ({
  id: 'a',
  available: true,
  channels: [],
  topics: [],
  languages: [],
  maxConcurrent: 5,
  workingHours: null,
  timezone: 'UTC',
  lastAssignedAt: null,
  activeCount: 0,
  teamIds: [],
  ...overrides,
});
const need = (overrides: Partial<RoutingNeed> = {}): RoutingNeed => ({
  channel: 'WHATSAPP',
  labels: [],
  language: null,
  teamId: null,
  ...overrides,
});

describe('eligibility rules', () => {
  const now = MONDAY_10_UTC;

  it('an available agent without preferences, under capacity, may take anything', () => {
    expect(ineligibilityReason(candidate(), need({ labels: ['billing'], language: 'ar' }), now)).toBeNull();
  });

  it('unavailable', () => {
    expect(ineligibilityReason(candidate({ available: false }), need(), now)).toBe('unavailable');
  });

  it('outside working hours', () => {
    const hours: WorkingHours = { mon: [['12:00', '17:00']] };
    expect(ineligibilityReason(candidate({ workingHours: hours }), need(), now)).toBe(
      'outside working hours',
    );
    expect(
      ineligibilityReason(candidate({ workingHours: { mon: [['09:00', '17:00']] } }), need(), now),
    ).toBeNull();
  });

  it('channel: an empty list serves every channel, otherwise it must list the conversation’s', () => {
    const web = candidate({ channels: ['WEB', 'TELEGRAM'] });
    expect(ineligibilityReason(web, need({ channel: 'WHATSAPP' }), now)).toBe('channel');
    expect(ineligibilityReason(web, need({ channel: 'TELEGRAM' }), now)).toBeNull();
    for (const channel of ['WHATSAPP', 'EMAIL', 'OTHER'] as Channel[]) {
      expect(ineligibilityReason(candidate({ channels: [] }), need({ channel }), now)).toBeNull();
    }
  });

  it('topic: one topic must match one label (any case); no topics or no labels always fit', () => {
    const billing = candidate({ topics: ['Billing', 'refunds'] });
    expect(ineligibilityReason(billing, need({ labels: ['sales'] }), now)).toBe('topic');
    expect(ineligibilityReason(billing, need({ labels: ['urgent', 'billing'] }), now)).toBeNull();
    expect(ineligibilityReason(billing, need({ labels: ['REFUNDS'] }), now)).toBeNull();
    expect(ineligibilityReason(billing, need({ labels: [] }), now)).toBeNull();
    expect(ineligibilityReason(candidate({ topics: [] }), need({ labels: ['sales'] }), now)).toBeNull();
  });

  it('language: must include the conversation’s primary language when it is known', () => {
    const arabic = candidate({ languages: ['ar', 'fr'] });
    expect(ineligibilityReason(arabic, need({ language: 'en' }), now)).toBe('language');
    expect(ineligibilityReason(arabic, need({ language: 'ar-AE' }), now)).toBeNull();
    expect(ineligibilityReason(arabic, need({ language: 'FR' }), now)).toBeNull();
    expect(
      ineligibilityReason(candidate({ languages: ['en-GB'] }), need({ language: 'en' }), now),
    ).toBeNull();
    expect(ineligibilityReason(arabic, need({ language: null }), now)).toBeNull();
    expect(ineligibilityReason(candidate({ languages: [] }), need({ language: 'ja' }), now)).toBeNull();
  });

  it('at capacity: active conversations must stay under maxConcurrent', () => {
    expect(ineligibilityReason(candidate({ maxConcurrent: 3, activeCount: 3 }), need(), now)).toBe(
      'at capacity',
    );
    expect(ineligibilityReason(candidate({ maxConcurrent: 3, activeCount: 2 }), need(), now)).toBeNull();
  });
});

describe('pickAgent', () => {
  const now = MONDAY_10_UTC;
  const at = (iso: string) => new Date(iso);

  it('takes the least loaded eligible agent, however long the others have been idle', () => {
    const picked = pickAgent(
      [
        candidate({ id: 'busy-but-idle', activeCount: 3, lastAssignedAt: null }),
        candidate({ id: 'light', activeCount: 1, lastAssignedAt: at('2024-01-15T09:59:00Z') }),
        candidate({ id: 'idle-but-ineligible', activeCount: 0, available: false }),
      ],
      need(),
      now,
    );
    expect(picked?.id).toBe('light');
  });

  it('between equally loaded agents takes the longest idle: never assigned first, then the oldest', () => {
    const recent = candidate({ id: 'a-recent', activeCount: 1, lastAssignedAt: at('2024-01-15T09:00:00Z') });
    const older = candidate({ id: 'b-older', activeCount: 1, lastAssignedAt: at('2024-01-15T08:00:00Z') });
    const never = candidate({ id: 'c-never', activeCount: 1, lastAssignedAt: null });
    expect(pickAgent([recent, older], need(), now)?.id).toBe('b-older');
    expect(pickAgent([recent, older, never], need(), now)?.id).toBe('c-never');
  });

  it('breaks a full tie by id, whatever the order of the list', () => {
    const x = candidate({ id: 'x' });
    const y = candidate({ id: 'y' });
    expect(pickAgent([y, x], need(), now)?.id).toBe('x');
    expect(pickAgent([x, y], need(), now)?.id).toBe('x');
  });

  it('returns null when nobody is eligible', () => {
    expect(
      pickAgent(
        [candidate({ available: false }), candidate({ id: 'b', channels: ['WEB'] })],
        need({ channel: 'SMS' }),
        now,
      ),
    ).toBeNull();
    expect(pickAgent([], need(), now)).toBeNull();
  });
});

describe('working hours', () => {
  const nineToFive: WorkingHours = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] };

  it('null means always; {} means never', () => {
    expect(isWithinWorkingHours(null, 'UTC', MONDAY_10_UTC)).toBe(true);
    expect(isWithinWorkingHours({}, 'UTC', MONDAY_10_UTC)).toBe(false);
  });

  it('reads the hours in the agent’s time zone, start inclusive and end exclusive', () => {
    // 08:30 UTC is 09:30 in Paris (UTC+1 in January), 17:30 in Tokyo, 03:30 in New York.
    const t = new Date('2024-01-15T08:30:00Z');
    expect(isWithinWorkingHours(nineToFive, 'Europe/Paris', t)).toBe(true);
    expect(isWithinWorkingHours(nineToFive, 'Asia/Tokyo', t)).toBe(false);
    expect(isWithinWorkingHours(nineToFive, 'America/New_York', t)).toBe(false);
    expect(isWithinWorkingHours(nineToFive, 'Europe/Paris', new Date('2024-01-15T08:00:00Z'))).toBe(true);
    expect(isWithinWorkingHours(nineToFive, 'Europe/Paris', new Date('2024-01-15T07:59:00Z'))).toBe(false);
    expect(isWithinWorkingHours(nineToFive, 'Europe/Paris', new Date('2024-01-15T16:00:00Z'))).toBe(false);
  });

  it('uses the local weekday, which may differ from the UTC one', () => {
    // Monday 23:30 UTC is Tuesday 08:30 in Tokyo and Monday 18:30 in New York.
    const hours: WorkingHours = { tue: [['08:00', '12:00']] };
    const t = new Date('2024-01-15T23:30:00Z');
    expect(isWithinWorkingHours(hours, 'Asia/Tokyo', t)).toBe(true);
    expect(isWithinWorkingHours(hours, 'UTC', t)).toBe(false);
    expect(isWithinWorkingHours({ mon: [['18:00', '19:00']] }, 'America/New_York', t)).toBe(true);
  });

  it('follows daylight saving time', () => {
    const hours: WorkingHours = { mon: [['09:00', '17:00']] };
    // 13:00 UTC is 09:00 in New York in July (EDT) but 08:00 in January (EST).
    expect(isWithinWorkingHours(hours, 'America/New_York', new Date('2024-07-01T13:00:00Z'))).toBe(true);
    expect(isWithinWorkingHours(hours, 'America/New_York', new Date('2024-01-15T13:00:00Z'))).toBe(false);
  });

  it('an interval past midnight runs into the next day', () => {
    const night: WorkingHours = { mon: [['22:00', '02:00']] };
    const utc = (iso: string) => isWithinWorkingHours(night, 'UTC', new Date(iso));
    expect(utc('2024-01-15T21:59:00Z')).toBe(false); // Mon 21:59
    expect(utc('2024-01-15T22:00:00Z')).toBe(true); // Mon 22:00
    expect(utc('2024-01-15T23:59:00Z')).toBe(true); // Mon 23:59
    expect(utc('2024-01-16T01:59:00Z')).toBe(true); // Tue 01:59
    expect(utc('2024-01-16T02:00:00Z')).toBe(false); // Tue 02:00
    expect(utc('2024-01-14T23:00:00Z')).toBe(false); // Sun 23:00
    expect(utc('2024-01-15T01:00:00Z')).toBe(false); // Mon 01:00 (Sunday had no night shift)
    // Sunday's night shift wraps into Monday, across the week's end.
    const sunday: WorkingHours = { sun: [['23:00', '01:00']] };
    expect(isWithinWorkingHours(sunday, 'UTC', new Date('2024-01-15T00:30:00Z'))).toBe(true);
    // And in a time zone: Dubai (UTC+4) Monday 22:00–02:00 is 18:00–22:00 UTC.
    expect(isWithinWorkingHours(night, 'Asia/Dubai', new Date('2024-01-15T21:30:00Z'))).toBe(true);
    expect(isWithinWorkingHours(night, 'Asia/Dubai', new Date('2024-01-15T22:30:00Z'))).toBe(false);
  });

  it('24:00 ends a day; several intervals a day are allowed', () => {
    const split: WorkingHours = {
      mon: [
        ['08:00', '12:00'],
        ['20:00', '24:00'],
      ],
    };
    expect(isWithinWorkingHours(split, 'UTC', new Date('2024-01-15T23:59:00Z'))).toBe(true);
    expect(isWithinWorkingHours(split, 'UTC', new Date('2024-01-15T15:00:00Z'))).toBe(false);
    expect(isWithinWorkingHours(split, 'UTC', new Date('2024-01-16T00:00:00Z'))).toBe(false);
  });

  it('an unknown time zone with hours set is never within them', () => {
    expect(isWithinWorkingHours(nineToFive, 'Mars/Olympus', MONDAY_10_UTC)).toBe(false);
    expect(isWithinWorkingHours(null, 'Mars/Olympus', MONDAY_10_UTC)).toBe(true);
  });

  it('the schema accepts weekly hours and refuses malformed ones', () => {
    expect(
      workingHoursSchema.safeParse({ mon: [['09:00', '17:00']], sat: [['22:00', '02:00']] }).success,
    ).toBe(true);
    expect(workingHoursSchema.safeParse({}).success).toBe(true);
    for (const bad of [
      { mon: [['9:00', '17:00']] },
      { mon: [['09:00', '25:00']] },
      { monday: [['09:00', '17:00']] },
      { mon: [['09:00', '09:00']] },
      { mon: [['24:00', '02:00']] },
      { mon: [['09:00']] },
      { mon: '09:00-17:00' },
      [],
      'always',
    ]) {
      expect(workingHoursSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe.each(backends)('routing in the database on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(kind);
  });
  afterAll(() => app?.close());

  const now = MONDAY_10_UTC;
  const minutesAfter = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

  /** An organization with one WhatsApp app service; the owner's own agent profile is switched off. */
  async function tenant(label: string) {
    const owner = await signUp(app, `routing-${label}`);
    const orgId = await createOrganization(app, owner.token, `Routing ${label}`);
    const appServiceId = await createAppService(app, owner.token, orgId);
    const organizationId = rawId(orgId);
    await app.db.prisma.agent.updateMany({ where: { organizationId }, data: { available: false } });
    const prisma = app.db.prisma;

    const agent = (name: string, data: Partial<Prisma.AgentUncheckedCreateInput> = {}) =>
      prisma.agent.create({ data: { organizationId, name, internal: false, ...data } });

    const conversation = (
      data: {
        labels?: string[];
        language?: string | null;
        status?: ConversationStatus;
        assigneeId?: string | null;
      } = {},
    ) =>
      prisma.conversation.create({
        data: { organizationId, appServiceId: rawId(appServiceId), status: 'BOT', ...data },
      });

    /** Conversations held by an agent, to give them a load. */
    const load = async (agentId: string, statuses: ConversationStatus[]) => {
      for (const status of statuses) await conversation({ status, assigneeId: agentId });
    };

    const route = (conversationId: string, at = now, assignedById: string | null = null) =>
      prisma.$transaction((tx) => autoAssign(tx, { conversationId, organizationId, assignedById, now: at }));
    const drain = (at = now) => prisma.$transaction((tx) => drainQueue(tx, { organizationId, now: at }));

    return { owner, organizationId, agent, conversation, load, route, drain };
  }

  it('computes each agent’s active load (ASSIGNED and PENDING only) in one statement', async () => {
    const t = await tenant('load');
    const a = await t.agent('A');
    const b = await t.agent('B');
    await t.load(a.id, ['ASSIGNED', 'PENDING', 'RESOLVED', 'CLOSED']);
    await t.load(b.id, ['ASSIGNED']);
    const { result, statements } = await app.countStatements(() =>
      app.db.prisma.$transaction((tx) => loadCandidates(tx, t.organizationId)),
    );
    const counts = Object.fromEntries(result.map((c) => [c.id, c.activeCount]));
    expect(counts[a.id]).toBe(2);
    expect(counts[b.id]).toBe(1);
    expect(statements.filter((sql) => /^\s*SELECT/i.test(sql))).toHaveLength(1);
  });

  it('autoAssign skips every ineligible agent, takes the least loaded then the longest idle, and records it', async () => {
    const t = await tenant('pick');
    const hoursLater = { mon: [['12:00', '18:00']] };
    const ineligible = [
      await t.agent('unavailable', { available: false }),
      await t.agent('off duty', { workingHours: hoursLater }),
      await t.agent('web only', { channels: ['WEB'] }),
      await t.agent('sales only', { topics: ['sales'] }),
      await t.agent('arabic only', { languages: ['ar'] }),
      await t.agent('full', { maxConcurrent: 1 }),
    ];
    await t.load(ineligible[5]!.id, ['ASSIGNED']);
    const busy = await t.agent('busy', { lastAssignedAt: new Date('2024-01-01T00:00:00Z') });
    await t.load(busy.id, ['ASSIGNED', 'PENDING']);
    const recent = await t.agent('recent', { lastAssignedAt: minutesAfter(-10) });
    await t.load(recent.id, ['ASSIGNED', 'RESOLVED', 'RESOLVED']);
    const idle = await t.agent('idle', {
      lastAssignedAt: minutesAfter(-120),
      channels: ['WHATSAPP'],
      topics: ['Billing'],
      languages: ['en'],
      workingHours: { mon: [['09:00', '17:00']] },
      timezone: 'Europe/London',
    });
    await t.load(idle.id, ['PENDING']);

    const target = await t.conversation({ labels: ['billing'], language: 'en-GB' });
    const result = await t.route(target.id, now, rawId(t.owner.user.id));
    expect(result).toEqual({ assigned: true, agentId: idle.id });

    const prisma = app.db.prisma;
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: target.id } });
    expect(conversation).toMatchObject({ assigneeId: idle.id, status: 'ASSIGNED', queuedAt: null });
    expect((await prisma.agent.findUniqueOrThrow({ where: { id: idle.id } })).lastAssignedAt).toEqual(now);
    expect(await prisma.conversationAgent.findMany({ where: { conversationId: target.id } })).toMatchObject([
      { agentId: idle.id },
    ]);
    expect(await prisma.assignmentRecord.findMany({ where: { conversationId: target.id } })).toMatchObject([
      { agentId: idle.id, reason: 'AUTO', assignedById: rawId(t.owner.user.id), createdAt: now },
    ]);

    // Now idle has two active conversations and the most recent assignment: recent (one) is next.
    const next = await t.route(
      (await t.conversation({ labels: ['billing'], language: 'en' })).id,
      minutesAfter(1),
    );
    expect(next).toEqual({ assigned: true, agentId: recent.id });
  });

  it('queues when nobody is eligible, with positions, and records QUEUED once', async () => {
    const t = await tenant('queue');
    const arabic = await t.agent('arabic', { languages: ['ar'] });
    const first = await t.conversation({ language: 'en' });
    const second = await t.conversation({ language: 'fr' });

    expect(await t.route(first.id, minutesAfter(1))).toEqual({ assigned: false, queuePosition: 1 });
    expect(await t.route(second.id, minutesAfter(2))).toEqual({ assigned: false, queuePosition: 2 });
    // Retrying keeps the place in the queue and writes no second QUEUED record.
    expect(await t.route(first.id, minutesAfter(3))).toEqual({ assigned: false, queuePosition: 1 });

    const prisma = app.db.prisma;
    const queued = await prisma.conversation.findUniqueOrThrow({ where: { id: first.id } });
    expect(queued).toMatchObject({ queuedAt: minutesAfter(1), status: 'BOT', assigneeId: null });
    expect(await queuePosition(prisma, queued)).toBe(1);
    const records = await prisma.assignmentRecord.findMany({
      where: { organizationId: t.organizationId },
      orderBy: { createdAt: 'asc' },
    });
    expect(records.map((r) => [r.conversationId, r.reason, r.agentId])).toEqual([
      [first.id, 'QUEUED', null],
      [second.id, 'QUEUED', null],
    ]);
    expect(await queuePosition(prisma, { ...queued, queuedAt: null })).toBeNull();
    expect((await prisma.agent.findUniqueOrThrow({ where: { id: arabic.id } })).lastAssignedAt).toBeNull();
  });

  it('drainQueue assigns in queuedAt order when an agent frees up, then when one becomes available', async () => {
    const t = await tenant('drain');
    const prisma = app.db.prisma;
    const solo = await t.agent('solo', { maxConcurrent: 1 });
    const held = await t.conversation({ status: 'ASSIGNED', assigneeId: solo.id });
    const waiting = [];
    for (let i = 0; i < 3; i++) {
      const conversation = await t.conversation();
      expect(await t.route(conversation.id, minutesAfter(i + 1))).toEqual({
        assigned: false,
        queuePosition: i + 1,
      });
      waiting.push(conversation);
    }
    // Nobody free: draining does nothing.
    expect(await t.drain(minutesAfter(5))).toEqual([]);

    // solo resolves the conversation they held: one slot, so only the oldest waiting one goes to them.
    await prisma.conversation.update({ where: { id: held.id }, data: { status: 'RESOLVED' } });
    expect(await t.drain(minutesAfter(6))).toEqual([{ conversationId: waiting[0]!.id, agentId: solo.id }]);
    for (const [index, position] of [
      [1, 1],
      [2, 2],
    ] as const) {
      const waitingOne = await prisma.conversation.findUniqueOrThrow({ where: { id: waiting[index]!.id } });
      expect(await queuePosition(prisma, waitingOne)).toBe(position);
    }

    // A second agent becomes available: both remaining go, oldest first, spread by load.
    const late = await t.agent('late', { available: false, maxConcurrent: 1 });
    await prisma.agent.update({ where: { id: solo.id }, data: { maxConcurrent: 2 } });
    await prisma.agent.update({ where: { id: late.id }, data: { available: true } });
    const drained = await t.drain(minutesAfter(7));
    expect(drained).toEqual([
      { conversationId: waiting[1]!.id, agentId: late.id },
      { conversationId: waiting[2]!.id, agentId: solo.id },
    ]);
    const records = await prisma.assignmentRecord.findMany({
      where: { organizationId: t.organizationId, reason: 'AUTO' },
    });
    expect(records.map((r) => r.conversationId).sort()).toEqual(waiting.map((c) => c.id).sort());
    expect(
      await prisma.conversation.count({
        where: { organizationId: t.organizationId, queuedAt: { not: null } },
      }),
    ).toBe(0);
  });

  it('drains the queue of every organization for agents whose shift starts by the clock (the routing schedule)', async () => {
    const t = await tenant('shift');
    const lateShift = await t.agent('Late shift', {
      workingHours: { mon: [['11:00', '12:00']] },
      timezone: 'UTC',
    });
    const waiting = await t.conversation();
    expect(await t.route(waiting.id)).toEqual({ assigned: false, queuePosition: 1 });
    const deps = {
      prisma: app.db.prisma,
      settings: testSettings,
      realtime: new RealtimePublisher(new TopicBus(new PubSub()), pino({ level: 'silent' })),
    };
    // Still before the shift: nothing to do.
    expect(await drainAllQueues({ ...deps, now: () => minutesAfter(30) })).toBe(0);
    // The shift has started: the waiting conversation goes to the agent.
    expect(await drainAllQueues({ ...deps, now: () => minutesAfter(90) })).toBeGreaterThanOrEqual(1);
    const row = await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: waiting.id } });
    expect(row).toMatchObject({ assigneeId: lateShift.id, status: 'ASSIGNED', queuedAt: null });
  });

  it('drainQueue leaves a conversation nobody can take in place and assigns those behind it', async () => {
    const t = await tenant('skip');
    const french = await t.conversation({ language: 'fr' });
    const english = await t.conversation({ language: 'en' });
    await t.route(french.id, minutesAfter(1));
    await t.route(english.id, minutesAfter(2));
    const agent = await t.agent('english', { languages: ['en'] });
    expect(await t.drain(minutesAfter(3))).toEqual([{ conversationId: english.id, agentId: agent.id }]);
    const stillWaiting = await app.db.prisma.conversation.findUniqueOrThrow({ where: { id: french.id } });
    expect(await queuePosition(app.db.prisma, stillWaiting)).toBe(1);
  });

  it('autoAssign moves a conversation away from an assignee who is no longer eligible', async () => {
    const t = await tenant('move');
    const gone = await t.agent('gone', { available: false });
    const conversation = await t.conversation({ status: 'ASSIGNED', assigneeId: gone.id });
    const nobody = await t.route(conversation.id);
    expect(nobody).toEqual({ assigned: false, queuePosition: 1 });
    const other = await t.agent('other');
    expect(await t.drain(minutesAfter(1))).toEqual([{ conversationId: conversation.id, agentId: other.id }]);
  });

  it('two concurrent autoAssigns with one free slot left assign exactly one (the lock)', async () => {
    const t = await tenant('race');
    const prisma = app.db.prisma;
    // A few rounds: without the lock, both transactions would often read the same free slot.
    for (let round = 0; round < 5; round++) {
      await prisma.agent.updateMany({
        where: { organizationId: t.organizationId },
        data: { available: false },
      });
      const agent = await t.agent(`last slot ${round}`, { maxConcurrent: 2 });
      await t.load(agent.id, ['ASSIGNED']);
      const one = await t.conversation();
      const two = await t.conversation();
      const results = await Promise.all([t.route(one.id), t.route(two.id)]);
      expect(results.filter((r) => r.assigned)).toEqual([{ assigned: true, agentId: agent.id }]);
      expect(results.filter((r) => !r.assigned)).toHaveLength(1);
      expect(await prisma.conversation.count({ where: { assigneeId: agent.id, status: 'ASSIGNED' } })).toBe(
        2,
      );
    }
  });

  it.runIf(kind === 'postgres')(
    'an autoAssign waits while another transaction holds the organization’s routing lock',
    async () => {
      const t = await tenant('lock');
      const prisma = app.db.prisma;
      const agent = await t.agent('last slot', { maxConcurrent: 1 });
      const one = await t.conversation();
      const two = await t.conversation();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const first = prisma.$transaction(
        async (tx) => {
          await lockOrganizationRouting(tx, t.organizationId);
          locked();
          await released;
          return autoAssign(tx, {
            conversationId: one.id,
            organizationId: t.organizationId,
            assignedById: null,
            now,
          });
        },
        { timeout: 10_000 },
      );
      await isLocked;
      let secondDone = false;
      const second = t.route(two.id).finally(() => (secondDone = true));
      // Not merely slow: Postgres shows it waiting for an advisory lock in this database (polled, no fixed wait).
      const waitingForLock = async () => {
        const [row] = await prisma.$queryRaw<{ waiting: number }[]>`
          SELECT count(*)::int AS waiting FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
        return (row?.waiting ?? 0) > 0;
      };
      for (const deadline = Date.now() + 10_000; !(await waitingForLock());) {
        if (Date.now() > deadline) throw new Error('the second autoAssign never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(secondDone).toBe(false);
      release();
      expect(await first).toEqual({ assigned: true, agentId: agent.id });
      expect(await second).toEqual({ assigned: false, queuePosition: 1 });
    },
  );

  it.runIf(kind === 'postgres')(
    'drainQueue skips a queued conversation whose row another transaction holds',
    async () => {
      const t = await tenant('held');
      const first = await t.conversation();
      const second = await t.conversation();
      await t.route(first.id, minutesAfter(1));
      await t.route(second.id, minutesAfter(2));
      const agent = await t.agent('free');
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = app.db.prisma.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM conversations WHERE id = ${first.id}::uuid FOR UPDATE`;
          locked();
          await released;
        },
        { timeout: 10_000 },
      );
      await isLocked;
      try {
        expect(await t.drain(minutesAfter(3))).toEqual([{ conversationId: second.id, agentId: agent.id }]);
      } finally {
        release();
        await holder;
      }
      expect(await t.drain(minutesAfter(4))).toEqual([{ conversationId: first.id, agentId: agent.id }]);
    },
  );
});
