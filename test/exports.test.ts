// CSV exports end to end, on the embedded default (one process) and on Postgres with the api and a worker
// as separate applications (own database pools, BullMQ on Redis: nothing shared but the database and the
// queue). An export is asked for over GraphQL, built by the buildExport job into export_chunks, and
// downloaded with its link by its requester; the CSV is parsed back (by the parser below, written apart
// from the writer) and compared with the conversations the filter selects, read from the database.
import { request } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApplication, type Application } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { downloadToken } from '../src/services/export-links.js';
import { purgeExpiredExports } from '../src/services/exports.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { rawId } from './support/fixtures.js';
import { eventually, REDIS_URL } from './support/live.js';
import { RUN_QUEUE_PREFIX, RUN_RATE_LIMIT_PREFIX } from './support/process.js';

const scenarios = [
  { label: 'the embedded default (one process)', kind: 'embedded' as const, split: false },
  { label: 'Postgres with a separate worker (Redis, BullMQ)', kind: 'postgres' as const, split: true },
];

/** Small batches and chunks, so a couple of thousand rows take many of each. */
const BATCH = 50;
const CHUNK_KIB = 4;
const BULK = 2000;

/**
 * One HTTP request on a connection of its own: the embedded database runs on this thread, and a pooled
 * keep-alive connection the server closed while a long insert blocked the loop would fail the next request.
 */
function send(
  target: URL,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** RFC 4180 records (quoted fields, doubled quotes, CRLF or LF), written apart from src/services/csv.ts. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let inQuotes = false;
  while (i < text.length) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') inQuotes = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
    i++;
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}

const EXPORT_FIELDS = 'id kind status rowCount byteSize createdAt expiresAt downloadUrl';
const EXPORT_CONVERSATIONS = `mutation($i: ExportConversationsInput!) { exportConversations(input: $i) { ${EXPORT_FIELDS} } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on Export { ${EXPORT_FIELDS} } } }`;

interface ExportView {
  id: string;
  kind: string;
  status: string;
  rowCount: number | null;
  byteSize: number | null;
  expiresAt: string | null;
  downloadUrl: string | null;
}

describe.each(scenarios)('CSV exports on $label', ({ kind, split }) => {
  let db: TestDatabase;
  let api: Application;
  let worker: Application | undefined;
  /** The database pool the jobs run on (the worker's own when split). */
  let jobsDb: Database;
  let url: string;
  const gql = async (query: string, variables: Record<string, unknown> = {}, headers = {}): Promise<Answer> =>
    JSON.parse(
      (
        await send(new URL(url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query, variables }),
        })
      ).body.toString('utf8'),
    ) as Answer;
  const ok = async <T>(query: string, variables: Record<string, unknown> = {}, headers = {}): Promise<T> => {
    const answer = await gql(query, variables, headers);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data as T;
  };
  type Auth = { authorization: string };
  let owner: Auth;
  let analyst: Auth;
  let agent: Auth;
  let stranger: Auth;
  let organizationId: string;
  let lineA: string;
  let lineB: string;
  let bulkLine: string;
  let strangerLine: string;
  /** The conversations of line A labelled "refund" in the last two days: what the filtered export holds. */
  let expectedIds: string[] = [];
  let quotedName: string;
  let formulaName: string;

  const signUp = async (label: string): Promise<{ auth: Auth; email: string }> => {
    const email = `export-${label}-${kind}@example.test`;
    const { signUp } = await ok<{ signUp: { token: string } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      { i: { email, password: 'correct-horse-battery', name: label } },
    );
    return { auth: { authorization: `Bearer ${signUp.token}` }, email };
  };
  const createOrganization = async (auth: Auth, name: string) =>
    (
      await ok<{ createOrganization: { organization: { id: string } } }>(
        `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { id } } }`,
        { i: { name } },
        auth,
      )
    ).createOrganization.organization.id;
  const createLine = async (auth: Auth, org: string, name: string) =>
    (
      await ok<{ createAppService: { id: string } }>(
        `mutation($i: CreateAppServiceInput!) { createAppService(input: $i) { id } }`,
        { i: { organizationId: org, name, channel: 'WHATSAPP' } },
        auth,
      )
    ).createAppService.id;
  const addMember = (email: string, role: string) =>
    ok(
      `mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`,
      {
        i: { organizationId, email, role },
      },
      owner,
    );

  const exportConversations = (input: Record<string, unknown>, auth: Auth = owner) =>
    gql(EXPORT_CONVERSATIONS, { i: { organizationId, ...input } }, auth);
  const view = async (id: string, auth: Auth = owner) =>
    (await ok<{ node: ExportView | null }>(NODE, { id }, auth)).node;
  async function requested(input: Record<string, unknown>, auth: Auth = owner): Promise<ExportView> {
    const answer = await exportConversations(input, auth);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return (answer.data as { exportConversations: ExportView }).exportConversations;
  }
  async function ready(id: string, auth: Auth = owner): Promise<ExportView> {
    let last: ExportView | null = null;
    await eventually(
      async () => {
        last = await view(id, auth);
        return last?.status === 'READY' || last?.status === 'FAILED';
      },
      'the export to finish',
      60_000,
    );
    expect(last!.status).toBe('READY');
    return last!;
  }
  const download = (path: string, auth?: Auth) =>
    send(new URL(path, url), { headers: auth ? { ...auth } : {} });
  const text = async (path: string, auth: Auth) => (await download(path, auth)).body.toString('utf8');
  const outboxBuilds = () => api.db.prisma.outboxJob.count({ where: { queue: 'exports', name: 'build' } });

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PREFIX: RUN_RATE_LIMIT_PREFIX,
      EXPORT_BATCH_SIZE: String(BATCH),
      EXPORT_CHUNK_KIB: String(CHUNK_KIB),
      ...(split ? { REDIS_URL, QUEUE_PREFIX: `${RUN_QUEUE_PREFIX}-exports` } : {}),
    };
    const logger = pino({ level: process.env.EXPORT_TEST_LOG ?? 'silent' });
    if (split) {
      api = await startApplication(loadConfig({ ...env, ROLE: 'api' }), logger, { db });
      jobsDb = await openDatabase({ url: db.url!, poolSize: 4 });
      worker = await startApplication(loadConfig({ ...env, ROLE: 'worker' }), logger, { db: jobsDb });
    } else {
      api = await startApplication(loadConfig(env), logger, { db });
      jobsDb = db;
    }
    url = api.server!.url;

    const ownerUser = await signUp('owner');
    owner = ownerUser.auth;
    organizationId = await createOrganization(owner, 'Export org');
    lineA = await createLine(owner, organizationId, 'Line A');
    lineB = await createLine(owner, organizationId, 'Line B');
    bulkLine = await createLine(owner, organizationId, 'Bulk line');
    const analystUser = await signUp('analyst');
    analyst = analystUser.auth;
    await addMember(analystUser.email, 'ANALYST');
    const agentUser = await signUp('agent');
    agent = agentUser.auth;
    await addMember(agentUser.email, 'AGENT');
    const strangerUser = await signUp('stranger');
    stranger = strangerUser.auth;
    const strangerOrg = await createOrganization(stranger, 'Other org');
    strangerLine = await createLine(stranger, strangerOrg, 'Their line');

    // The conversations, written straight to the database.
    const prisma = api.db.prisma;
    const org = rawId(organizationId);
    const ownerAgent = await prisma.agent.findFirstOrThrow({ where: { organizationId: org } });
    const team = await prisma.team.create({ data: { organizationId: org, name: 'Billing, "VIP"' } });
    quotedName = 'Ali "the boss", Jr.\nsecond line';
    formulaName = '=HYPERLINK("http://evil.example","click")';
    const day = 86_400_000;
    let n = 0;
    const conversation = async (
      line: string,
      options: { label?: string; daysAgo?: number; name?: string },
    ) => {
      n++;
      const contact = await prisma.contact.create({
        data: { organizationId: org, name: options.name ?? `Customer ${n}`, phone: `+97150000${1000 + n}` },
      });
      const createdAt = new Date(Date.now() - (options.daysAgo ?? 0.5) * day - n * 1000);
      const row = await prisma.conversation.create({
        data: {
          organizationId: org,
          appServiceId: rawId(line),
          contactId: contact.id,
          status: n % 2 ? 'ASSIGNED' : 'RESOLVED',
          priority: n % 3 ? 'NORMAL' : 'HIGH',
          assigneeId: n % 2 ? ownerAgent.id : null,
          teamId: n % 2 ? team.id : null,
          labels: options.label ? [options.label, 'vip'] : [],
          createdAt,
          lastMessageAt: new Date(createdAt.getTime() + 60_000),
          firstReplyAt: new Date(createdAt.getTime() + 30_000),
          resolvedAt: n % 2 ? null : new Date(createdAt.getTime() + 90_000),
          messageCount: 2,
        },
      });
      await prisma.message.createMany({
        data: [0, 1].map((index) => ({
          organizationId: org,
          appServiceId: rawId(line),
          conversationId: row.id,
          index,
          senderType: index === 0 ? ('CUSTOMER' as const) : ('AGENT' as const),
          content: index === 0 ? 'I want a refund' : `-1 refund, said "sure", to ${n}`,
          channel: 'WHATSAPP' as const,
          sentAt: new Date(createdAt.getTime() + index * 60_000),
        })),
      });
      return row.id;
    };
    expectedIds = [
      await conversation(lineA, { label: 'refund', name: quotedName }),
      await conversation(lineA, { label: 'refund', name: formulaName }),
      await conversation(lineA, { label: 'refund' }),
    ];
    await conversation(lineA, {}); // no label
    await conversation(lineB, { label: 'refund' }); // another app service
    await conversation(lineA, { label: 'refund', daysAgo: 10 }); // before the range
    await prisma.conversation.createMany({
      data: Array.from({ length: BULK }, (_, i) => ({
        organizationId: org,
        appServiceId: rawId(bulkLine),
        status: 'BOT' as const,
        labels: [`bulk-${i % 7}`],
        createdAt: new Date(Date.now() - 3 * day + i * 1000),
        messageCount: 0,
      })),
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await db?.drop();
  });

  it('exports the filtered conversations as CSV, escaped, for the requester', async () => {
    const queued = await requested({
      filter: { label: 'refund' },
      appServiceIds: [lineA],
      from: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    });
    expect(queued).toMatchObject({ kind: 'CONVERSATIONS', downloadUrl: null, rowCount: null });
    expect(['QUEUED', 'RUNNING', 'READY']).toContain(queued.status);
    const done = await ready(queued.id);
    expect(done.rowCount).toBe(3);
    expect(new Date(done.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(done.downloadUrl).toMatch(/^\/exports\/[0-9a-f-]{36}\/download\?token=/);

    const response = await download(done.downloadUrl!, owner);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="conversations-.*\.csv"$/);
    const bytes = response.body;
    expect(bytes.length).toBe(done.byteSize);
    const csv = bytes.toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(csv.slice(1));
    expect(header).toEqual([
      'id',
      'app_service',
      'status',
      'priority',
      'labels',
      'assignee',
      'team',
      'contact_name',
      'contact_phone',
      'created_at',
      'first_reply_at',
      'resolved_at',
      'message_count',
      'last_message_at',
      'last_message',
    ]);
    expect(rows.map((row) => row[0]).sort()).toEqual([...expectedIds].sort());
    const byId = new Map(rows.map((row) => [row[0]!, row]));
    const first = byId.get(expectedIds[0]!)!;
    const stored = await api.db.prisma.conversation.findUniqueOrThrow({
      where: { id: expectedIds[0]! },
      include: { contact: true, assignee: true },
    });
    expect(first).toEqual([
      stored.id,
      'Line A',
      'ASSIGNED',
      'NORMAL',
      'refund; vip',
      stored.assignee!.name,
      'Billing, "VIP"',
      quotedName, // quotes, a comma and a newline come back as they were
      `'${stored.contact!.phone}`, // a leading + is neutralized like = - @
      stored.createdAt.toISOString(),
      stored.firstReplyAt!.toISOString(),
      '',
      '2',
      stored.lastMessageAt.toISOString(),
      `'-1 refund, said "sure", to 1`,
    ]);
    // A formula is shown as text: a quote before the =.
    expect(byId.get(expectedIds[1]!)![7]).toBe(`'${formulaName}`);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);

    // Recorded in the audit log, with the export's parameters.
    const audit = await api.db.prisma.auditLogEntry.findMany({
      where: { action: 'export.requested', targetId: rawId(queued.id) },
    });
    expect(audit).toHaveLength(1);
  });

  it('reads the conversations in keyset pages of EXPORT_BATCH_SIZE and stores chunks of EXPORT_CHUNK_KIB', async () => {
    const pages: string[] = [];
    const stop = jobsDb.onQuery((sql) => {
      if (/FROM "public"\."conversations"/.test(sql) && /ORDER BY .*"created_at" ASC/.test(sql))
        pages.push(sql);
    });
    let done: ExportView;
    try {
      const queued = await requested({ appServiceIds: [bulkLine] });
      done = await ready(queued.id);
    } finally {
      stop();
    }
    expect(done.rowCount).toBe(BULK);
    // 40 full pages, then one short (empty) page that ends it: never the whole result at once.
    expect(pages).toHaveLength(BULK / BATCH + 1);
    const chunks = await api.db.prisma.exportChunk.findMany({ where: { exportId: rawId(done.id) } });
    expect(chunks.length).toBeGreaterThan(10);
    const limit = CHUNK_KIB * 1024 + 1024; // a chunk is written once it passes the size: by one row at most
    for (const chunk of chunks) expect(Buffer.byteLength(chunk.data)).toBeLessThan(limit);
    const rows = parseCsv((await text(done.downloadUrl!, owner)).slice(1)).slice(1);
    expect(rows).toHaveLength(BULK);
    expect(new Set(rows.map((row) => row[0])).size).toBe(BULK);
  });

  it('gives the link to its requester only: other members, other organizations and tampering get 404', async () => {
    const done = await ready((await requested({ appServiceIds: [lineB] })).id);
    const link = done.downloadUrl!;
    expect((await download(link, owner)).status).toBe(200);
    // The same link with someone else's credentials, or none.
    expect((await download(link, analyst)).status).toBe(404);
    expect((await download(link, stranger)).status).toBe(404);
    expect((await download(link)).status).toBe(401);
    // Neither sees the Export through GraphQL.
    expect(await view(done.id, analyst)).toBeNull();
    expect(await view(done.id, stranger)).toBeNull();
    const listed = async (auth: Auth) =>
      (
        await ok<{ node: { exports: { edges: { node: { id: string } }[] } } | null }>(
          `query($id: ID!) { node(id: $id) { ... on Organization { exports(first: 100) { edges { node { id } } } } } }`,
          { id: organizationId },
          auth,
        )
      ).node?.exports.edges.map((edge) => edge.node.id) ?? [];
    expect(await listed(owner)).toContain(done.id);
    expect(await listed(analyst)).toEqual([]);
    expect(await listed(stranger)).toEqual([]);
    // A changed signature, a changed expiry, another export's id: all 404.
    const token = new URL(link, url).searchParams.get('token')!;
    const [expiry, signature] = token.split('.') as [string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const path = link.slice(0, link.indexOf('?'));
    expect((await download(`${path}?token=${expiry}.${flipped}`, owner)).status).toBe(404);
    const later = (parseInt(expiry, 36) + 3_600_000).toString(36);
    expect((await download(`${path}?token=${later}.${signature}`, owner)).status).toBe(404);
    expect((await download(`${path}?token=`, owner)).status).toBe(404);
    const other = (await api.db.prisma.export.findFirstOrThrow({ where: { id: { not: rawId(done.id) } } }))
      .id;
    expect((await download(link.replace(rawId(done.id), other), owner)).status).toBe(404);
  });

  it('answers 410 once expired, and the purge deletes the file', async () => {
    const done = await ready((await requested({ appServiceIds: [lineA] })).id);
    const id = rawId(done.id);
    // A link whose own expiry has passed (signed as the server signs), while the export has not expired.
    const row = await api.db.prisma.export.findUniqueOrThrow({ where: { id } });
    const pastLink = `/exports/${id}/download?token=${downloadToken(row, new Date(Date.now() - 1000))}`;
    expect((await download(pastLink, owner)).status).toBe(410);
    expect((await download(done.downloadUrl!, owner)).status).toBe(200);
    // Then the export itself.
    await api.db.prisma.export.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await download(done.downloadUrl!, owner)).status).toBe(410);
    // Someone else still learns nothing.
    expect((await download(done.downloadUrl!, analyst)).status).toBe(404);
    expect(await view(done.id)).toMatchObject({ status: 'EXPIRED', downloadUrl: null });
    // The purge (the every-minute job may get there first: then this pass finds nothing more to do).
    await purgeExpiredExports({ prisma: api.db.prisma });
    expect(await api.db.prisma.exportChunk.count({ where: { exportId: id } })).toBe(0);
    expect((await api.db.prisma.export.findUniqueOrThrow({ where: { id } })).status).toBe('EXPIRED');
    expect((await download(done.downloadUrl!, owner)).status).toBe(410);
  });

  it('lets OWNER, ADMIN and ANALYST export; an AGENT or an API key is FORBIDDEN, a stranger too', async () => {
    const before = await outboxBuilds();
    const code = async (auth: Record<string, string>) =>
      (await exportConversations({ appServiceIds: [lineA] }, auth as Auth)).errors?.[0]?.extensions?.code;
    expect(await code(agent)).toBe('FORBIDDEN');
    expect(await code(stranger)).toBe('FORBIDDEN');
    const { createApiKey } = await ok<{ createApiKey: { secret: string } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "reader", scopes: [CONVERSATIONS_READ, ANALYTICS_READ] }) { secret } }`,
      { o: organizationId },
      owner,
    );
    expect(await code({ 'x-api-key': createApiKey.secret })).toBe('FORBIDDEN');
    expect(await outboxBuilds()).toBe(before);
    // An ANALYST may, and downloads their own; losing the role loses the link.
    const done = await ready((await requested({ appServiceIds: [lineA] }, analyst)).id, analyst);
    expect((await download(done.downloadUrl!, analyst)).status).toBe(200);
    expect((await download(done.downloadUrl!, owner)).status).toBe(404);
    const analystId = (
      await api.db.prisma.membership.findFirstOrThrow({
        where: { organizationId: rawId(organizationId), role: 'ANALYST' },
      })
    ).userId;
    await api.db.prisma.membership.updateMany({ where: { userId: analystId }, data: { role: 'AGENT' } });
    try {
      expect((await download(done.downloadUrl!, analyst)).status).toBe(404);
    } finally {
      await api.db.prisma.membership.updateMany({ where: { userId: analystId }, data: { role: 'ANALYST' } });
    }
  });

  it('refuses a bad filter with a typed error and queues nothing', async () => {
    const before = await outboxBuilds();
    const exportsBefore = await api.db.prisma.export.count();
    const code = async (input: Record<string, unknown>) =>
      (await exportConversations(input)).errors?.[0]?.extensions?.code;
    expect(await code({ appServiceIds: [strangerLine] })).toBe('BAD_USER_INPUT');
    expect(await code({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toBe('BAD_USER_INPUT');
    expect(await code({ filter: { search: '' } })).toBe('BAD_USER_INPUT');
    expect(await code({ filter: { label: 'x'.repeat(101) } })).toBe('BAD_USER_INPUT');
    expect(await code({ appServiceIds: ['not-an-id'] })).toBe('BAD_USER_INPUT');
    expect(await code({ appServiceIds: Array.from({ length: 101 }, () => lineA) })).toBe('BAD_USER_INPUT');
    expect(await outboxBuilds()).toBe(before);
    expect(await api.db.prisma.export.count()).toBe(exportsBefore);
  });

  it('exports the report per agent, team and label as the GraphQL report reads it', async () => {
    const range = {
      from: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10),
      to: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
    };
    const EXPORT_REPORT = `mutation($i: ExportReportInput!) { exportReport(input: $i) { ${EXPORT_FIELDS} } }`;
    const answer = await gql(EXPORT_REPORT, { i: { organizationId, range } }, owner);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    const queued = (answer.data as { exportReport: ExportView }).exportReport;
    expect(queued.kind).toBe('REPORT');
    const done = await ready(queued.id);
    const [header, ...rows] = parseCsv((await text(done.downloadUrl!, owner)).slice(1));
    expect(header!.slice(0, 7)).toEqual([
      'dimension',
      'key',
      'name',
      'from',
      'to',
      'timezone',
      'conversations_handled',
    ]);
    const { node } = await ok<{
      node: { report: { rows: { dimension: string; name: string; conversationsHandled: number }[] } };
    }>(
      `query($id: ID!, $r: ReportRangeInput!) { node(id: $id) { ... on Organization { report(range: $r) { rows { dimension name conversationsHandled } } } } }`,
      { id: organizationId, r: range },
      owner,
    );
    expect(node.report.rows.length).toBeGreaterThan(0);
    expect(done.rowCount).toBe(node.report.rows.length);
    expect(rows.map((row) => [row[0], row[2], Number(row[6])])).toEqual(
      node.report.rows.map((row) => [row.dimension, row.name, row.conversationsHandled]),
    );
    // The same rules as the conversation export: an AGENT may not, a bad range queues nothing.
    const before = await outboxBuilds();
    const code = async (input: Record<string, unknown>, auth: Auth = owner) =>
      (await gql(EXPORT_REPORT, { i: { organizationId, ...input } }, auth)).errors?.[0]?.extensions?.code;
    expect(await code({ range }, agent)).toBe('FORBIDDEN');
    expect(await code({ range }, stranger)).toBe('FORBIDDEN');
    expect(await code({ range: { from: range.to, to: range.from } })).toBe('BAD_USER_INPUT');
    expect(await code({ range: { from: '2025-01-01', to: '2026-12-31' } })).toBe('BAD_USER_INPUT');
    expect(await code({ range: { from: '2026-02-30', to: '2026-03-01' } })).toBe('BAD_USER_INPUT');
    expect(await outboxBuilds()).toBe(before);
  });

  it('rewrites the whole file when the job is retried after a failure', async () => {
    const reference = await ready((await requested({ appServiceIds: [bulkLine] })).id);
    const expected = await text(reference.downloadUrl!, owner);
    // The third chunk's INSERT fails once (a sequence is not rolled back with the failing transaction).
    const prisma = api.db.prisma;
    await prisma.$executeRawUnsafe(`CREATE SEQUENCE export_test_failures`);
    await prisma.$executeRawUnsafe(`CREATE FUNCTION export_test_fail_once() RETURNS trigger AS $$
      BEGIN
        IF NEW.seq = 2 THEN
          IF nextval('export_test_failures') = 1 THEN
            RAISE EXCEPTION 'simulated failure while writing chunk 2';
          END IF;
        END IF;
        RETURN NEW;
      END; $$ LANGUAGE plpgsql`);
    await prisma.$executeRawUnsafe(`CREATE TRIGGER export_test_fail_once BEFORE INSERT ON export_chunks
      FOR EACH ROW EXECUTE FUNCTION export_test_fail_once()`);
    try {
      const retried = await ready((await requested({ appServiceIds: [bulkLine] })).id);
      const row = await prisma.export.findUniqueOrThrow({ where: { id: rawId(retried.id) } });
      expect(row.attempt).toBe(2);
      // Only the second run's chunks are left.
      expect(await prisma.exportChunk.count({ where: { exportId: row.id, attempt: { not: 2 } } })).toBe(0);
      const [{ failures }] = await prisma.$queryRawUnsafe<[{ failures: bigint }]>(
        `SELECT last_value AS failures FROM export_test_failures`,
      );
      expect(Number(failures)).toBeGreaterThanOrEqual(1);
      expect(retried.rowCount).toBe(BULK);
      expect(await text(retried.downloadUrl!, owner)).toBe(expected);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER export_test_fail_once ON export_chunks`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION export_test_fail_once()`);
      await prisma.$executeRawUnsafe(`DROP SEQUENCE export_test_failures`);
    }
  });
});
