// `npm run bench:seed [-- --database bench_1m --messages 1000000 --per-conversation 50 --replace]`: builds a
// database for manual testing with the benchmark's generator: the demo workspace (demo@example.com /
// demo-password-1) and its first app service filled with conversations and messages. DATABASE_URL names the
// Postgres server (default postgresql://postgres@127.0.0.1:5432/postgres).
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/db/database.js';
import { withDatabaseName } from '../src/db/schema-engine.js';
import { DEMO_LOGIN, seedDemoWorkspace } from '../src/services/demo-seed.js';
import { seedDataset } from './support/dataset.js';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'bench_1m' },
    messages: { type: 'string', default: '1000000' },
    'per-conversation': { type: 'string', default: '50' },
    replace: { type: 'boolean', default: false },
  },
});
const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = values.database!;
if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--database must be a plain identifier, got "${name}"`);
const perConversation = Number(values['per-conversation']);
const conversations = Math.ceil(Number(values.messages) / perConversation);

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
if (exists && !values.replace) {
  console.error(`Database "${name}" exists; pass --replace to drop and rebuild it.`);
  process.exit(2);
}
if (exists) await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
await admin.query(`CREATE DATABASE "${name}"`);
await admin.end();

const url = withDatabaseName(serverUrl, name);
const db = await openDatabase({ url });
try {
  await db.migrate();
  const seeded = await seedDemoWorkspace(db.prisma);
  const appService = await db.prisma.appService.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
  const dataset = await seedDataset(
    db.prisma,
    { organizationId: appService.organizationId, appServiceId: appService.id },
    { conversations, messagesPerConversation: perConversation },
  );
  console.log(
    `${dataset.messages.toLocaleString('en-US')} messages in ${dataset.conversations.toLocaleString('en-US')} ` +
      `conversations of "${appService.name}" in ${dataset.seconds.toFixed(1)} s.\n\n` +
      `  DATABASE_URL=${url} npm start\n  Log in as ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}` +
      (seeded ? `\n  Integrator API key: ${seeded.apiKey}` : ''),
  );
} finally {
  await db.close();
}
