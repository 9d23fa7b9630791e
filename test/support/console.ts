// For the console's browser tests that open several browser contexts and pages of their own
// (test/console.test.ts, test/console-shell.test.ts): chromium launched separately, and a demo server
// with a GraphQL client and an integrator's ingest. The build step is test/support/console-browser.ts's.
import { access } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { pino } from 'pino';
import { startApplication, type Application } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { seedDemoWorkspace } from '../../src/services/demo-seed.js';
import {
  ARTIFACTS,
  CHROMIUM,
  UI_TIMEOUT,
  ensureConsoleBuilt,
  type GraphQLAnswer,
} from './console-browser.js';
import { backends, createTestDatabase, type TestDatabase } from './db.js';

export { ARTIFACTS, CHROMIUM, UI_TIMEOUT, ensureConsoleBuilt, type GraphQLAnswer };

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Headless chromium; fails with the install hint when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!(await exists(CHROMIUM))) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install Debian's chromium ` +
        '(apt-get install -y chromium, as .ci/run does) to run the console browser test.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface ConsoleServer {
  db: TestDatabase;
  app: Application;
  /** http://127.0.0.1:<port> (the console is at /console). */
  base: string;
  /** The demo workspace's integrator key. */
  apiKey: string;
  gql<T>(
    query: string,
    variables?: Record<string, unknown>,
    auth?: { token?: string; apiKey?: string },
  ): Promise<GraphQLAnswer<T>>;
  /** An integrator's customer message, with the API key, as a channel connector sends it. */
  ingest(appServiceId: string, phone: string, content: string, name?: string): Promise<string>;
  /**
   * Stops the server and starts a new one on the same port over the same Postgres database (`app` and
   * `db.prisma` are the new ones afterwards). Postgres only: the embedded database lives in the process.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Throws with the errors when there is no data. */
export function dataOf<T>(answer: GraphQLAnswer<T>): T {
  if (!answer.data) throw new Error(`GraphQL failed: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

/** A listening server (random port) with the demo workspace, on Postgres when the tests run there. */
export async function startConsoleServer(): Promise<ConsoleServer> {
  const db = await createTestDatabase(backends.includes('postgres') ? 'postgres' : 'embedded');
  const apiKey = (await seedDemoWorkspace(db.prisma))!.apiKey;
  // No REDIS_URL: the in-process queue runs the classification worker, the local classifier decides.
  const start = (database: Database, port: number) =>
    startApplication(
      loadConfig({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
      pino({ level: 'silent' }),
      { db: database },
    );
  const app = await start(db, 0);
  const url = app.server!.url;
  const gql = async <T>(
    query: string,
    variables: Record<string, unknown> = {},
    auth: { token?: string; apiKey?: string } = {},
  ): Promise<GraphQLAnswer<T>> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth.apiKey) headers['x-api-key'] = auth.apiKey;
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  };
  const server: ConsoleServer = {
    db,
    app,
    base: url.replace(/\/graphql$/, ''),
    apiKey,
    gql,
    ingest: async (appServiceId, phone, content, name) =>
      dataOf(
        await gql<{ ingestMessage: { conversation: { id: string } } }>(
          `mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { conversation { id } } }`,
          { input: { appServiceId, customer: { externalId: phone, name }, content } },
          { apiKey },
        ),
      ).ingestMessage.conversation.id,
    async restart() {
      if (!db.url) throw new Error('restart() needs the Postgres backend');
      await server.app.stop();
      const reopened = await openDatabase({ url: db.url, poolSize: 4 });
      server.app = await start(reopened, Number(new URL(url).port));
      server.db = { ...reopened, drop: () => reopened.close().then(() => db.drop()), url: db.url };
    },
    async stop() {
      await server.app.stop();
      await server.db.drop();
    },
  };
  return server;
}
