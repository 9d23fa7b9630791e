// Organization.report on each backend: rows per agent, team and label, exact on a known data set (counts,
// percentiles, SLA %, CSAT), days counted in the organization's time zone, the range validated, readers
// with analytics access only, nothing of another organization, and a fixed number of SQL statements.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, createTestApp, type Auth, type TestApp } from './support/app.js';
import { backends } from './support/db.js';
import {
  createApiKey,
  createOrganization,
  createAppService,
  globalId,
  rawId,
  signUp,
} from './support/fixtures.js';

const REPORT = /* GraphQL */ `
  query ($id: ID!, $range: ReportRangeInput!, $dimensions: [ReportDimension!]) {
    node(id: $id) {
      ... on Organization {
        report(range: $range, dimensions: $dimensions) {
          timezone
          from
          to
          start
          end
          rows {
            dimension
            agentId
            teamId
            label
            name
            conversationsHandled
            firstResponseP50
            firstResponseP90
            resolutionP50
            resolutionP90
            csatResponses
            csatAverage
            csatSatisfiedPercent
            slaMeasured
            slaMet
            slaMetPercent
          }
        }
      }
    }
  }
`;

interface Row {
  dimension: string;
  agentId: string | null;
  teamId: string | null;
  label: string | null;
  name: string;
  conversationsHandled: number;
  firstResponseP50: number | null;
  firstResponseP90: number | null;
  resolutionP50: number | null;
  resolutionP90: number | null;
  csatResponses: number;
  csatAverage: number | null;
  csatSatisfiedPercent: number | null;
  slaMeasured: number;
  slaMet: number;
  slaMetPercent: number | null;
}
interface Report {
  timezone: string;
  from: string;
  to: string;
  start: string;
  end: string;
  rows: Row[];
}

// The organization is in Asia/Dubai (UTC+4, no daylight saving): the local day 2025-03-03 is
// [2025-03-02T20:00Z, 2025-03-03T20:00Z).
const DAY_START = Date.parse('2025-03-02T20:00:00Z');
const S = 1000;
const at = (ms: number) => new Date(DAY_START + ms);

describe.each(backends)('reports on %s', (kind) => {
  let app: TestApp;
  let owner: Auth;
  let orgId: string;
  let line: string;
  let agents: { a1: string; a2: string };
  let teamId: string;
  let stranger: Auth;
  let strangerOrg: string;

  const report = (
    auth: Auth,
    range = { from: '2025-03-03', to: '2025-03-03' },
    id = orgId,
    dimensions?: string[],
  ) =>
    app.gql<{ node: { report: Report } | null }>(
      REPORT,
      { id, range, ...(dimensions ? { dimensions } : {}) },
      auth,
    );

  /** A conversation resolved `resolvedAt` ms into the local day, its clocks given in seconds from its start. */
  async function handled(input: {
    organizationId?: string;
    appServiceId?: string;
    assigneeId?: string | null;
    teamId?: string | null;
    labels?: string[];
    startAt: number;
    escalated?: boolean;
    /** Seconds after the start (negative: before the escalation, which is then 30 s after the start). */
    firstReply?: number | null;
    resolution: number;
    breach?: boolean;
    rating?: number | null | 'no survey';
  }) {
    const prisma = app.db.prisma;
    const organizationId = input.organizationId ?? rawId(orgId);
    const start = at(input.startAt);
    const escalatedAt = input.escalated === false ? null : start;
    const firstReplyAt =
      input.firstReply === undefined || input.firstReply === null
        ? null
        : new Date(start.getTime() + input.firstReply * S);
    const resolvedAt = new Date(start.getTime() + input.resolution * S);
    const conversation = await prisma.conversation.create({
      data: {
        organizationId,
        appServiceId: input.appServiceId ?? rawId(line),
        status: 'RESOLVED',
        assigneeId: input.assigneeId ?? null,
        teamId: input.teamId ?? null,
        labels: input.labels ?? [],
        // A reply before the handoff: the conversation started earlier and escalated later.
        createdAt:
          input.firstReply !== undefined && input.firstReply !== null && input.firstReply < 0
            ? new Date(start.getTime() - 60 * S)
            : start,
        escalatedAt,
        firstReplyAt,
        resolvedAt,
        lastMessageAt: resolvedAt,
      },
    });
    if (input.breach) {
      await prisma.slaAlert.create({
        data: {
          organizationId,
          conversationId: conversation.id,
          target: 'FIRST_RESPONSE',
          kind: 'BREACH',
          dueAt: start,
        },
      });
    }
    if (input.rating !== undefined && input.rating !== 'no survey') {
      await prisma.csatSurvey.create({
        data: {
          organizationId,
          appServiceId: conversation.appServiceId,
          conversationId: conversation.id,
          agentId: input.assigneeId ?? null,
          teamId: input.teamId ?? null,
          language: 'en',
          resolvedAt,
          rating: input.rating,
          respondedAt: input.rating === null ? null : resolvedAt,
        },
      });
    }
    return conversation.id;
  }

  beforeAll(async () => {
    app = await createTestApp(kind);
    const user = await signUp(app, 'report-owner');
    owner = { token: user.token };
    orgId = await createOrganization(app, user.token, 'Report org');
    line = await createAppService(app, user.token, orgId, 'Report line');
    const update = await app.gql(
      `mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { timezone } }`,
      { i: { organizationId: orgId, timezone: 'Asia/Dubai' } },
      owner,
    );
    expect(update.data).toEqual({ updateOrganization: { timezone: 'Asia/Dubai' } });
    const prisma = app.db.prisma;
    const org = rawId(orgId);
    agents = {
      a1: (await prisma.agent.create({ data: { organizationId: org, name: 'Amal' } })).id,
      a2: (await prisma.agent.create({ data: { organizationId: org, name: 'Bilal' } })).id,
    };
    teamId = (await prisma.team.create({ data: { organizationId: org, name: 'Care' } })).id;
    // One policy for the whole organization: every conversation handed to humans is measured.
    await prisma.slaPolicy.create({ data: { organizationId: org, name: 'All', firstResponseSeconds: 250 } });
    const { a1, a2 } = agents;
    // Amal: first replies 60…300 s, resolutions 600…3000 s; the first three in team Care; 1 and 2 "billing".
    const ratings = [5, 3, null, 'no survey', 'no survey'] as const;
    for (let n = 1; n <= 5; n++) {
      await handled({
        assigneeId: a1,
        teamId: n <= 3 ? teamId : null,
        labels: n <= 2 ? ['billing'] : [],
        startAt: n * 3600 * S,
        firstReply: 60 * n,
        resolution: 600 * n,
        breach: n === 5,
        rating: ratings[n - 1],
      });
    }
    // Bilal: one in Care (reply after 100 s, resolved after 1000 s, rated 4); one "billing" whose reply came
    // before the handoff (no first response time), resolved 2000 s after the handoff, breached.
    await handled({
      assigneeId: a2,
      teamId,
      startAt: 1000 * S,
      firstReply: 100,
      resolution: 1000,
      rating: 4,
    });
    await handled({
      assigneeId: a2,
      labels: ['billing'],
      startAt: 2000 * S,
      firstReply: -30,
      resolution: 2000,
      breach: true,
    });
    // Nobody's, never handed over: only the label row, not measured for SLA (its first reply counts from the start).
    await handled({ labels: ['vip'], startAt: 500 * S, escalated: false, firstReply: 45, resolution: 90 });
    // Outside the local day: resolved 30 s before it starts, and at its end (exclusive); rated 1.
    await handled({
      assigneeId: a1,
      teamId,
      labels: ['billing'],
      startAt: -120 * S,
      firstReply: 5,
      resolution: 90,
      rating: 1,
    });
    await handled({
      assigneeId: a1,
      teamId,
      labels: ['billing'],
      startAt: 86_400 * S - 100 * S,
      firstReply: 5,
      resolution: 100,
      rating: 1,
    });

    // Another organization with the same shape of data.
    const other = await signUp(app, 'report-stranger');
    stranger = { token: other.token };
    strangerOrg = await createOrganization(app, other.token, 'Stranger org');
    const theirLine = await createAppService(app, other.token, strangerOrg, 'Their line');
    const theirAgent = await prisma.agent.create({
      data: { organizationId: rawId(strangerOrg), name: 'Zed' },
    });
    await handled({
      organizationId: rawId(strangerOrg),
      appServiceId: rawId(theirLine),
      assigneeId: theirAgent.id,
      labels: ['billing'],
      startAt: 100 * S,
      firstReply: 1,
      resolution: 2,
      breach: true,
      rating: 1,
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('gives exact rows per agent, team and label over the local day', async () => {
    const response = await report(owner);
    expect(response.errors).toBeUndefined();
    const result = response.data!.node!.report;
    expect(result).toMatchObject({
      timezone: 'Asia/Dubai',
      from: '2025-03-03',
      to: '2025-03-03',
      start: '2025-03-02T20:00:00.000Z',
      end: '2025-03-03T20:00:00.000Z',
    });
    const base = { agentId: null, teamId: null, label: null };
    expect(result.rows).toEqual([
      {
        ...base,
        dimension: 'AGENT',
        agentId: globalId('Agent', agents.a1),
        name: 'Amal',
        conversationsHandled: 5,
        // 60, 120, 180, 240, 300: the median, and 240 + 0.6 × 60.
        firstResponseP50: 180,
        firstResponseP90: 276,
        resolutionP50: 1800,
        resolutionP90: 2760,
        // Rated 5 and 3 (one survey unanswered).
        csatResponses: 2,
        csatAverage: 4,
        csatSatisfiedPercent: 50,
        slaMeasured: 5,
        slaMet: 4,
        slaMetPercent: 80,
      },
      {
        ...base,
        dimension: 'AGENT',
        agentId: globalId('Agent', agents.a2),
        name: 'Bilal',
        conversationsHandled: 2,
        firstResponseP50: 100,
        firstResponseP90: 100,
        // 1000 and 2000 (from the handoff).
        resolutionP50: 1500,
        resolutionP90: 1900,
        csatResponses: 1,
        csatAverage: 4,
        csatSatisfiedPercent: 100,
        slaMeasured: 2,
        slaMet: 1,
        slaMetPercent: 50,
      },
      {
        ...base,
        dimension: 'TEAM',
        teamId: globalId('Team', teamId),
        name: 'Care',
        conversationsHandled: 4,
        // 60, 100, 120, 180: (100 + 120) / 2, and 120 + 0.7 × 60.
        firstResponseP50: 110,
        firstResponseP90: 162,
        // 600, 1000, 1200, 1800.
        resolutionP50: 1100,
        resolutionP90: 1620,
        // 5, 3, 4 (one unanswered).
        csatResponses: 3,
        csatAverage: 4,
        csatSatisfiedPercent: (100 * 2) / 3,
        slaMeasured: 4,
        slaMet: 4,
        slaMetPercent: 100,
      },
      {
        ...base,
        dimension: 'LABEL',
        label: 'billing',
        name: 'billing',
        conversationsHandled: 3,
        // 60 and 120 (Bilal's reply came before the handoff).
        firstResponseP50: 90,
        firstResponseP90: 114,
        // 600, 1200, 2000: the median, and 1200 + 0.8 × 800.
        resolutionP50: 1200,
        resolutionP90: 1840,
        csatResponses: 2,
        csatAverage: 4,
        csatSatisfiedPercent: 50,
        slaMeasured: 3,
        slaMet: 2,
        slaMetPercent: (100 * 2) / 3,
      },
      {
        ...base,
        dimension: 'LABEL',
        label: 'vip',
        name: 'vip',
        conversationsHandled: 1,
        firstResponseP50: 45,
        firstResponseP90: 45,
        resolutionP50: 90,
        resolutionP90: 90,
        csatResponses: 0,
        csatAverage: null,
        csatSatisfiedPercent: null,
        slaMeasured: 0,
        slaMet: 0,
        slaMetPercent: null,
      },
    ]);
    // One kind of rows when asked.
    const teams = await report(owner, undefined, orgId, ['TEAM']);
    expect(teams.data!.node!.report.rows.map((row) => row.name)).toEqual(['Care']);
  });

  it('counts days in the time zone: the next local day holds the conversation resolved at its start', async () => {
    const next = (await report(owner, { from: '2025-03-04', to: '2025-03-04' })).data!.node!.report;
    expect(next.start).toBe('2025-03-03T20:00:00.000Z');
    expect(next.rows.find((row) => row.name === 'Amal')).toMatchObject({
      conversationsHandled: 1,
      csatAverage: 1,
    });
    // Three days: everything of this organization.
    const three = (await report(owner, { from: '2025-03-02', to: '2025-03-04' })).data!.node!.report;
    expect(three.rows.find((row) => row.name === 'Amal')?.conversationsHandled).toBe(7);
  });

  it('refuses bad ranges, changing nothing', async () => {
    for (const range of [
      { from: '2025-03-04', to: '2025-03-03' },
      { from: '2025-01-01', to: '2026-01-02' },
      { from: '2025-02-30', to: '2025-03-03' },
      { from: '3 March', to: '2025-03-03' },
    ]) {
      expect(codesOf(await report(owner, range)), JSON.stringify(range)).toEqual(['BAD_USER_INPUT']);
    }
    // 366 days is the longest range.
    expect((await report(owner, { from: '2024-01-01', to: '2024-12-31' })).errors).toBeUndefined();
    const badZone = await app.gql(
      `mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { timezone } }`,
      { i: { organizationId: orgId, timezone: 'Mars/Olympus' } },
      owner,
    );
    expect(codesOf(badZone)).toEqual(['BAD_USER_INPUT']);
    expect(
      (await app.db.prisma.organization.findUniqueOrThrow({ where: { id: rawId(orgId) } })).timezone,
    ).toBe('Asia/Dubai');
  });

  it('answers readers with analytics access only, and nothing of another organization', async () => {
    const member = async (role: string) => {
      const user = await signUp(app, `report-${role.toLowerCase()}`);
      await app.gql(
        `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
        { i: { organizationId: orgId, email: user.email, role } },
        owner,
      );
      return { token: user.token };
    };
    const full = (await report(owner)).data!.node!.report.rows;
    for (const reader of [
      await member('ANALYST'),
      await member('ADMIN'),
      { apiKey: (await createApiKey(app, owner.token!, orgId, ['ANALYTICS_READ'])).secret },
    ]) {
      expect((await report(reader)).data!.node!.report.rows).toEqual(full);
    }
    const writeOnly = { apiKey: (await createApiKey(app, owner.token!, orgId, ['MESSAGES_WRITE'])).secret };
    expect(codesOf(await report(writeOnly))).toEqual(['FORBIDDEN']);
    // The other organization: our organization is not even found; its own report has only its row.
    const strangerKey = {
      apiKey: (await createApiKey(app, stranger.token!, strangerOrg, ['ANALYTICS_READ'])).secret,
    };
    for (const auth of [stranger, strangerKey]) {
      const theirs = await report(auth);
      expect(theirs.data?.node ?? null).toBeNull();
      expect(JSON.stringify(theirs)).not.toContain('Amal');
      // Its time zone is UTC: its conversation, resolved at 20:01Z, is on 2 March there.
      const own = (await report(auth, { from: '2025-03-02', to: '2025-03-02' }, strangerOrg)).data!.node!
        .report.rows;
      expect(own.map((row) => [row.dimension, row.name, row.conversationsHandled, row.csatAverage])).toEqual([
        ['AGENT', 'Zed', 1, 1],
        ['LABEL', 'billing', 1, 1],
      ]);
    }
    expect(full.some((row) => row.name === 'Zed')).toBe(false);
  });

  it('sends the same number of SQL statements whatever the data size', async () => {
    const count = async () => (await app.countStatements(() => report(owner))).statements;
    const small = await count();
    for (let n = 0; n < 30; n++) {
      await handled({
        assigneeId: n % 2 ? agents.a1 : agents.a2,
        teamId,
        labels: [`topic-${n % 5}`],
        startAt: (20_000 + n * 100) * S,
        firstReply: n + 1,
        resolution: 100 + n,
        rating: (n % 5) + 1,
      });
    }
    const large = await count();
    expect(large.length).toBe(small.length);
    // The figures are one statement.
    expect(large.filter((sql) => sql.includes('percentile_cont'))).toHaveLength(1);
  });
});
