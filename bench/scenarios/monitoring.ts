// Scenario 10, the monitoring block on a large app service: `appService.monitoring(from, to)` over 31 days
// (chat sessions, messages, escalated conversations, issues resolved, resolution and first response times,
// escalations per type, growth) asked over HTTP with the owner's Bearer token of the built platform
// (ROLE=api, production mode) on a throw-away Postgres database of 1,000,000 messages (20,000
// conversations × 50 over the last 30 days, seeded by bench/support/dataset.ts, every second conversation
// then resolved two hours after its last message). Every figure is a SQL aggregate, so this is the database's
// work plus one GraphQL request. One warm-up request, then N timed one after another; the median and the
// slowest are reported. No baseline: the figure is absolute (it was `npm run measure:monitoring`).
// --quick: 1,000 conversations × 50 = 50,000 messages (said in the label), 3 timed requests instead of 5.
import { scratchDatabase } from '../support/scratch-database.js';
import { seedDataset } from '../support/dataset.js';
import { median, report } from '../support/measurement.js';
import { startPlatform, type Service } from '../support/processes.js';
import { claimRedisDatabase } from '../support/redis-db.js';
import { createTenant, graphql } from '../support/tenant.js';
import type { Scenario } from '../support/types.js';

const MONITORING = /* GraphQL */ `
  query ($id: ID!, $from: DateTime!, $to: DateTime!) {
    node(id: $id) {
      ... on AppService {
        monitoring(from: $from, to: $to) {
          numberOfChatSessions
          numberOfMessages
          escalatedConversations
          issuesResolved
          resolutionTime
          firstResponseTime
          escalationsByType {
            type
            count
          }
          growthPercentage {
            name
            transactions {
              value
              time
              currentGrowth
            }
          }
        }
      }
    }
  }
`;

interface MonitoringAnswer {
  node: { monitoring: { numberOfMessages: number; numberOfChatSessions: number; issuesResolved: number } };
}

export const monitoringScenario: Scenario = {
  id: 'monitoring',
  title: 'Monitoring block on a large app service',
  async run(context) {
    const conversations = context.quick ? 1_000 : 20_000;
    const perConversation = 50;
    const runs = context.quick ? 3 : 5;
    const db = await scratchDatabase('bench_monitoring', context.databaseUrl);
    const redis = await claimRedisDatabase(context.redisUrl, 'monitoring');
    let platform: Service | undefined;
    try {
      platform = await startPlatform({ databaseUrl: db.url!, redisUrl: redis.url });
      const url = `${platform.origin}/graphql`;
      const tenant = await createTenant(url, 'bench-monitoring');
      const now = new Date();
      const dataset = await seedDataset(db.prisma, tenant.rows, {
        conversations,
        messagesPerConversation: perConversation,
        endAt: now,
        spreadMinutes: 30 * 24 * 60,
      });
      // Half of them resolved, so the resolution figures have rows to average.
      await db.prisma.$executeRaw`
        UPDATE conversations SET resolved_at = last_message_at + interval '2 hours'
        WHERE app_service_id = ${tenant.rows.appServiceId}::uuid AND get_byte(uuid_send(id), 15) % 2 = 0`;
      await db.prisma.$executeRawUnsafe('ANALYZE');
      context.log(
        `${dataset.messages.toLocaleString('en-US')} messages seeded in ${dataset.seconds.toFixed(1)} s`,
      );

      const variables = {
        id: tenant.appServiceId,
        from: new Date(now.getTime() - 31 * 86_400_000).toISOString(),
        to: new Date(now.getTime() + 3_600_000).toISOString(),
      };
      const ask = async () => {
        const started = performance.now();
        const answer = await graphql<MonitoringAnswer>(url, MONITORING, variables, tenant.auth);
        return { ms: performance.now() - started, answer };
      };
      const first = await ask(); // warms the pool, the plans and Postgres' caches
      const figures = first.answer.node.monitoring;
      if (figures.numberOfMessages !== dataset.messages) {
        throw new Error(
          `monitoring counted ${figures.numberOfMessages} messages, ${dataset.messages} seeded`,
        );
      }
      const times: number[] = [];
      for (let run = 0; run < runs; run++) times.push((await ask()).ms);
      context.log(
        `monitoring: ${times.map((t) => t.toFixed(1)).join(', ')} ms (${figures.numberOfChatSessions} sessions, ` +
          `${figures.issuesResolved} resolved)`,
      );
      const messages = dataset.messages.toLocaleString('en-US');
      return [
        report({
          scenario: 'monitoring',
          metric: `appService.monitoring over 31 days, ${messages} messages, one request at a time`,
          unit: 'ms',
          ours: median(times),
          detail: { runs: times, max: Math.max(...times), figures },
        }),
      ];
    } finally {
      await platform?.stop();
      await redis.release();
      await db.dispose();
    }
  },
};
