// `npm run measure:monitoring`: 1,000,000 messages over 20,000 conversations in one app service (a single
// INSERT … SELECT generate_series), then times monitoringBlock over 30 days (median of 5 runs). DATABASE_URL
// (a Postgres server) is required: the figure is meant for Postgres.
import { Actor } from '../src/auth/actor.js';
import { monitoringBlock } from '../src/services/monitoring.js';
import { scratchDatabase } from './support/scratch-database.js';

if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL (postgresql://…) is required.');
  process.exit(2);
}
const CONVERSATIONS = 20_000;
const PER_CONVERSATION = 50;
const db = await scratchDatabase('measure_monitoring');
try {
  const prisma = db.prisma;
  const organization = await prisma.organization.create({ data: { name: 'Measure' } });
  const appService = await prisma.appService.create({
    data: { organizationId: organization.id, name: 'Measure', channel: 'WHATSAPP' },
  });
  const start = Date.parse('2025-01-01T00:00:00Z');
  const t0 = performance.now();
  // Conversations spread over 30 days; a third escalated, half resolved, most replied to.
  await prisma.$executeRaw`
    INSERT INTO conversations (id, organization_id, app_service_id, status, labels, created_at, updated_at,
      last_message_at, message_count, escalated_at, first_reply_at, resolved_at)
    SELECT gen_random_uuid(), ${organization.id}::uuid, ${appService.id}::uuid, 'BOT', '{}',
      t, t, t + interval '50 minutes', ${PER_CONVERSATION},
      CASE WHEN g % 3 = 0 THEN t + interval '5 minutes' END,
      CASE WHEN g % 4 <> 0 THEN t + interval '12 minutes' END,
      CASE WHEN g % 2 = 0 THEN t + interval '2 hours' END
    FROM generate_series(1, ${CONVERSATIONS}) AS g,
      LATERAL (SELECT ${new Date(start).toISOString()}::timestamptz + (g * interval '129 seconds') AS t) AS s`;
  await prisma.$executeRaw`
    INSERT INTO messages (id, organization_id, app_service_id, conversation_id, index, sender_type, content,
      channel, sent_at, updated_at)
    SELECT gen_random_uuid(), c.organization_id, c.app_service_id, c.id, i,
      (CASE WHEN i % 2 = 0 THEN 'CUSTOMER' ELSE 'BOT' END)::"SenderType", 'hello', 'WHATSAPP',
      c.created_at + i * interval '1 minute', c.created_at + i * interval '1 minute'
    FROM conversations c, generate_series(0, ${PER_CONVERSATION - 1}) AS i
    WHERE c.app_service_id = ${appService.id}::uuid`;
  await prisma.$executeRaw`
    INSERT INTO escalations (id, organization_id, conversation_id, type, confidence, evidence, detected_by, created_at)
    SELECT gen_random_uuid(), organization_id, id, 'SPEAK_TO_HUMAN', 0.9, 'human', 'measure', escalated_at
    FROM conversations WHERE escalated_at IS NOT NULL`;
  await prisma.$executeRawUnsafe('ANALYZE');
  const messages = await prisma.message.count();
  console.log(`inserted ${messages} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const actor = Actor.forUser(
    { id: 'measure', email: 'm@example.test', name: 'M' },
    null,
    new Map([[organization.id, 'ANALYST']]),
  );
  const input = { appServiceId: appService.id, from: new Date(start), to: new Date(start + 31 * 86_400_000) };
  const times: number[] = [];
  let last;
  for (let run = 0; run < 6; run++) {
    const began = performance.now();
    last = await monitoringBlock(prisma, actor, input);
    if (run > 0) times.push(performance.now() - began); // the first run warms the pool and caches
  }
  times.sort((x, y) => x - y);
  const { growthPercentage: _g, ...figures } = last!;
  console.log(JSON.stringify(figures));
  console.log(
    `monitoringBlock over ${messages} messages: median ${times[2]!.toFixed(1)} ms (runs: ${times.map((t) => t.toFixed(1)).join(', ')} ms)`,
  );
} finally {
  await db.dispose();
}
