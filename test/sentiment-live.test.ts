import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topic } from '../src/realtime/topics.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { rawId } from './support/fixtures.js';
import { startLiveServer, subscribe, waitForListeners, type LiveServer } from './support/live.js';

describe('sentimentUpdated, live through Redis', () => {
  let db: TestDatabase;
  let live: LiveServer;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    live = await startLiveServer(db, { redis: true });
  });
  afterAll(async () => {
    await live?.stop();
    await db?.drop();
  });

  async function tenant(label: string) {
    const ok = async <T>(
      query: string,
      variables: Record<string, unknown>,
      headers: { token?: string; apiKey?: string } = {},
    ) => {
      const response = await live.gql<T>(query, variables, headers);
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      return response.data!;
    };
    const { signUp } = await ok<{ signUp: { token: string } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      {
        i: { email: `${label}@sentiment.test`, password: 'correct-horse-battery', name: label },
      },
    );
    const token = signUp.token;
    const { createOrganization } = await ok<{ createOrganization: { organization: { id: string } } }>(
      `mutation { createOrganization(input: { name: "Org" }) { organization { id } } }`,
      {},
      { token },
    );
    const orgId = createOrganization.organization.id;
    const { createAppService } = await ok<{ createAppService: { id: string } }>(
      `mutation($o: ID!) { createAppService(input: { organizationId: $o, name: "Line", channel: WHATSAPP }) { id } }`,
      { o: orgId },
      { token },
    );
    const { createApiKey } = await ok<{ createApiKey: { secret: string } }>(
      `mutation($o: ID!) { createApiKey(input: { organizationId: $o, name: "k", scopes: [MESSAGES_WRITE] }) { secret } }`,
      { o: orgId },
      { token },
    );
    return { ok, token, appServiceId: createAppService.id, apiKey: createApiKey.secret };
  }

  it('tells subscribers of the app service what an analysis stored, and nobody else', async () => {
    const a = await tenant('a');
    const b = await tenant('b');
    const windowEnd = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    await a.ok(
      `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { message { id } } }`,
      {
        i: {
          appServiceId: a.appServiceId,
          customer: { externalId: '+971501112222' },
          content: 'This is terrible, I am very disappointed with the delay',
          sentAt: new Date(windowEnd.getTime() - 30 * 60_000).toISOString(),
        },
      },
      { apiKey: a.apiKey },
    );
    const refused = await subscribe(
      live.server.url,
      { authorization: `Bearer ${b.token}` },
      `subscription($a: ID!) { sentimentUpdated(appServiceId: $a) { emotion } }`,
      {
        a: a.appServiceId,
      },
    );
    await refused.ended;
    expect(refused.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);

    const stream = await subscribe<{
      sentimentUpdated: { emotion: string; score: number; windowEnd: string }[];
    }>(
      live.server.url,
      { authorization: `Bearer ${a.token}` },
      `subscription($a: ID!) { sentimentUpdated(appServiceId: $a) { emotion score windowEnd } }`,
      { a: a.appServiceId },
    );
    await waitForListeners(live, topic('sentimentUpdated', 'appService', rawId(a.appServiceId)), 1);
    const { runSentimentAnalysis } = await a.ok<{ runSentimentAnalysis: { analysed: number } }>(
      `mutation($i: RunSentimentAnalysisInput!) { runSentimentAnalysis(input: $i) { analysed } }`,
      { i: { appServiceId: a.appServiceId, windowEnd: windowEnd.toISOString() } },
      { token: a.token },
    );
    expect(runSentimentAnalysis.analysed).toBe(1);
    const [event] = await stream.next(1);
    expect(event!.sentimentUpdated).toHaveLength(1);
    expect(event!.sentimentUpdated[0]).toMatchObject({ windowEnd: windowEnd.toISOString() });
    expect(['DISAPPOINTED', 'ANGRY']).toContain(event!.sentimentUpdated[0]!.emotion);
    expect(event!.sentimentUpdated[0]!.score).toBeLessThan(0);
    await stream.stop();
  });
});
