// Scenario — Conversation search (#19): "a support agent can find any conversation in a 1,000,000-message
// workspace in under a second (p95)".
//
// The dashboard's database shape (20,000 conversations × 50 messages, 10 agents, bench/support/dataset.ts),
// with content in English, French and Arabic (phrase lists, so that a word is in a few percent of the
// messages, as in an inbox) and contacts with names in the three languages and phone numbers. Ours is the
// built platform (ROLE=api, production mode), searched over HTTP with the owner's Bearer token by one client
// at a time (the latency an agent sees), a mix of 17 searches in turn: English, French (accents not typed)
// and Arabic words (variants and article typed differently), two-word queries, a word being typed (prefix),
// partial phone numbers, names, and searches with filters (status, unassigned, escalated, priority, a date
// range). After one warm-up pass, p50 / p95 / p99 of every request; goal p95 ≤ 1,000 ms. SQL statements per
// search are counted in-process at pages of 10 and 50: they must be equal.
// --quick: 1,000 conversations × 50 = 50,000 messages (said in the label), 3 passes instead of 15.
import { seedDataset } from '../support/dataset.js';
import { inProcessApp } from '../support/in-process.js';
import { quantile, report } from '../support/measurement.js';
import { startPlatform, type Service } from '../support/processes.js';
import { scratchDatabase } from '../support/scratch-database.js';
import { createTenant } from '../support/tenant.js';
import type { Scenario } from '../support/types.js';

export const SEARCH_QUERY = /* GraphQL */ `
  query Search($o: ID!, $q: String!, $filter: ConversationSearchFilter, $first: Int = 20) {
    searchConversations(organizationId: $o, query: $q, filter: $filter, first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          matchedOn
          conversation {
            id
            status
            lastMessageAt
            contact {
              name
              phone
            }
            assignee {
              name
            }
          }
          message {
            id
            sentAt
          }
          snippet {
            text
            highlights {
              start
              end
            }
          }
        }
      }
    }
  }
`;

interface SearchData {
  searchConversations: { totalCount: number; edges: unknown[] };
}

/** The mix, each with what it stands for; every one must find something on the seeded data. */
function searches(conversations: number, lastWeek: string) {
  // Contacts' phones are +9715 and their number n on 8 digits (dataset.ts): a part of one, typed nationally.
  const phone = (n: number) => String(n).padStart(8, '0');
  const someone = Math.floor(conversations * 0.37);
  return [
    { kind: 'English word', q: 'refund' },
    { kind: 'English words', q: 'delivery late' },
    { kind: 'English prefix (typing)', q: 'track' },
    { kind: 'French, accents not typed', q: 'rembourse' },
    { kind: 'French words', q: 'livraison retard' },
    { kind: 'Arabic word, variant typed', q: 'الغاء' },
    { kind: 'Arabic word, without article', q: 'دفع' },
    { kind: 'Arabic words', q: 'رقم التتبع' },
    { kind: 'partial phone', q: `971 5${phone(someone).slice(0, 5)}` },
    {
      kind: 'partial phone, national format',
      q: `05${phone(someone + 11).slice(0, 4)} ${phone(someone + 11).slice(4)}`,
    },
    { kind: 'name', q: 'Dupont' },
    { kind: 'Arabic name', q: 'فاطمة' },
    { kind: 'word + status', q: 'refund', filter: { status: ['ASSIGNED'] } },
    { kind: 'word + unassigned + escalated', q: 'manager', filter: { unassigned: true, escalated: false } },
    {
      kind: 'Arabic + status, not escalated',
      q: 'الفاتورة',
      filter: { status: ['ASSIGNED'], escalated: false },
    },
    { kind: 'French + priority', q: 'facture', filter: { priority: ['HIGH'] } },
    { kind: 'word + date range', q: 'colis', filter: { lastMessageAfter: lastWeek } },
  ];
}

export const searchScenario: Scenario = {
  id: 'search',
  title: 'Conversation search',
  async run(context) {
    const shape = context.quick
      ? { conversations: 1_000, messagesPerConversation: 50, agents: 10, content: 'multilingual' as const }
      : { conversations: 20_000, messagesPerConversation: 50, agents: 10, content: 'multilingual' as const };
    const passes = context.quick ? 3 : 15;
    const messages = shape.conversations * shape.messagesPerConversation;
    const size = `${messages.toLocaleString('en-US')} messages${context.quick ? ' (--quick)' : ''}`;
    const db = await scratchDatabase('bench_search', context.databaseUrl);
    const services: Service[] = [];
    try {
      const platform = await startPlatform({
        databaseUrl: db.url!,
        redisUrl: context.redisUrl,
        env: { RATE_LIMIT_USER_COST: '1000000000/1h' },
      });
      services.push(platform);
      const graphqlUrl = `${platform.origin}/graphql`;
      const tenant = await createTenant(graphqlUrl, 'bench-search');
      const dataset = await seedDataset(db.prisma, tenant.rows, shape);
      // What autovacuum does to a bulk load: the indexes' pending entries merged, statistics up to date.
      for (const table of ['messages', 'contacts', 'contact_identifiers', 'conversations']) {
        await db.prisma.$executeRawUnsafe(`VACUUM ANALYZE ${table}`);
      }
      context.log(`seeded ${size} in ${dataset.seconds.toFixed(1)} s, vacuumed`);

      const lastWeek = new Date(Date.now() - 7 * 24 * 3600_000).toISOString();
      const mix = searches(shape.conversations, lastWeek);
      const post = async (search: (typeof mix)[number]) => {
        const started = performance.now();
        const response = await fetch(graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...tenant.auth },
          body: JSON.stringify({
            query: SEARCH_QUERY,
            variables: { o: tenant.organizationId, q: search.q, filter: search.filter ?? null },
          }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { data?: SearchData; errors?: unknown[] };
        const ms = performance.now() - started;
        if (body.errors || !body.data)
          throw new Error(`search ${search.kind} failed: ${JSON.stringify(body)}`);
        return { ms, found: body.data.searchConversations.totalCount };
      };

      // Warm-up, and every search must find something.
      const found: Record<string, number> = {};
      for (const search of mix) {
        const { found: total } = await post(search);
        if (total === 0) throw new Error(`search "${search.q}" (${search.kind}) found nothing`);
        found[search.kind] = total;
      }
      context.log(`results per search: ${JSON.stringify(found)}`);

      const all: number[] = [];
      const byKind: Record<string, number[]> = {};
      for (let pass = 0; pass < passes; pass++) {
        for (const search of mix) {
          const { ms } = await post(search);
          all.push(ms);
          (byKind[search.kind] ??= []).push(ms);
        }
      }
      const figures = { p50: quantile(all, 0.5), p95: quantile(all, 0.95), p99: quantile(all, 0.99) };
      context.log(
        `${all.length} searches: p50 ${figures.p50.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms, ` +
          `p99 ${figures.p99.toFixed(1)} ms`,
      );
      const perKind = Object.fromEntries(
        Object.entries(byKind).map(([kind, values]) => [
          kind,
          { p50: quantile(values, 0.5), p95: quantile(values, 0.95), found: found[kind] },
        ]),
      );
      const counts = await countStatements(db.url!, tenant.organizationId, tenant.auth);
      const metric = `search, one client, mix of ${mix.length} (English, French, Arabic, phone, name, filters), ${size}`;
      const detail = { requests: all.length, perKind, seedSeconds: dataset.seconds };
      return [
        report({ scenario: 'search', metric: `${metric}: p50`, unit: 'ms', ours: figures.p50, detail }),
        report({
          scenario: 'search',
          metric: `${metric}: p95`,
          unit: 'ms',
          ours: figures.p95,
          goal: { op: '<=', value: 1000 },
          detail,
        }),
        report({ scenario: 'search', metric: `${metric}: p99`, unit: 'ms', ours: figures.p99, detail }),
        report({
          scenario: 'search',
          metric: 'SQL statements per search, page of 50 (goal: the same as at 10)',
          unit: 'statements',
          ours: counts[50].length,
          goal: { op: '<=', value: counts[10].length },
          detail: { atPageOf10: counts[10], atPageOf50: counts[50] },
        }),
      ];
    } finally {
      for (const service of services.reverse()) await service.stop();
      await db.dispose();
    }
  },
};

/** The statements of one search ("Thank", in every English conversation) at pages of 10 and 50, in-process. */
async function countStatements(
  databaseUrl: string,
  organizationId: string,
  auth: Record<string, string>,
): Promise<Record<10 | 50, string[]>> {
  const app = await inProcessApp(databaseUrl);
  try {
    const counts = {} as Record<10 | 50, string[]>;
    for (const first of [10, 50] as const) {
      const variables = { o: organizationId, q: 'thank', first };
      // Once before counting, so that a once-a-minute session touch (lastUsedAt) is not counted.
      await app.post(SEARCH_QUERY, variables, auth);
      const { result, statements } = await app.countStatements(() =>
        app.post<SearchData>(SEARCH_QUERY, variables, auth),
      );
      if (result.errors || result.data?.searchConversations.edges.length !== first) {
        throw new Error(`in-process search of ${first} failed: ${JSON.stringify(result).slice(0, 300)}`);
      }
      counts[first] = statements;
    }
    return counts;
  } finally {
    await app.close();
  }
}
