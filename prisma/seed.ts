// `npm run db:seed`: migrates and creates the demo workspace on DATABASE_URL (or the embedded database).
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { DEMO_LOGIN, seedDemoWorkspace } from '../src/services/demo-seed.js';

const config = loadConfig();
const db = await openDatabase(
  config.databaseUrl ? { url: config.databaseUrl } : { dataDir: `${config.dataDir}/pglite` },
);
try {
  await db.migrate();
  const seeded = await seedDemoWorkspace(db.prisma);
  if (seeded) {
    process.stdout.write(
      `Demo workspace created on the ${db.kind} database.\n` +
        `  Log in: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}\n` +
        `  Integrator API key (shown once): ${seeded.apiKey}\n`,
    );
  } else {
    process.stdout.write(`The demo workspace already exists on the ${db.kind} database; nothing changed.\n`);
  }
} finally {
  await db.close();
}
