// Scenario 8 — Abuse: how fast each attack of the "safe to expose" issue is refused, and that it leaves
// Postgres idle and the server healthy. Ours is the built platform (production mode, Postgres + Redis,
// operation and rate limits at their defaults, TRUST_PROXY=1 so each attack comes from an address of its
// own). For each attack: a few refusals to warm up, then N more, each timed from the client on loopback
// (an upper bound of the server's own time); the median and the slowest are reported with the code and
// status it got. Goal per attack: refused in under 50 ms. Afterwards: the database's active statements
// (goal 0) and /readyz.
import { randomBytes } from 'node:crypto';
import { scratchDatabase } from '../support/scratch-database.js';
import { seedDataset } from '../support/dataset.js';
import { median, report } from '../support/measurement.js';
import { startPlatform, type Service } from '../support/processes.js';
import { claimRedisDatabase } from '../support/redis-db.js';
import { createTenant, graphql } from '../support/tenant.js';
import type { Measurement, Scenario } from '../support/types.js';

interface Attack {
  name: string;
  /** One attempt; each gets a fresh address unless `sameAddress`. */
  body: () => string;
  headers?: () => Record<string, string>;
  /** Attempts before the refusal starts (a brute force needs a few tries to trip its limit). */
  warmUp?: number;
  sameAddress?: boolean;
}

const aliases = (n: number, field: string) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

export const abuseScenario: Scenario = {
  id: 'abuse',
  title: 'Abuse: time to refusal',
  async run(context) {
    const attempts = context.quick ? 5 : 30;
    const db = await scratchDatabase('bench_abuse', context.databaseUrl);
    const redis = await claimRedisDatabase(context.redisUrl, 'abuse');
    let platform: Service | undefined;
    try {
      platform = await startPlatform({
        databaseUrl: db.url!,
        redisUrl: redis.url,
        role: 'all',
        env: { NODE_ENV: 'production', TRUST_PROXY: '1' },
      });
      const url = `${platform.origin}/graphql`;
      const tenant = await createTenant(url, 'bench-abuse');
      await seedDataset(db.prisma, tenant.rows, {
        conversations: 50,
        messagesPerConversation: 20,
        agents: 2,
      });
      const { node } = await graphql<{ node: { conversations: { edges: { node: { id: string } }[] } } }>(
        url,
        `
          query ($id: ID!) {
            node(id: $id) {
              ... on AppService {
                conversations(first: 1) {
                  edges {
                    node {
                      id
                    }
                  }
                }
              }
            }
          }
        `,
        { id: tenant.appServiceId },
        tenant.auth,
      );
      const conversationId = node.conversations.edges[0]!.node.id;
      let nested = 'id';
      for (let i = 0; i < 16; i++)
        nested = `messages(first: 1) { edges { node { id conversation { ${nested} } } } }`;
      const fanOut = Array.from(
        { length: 16 },
        (_, i) => `fragment F${i} on AppService { ...F${i + 1} ...F${i + 1} }`,
      ).join(' ');
      const hugeBody = JSON.stringify({
        query: '{ __typename }',
        variables: { pad: 'x'.repeat(5 * 1024 * 1024) },
      });
      const victimEmail = `victim-${randomBytes(3).toString('hex')}@example.test`;
      const query =
        (q: string, variables: Record<string, unknown> = {}) =>
        () =>
          JSON.stringify({ query: q, variables });
      const attacks: Attack[] = [
        {
          name: 'nesting, 16 levels of messages → conversation',
          body: query(`{ node(id: "${conversationId}") { ... on Conversation { ${nested} } } }`),
          headers: () => tenant.auth,
        },
        {
          name: 'cost: 100 conversations × 200 messages × 200 messages',
          body: query(
            `query($id: ID!) { node(id: $id) { ... on AppService { conversations(first: 100) { edges { node { messages(first: 200) { edges { node { conversation { messages(first: 200) { edges { node { id } } } } } } } } } } } } }`,
            { id: tenant.appServiceId },
          ),
          headers: () => tenant.auth,
        },
        {
          name: '1,000 aliases × messages(first: 100)',
          body: query(
            aliases(
              1000,
              `node(id: "${conversationId}") { ... on Conversation { messages(first: 100) { edges { node { content } } } } }`,
            ),
          ),
          headers: () => tenant.auth,
        },
        {
          name: '5,000 aliases of node(id:)',
          body: query(aliases(5000, `node(id: "${conversationId}") { id }`)),
          headers: () => tenant.auth,
        },
        { name: '5,000 aliases of __typename, anonymous', body: query(aliases(5000, '__typename')) },
        { name: '31 aliases of __typename', body: query(aliases(31, '__typename')) },
        {
          name: '51 directives',
          body: query(`{ ${Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ')} }`),
        },
        {
          name: 'fragment fan-out, 2^16 copies',
          body: query(
            `query($id: ID!) { node(id: $id) { ... on AppService { ...F0 } } } ${fanOut} fragment F16 on AppService { conversations(first: 10) { edges { node { id } } } }`,
            { id: tenant.appServiceId },
          ),
          headers: () => tenant.auth,
        },
        {
          name: 'introspection types × fields × fields',
          body: query('{ __schema { types { fields { type { fields { name } } } } } }'),
          headers: () => tenant.auth,
        },
        // Built once: the time is the upload and the refusal (by Content-Length), not making the string.
        { name: '5 MiB of variables', body: () => hugeBody },
        {
          name: 'page size first: 1000',
          body: query(
            `query($id: ID!) { node(id: $id) { ... on AppService { conversations(first: 1000) { edges { node { id } } } } } }`,
            { id: tenant.appServiceId },
          ),
          headers: () => tenant.auth,
        },
        {
          name: 'bad cursor',
          body: query(
            `query($id: ID!) { node(id: $id) { ... on AppService { conversations(first: 2, after: "garbage") { edges { node { id } } } } } }`,
            { id: tenant.appServiceId },
          ),
          headers: () => tenant.auth,
        },
        {
          name: 'id of an unknown type',
          body: query(
            `{ node(id: "${Buffer.from('Spaceship:3f1c2a4e-1111-4111-8111-111111111111').toString('base64url')}") { id } }`,
          ),
          headers: () => tenant.auth,
        },
        {
          name: 'mutation without credentials',
          body: query('mutation { createOrganization(input: { name: "x" }) { organization { id } } }'),
        },
        {
          name: 'logIn guessing, one address',
          body: query(
            `mutation { logIn(input: { email: "${victimEmail}", password: "guess-guess-guess" }) { token } }`,
          ),
          warmUp: 5,
          sameAddress: true,
        },
        {
          name: 'signUp flood, one address',
          body: () =>
            JSON.stringify({
              query: `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
              variables: {
                i: {
                  email: `flood-${randomBytes(4).toString('hex')}@example.test`,
                  password: 'correct-horse-battery',
                  name: 'F',
                },
              },
            }),
          warmUp: 10,
          sameAddress: true,
        },
        {
          name: 'API key guessing, one address',
          body: query('{ viewer { apiKey { id } } }'),
          headers: () => ({
            'x-api-key': tenant.apiKey.replace(/^cik_\w{12}/, `cik_${randomBytes(6).toString('hex')}`),
          }),
          warmUp: 30,
          sameAddress: true,
        },
      ];

      const measurements: Measurement[] = [];
      for (const attack of attacks) {
        const address = `198.51.100.${1 + (randomBytes(1)[0]! % 250)}`;
        const send = async () => {
          const started = performance.now();
          const response = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-forwarded-for': attack.sameAddress ? address : `203.0.113.${1 + (randomBytes(1)[0]! % 250)}`,
              ...attack.headers?.(),
            },
            body: attack.body(),
          });
          const text = await response.text();
          const ms = performance.now() - started;
          let code = '(none)';
          try {
            const parsed = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
            code = parsed.errors?.[0]?.extensions?.code ?? '(answered)';
          } catch {
            code = '(not JSON)';
          }
          return { ms, status: response.status, code };
        };
        for (let i = 0; i < (attack.warmUp ?? 0) + 2; i++) await send();
        const results = [];
        for (let i = 0; i < attempts; i++) results.push(await send());
        const times = results.map((result) => result.ms);
        const last = results.at(-1)!;
        context.log(`${attack.name}: ${last.code} (${last.status}), median ${median(times).toFixed(1)} ms`);
        measurements.push(
          report({
            scenario: 'abuse',
            metric: `time to refusal: ${attack.name} → ${last.code} (HTTP ${last.status})`,
            unit: 'ms',
            ours: median(times),
            goal: { op: '<=', value: 50 },
            detail: {
              max: Math.max(...times),
              codes: [...new Set(results.map((r) => `${r.code} ${r.status}`))],
            },
          }),
        );
      }
      const active = await db.prisma.$queryRaw<{ count: bigint }[]>`
        SELECT count(*) FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`;
      const ready = await fetch(`${platform.origin}/readyz`);
      measurements.push(
        report({
          scenario: 'abuse',
          metric: 'active Postgres statements after the attacks',
          unit: 'statements',
          ours: Number(active[0]!.count),
          goal: { op: '<=', value: 0 },
        }),
        report({
          scenario: 'abuse',
          metric: '/readyz after the attacks (HTTP status)',
          unit: 'status',
          ours: ready.status,
          goal: { op: '<=', value: 200 },
        }),
      );
      return measurements;
    } finally {
      await platform?.stop();
      await redis.release();
      await db.dispose();
    }
  },
};
