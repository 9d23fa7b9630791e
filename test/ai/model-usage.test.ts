import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLanguageModel } from '../../src/ai/create-language-model.js';
import { recordModelUsage } from '../../src/services/model-usage.js';
import { codesOf, createTestApp, type Auth, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { createApiKey, createOrganization, rawId, signUp } from '../support/fixtures.js';

/** Token usage written by the model adapter, summed per model and purpose through GraphQL, per tenant. */

const USAGE = /* GraphQL */ `
  query Usage($id: ID!, $from: DateTime!, $to: DateTime!) {
    node(id: $id) {
      ... on Organization {
        modelUsage(from: $from, to: $to) {
          model
          purpose
          requests
          promptTokens
          completionTokens
          totalTokens
        }
      }
    }
  }
`;

interface UsageTotal {
  model: string;
  purpose: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** A chat completions endpoint that always answers one valid classification with fixed usage. */
async function startCompletionsServer(): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const content = JSON.stringify({
        escalations: [],
        emotion: { emotion: 'NEUTRAL', score: 0 },
        language: 'en',
        topics: [],
        events: [],
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-usage',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'gpt-4o-mini',
          choices: [
            { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop' },
          ],
          usage: { prompt_tokens: 300, completion_tokens: 25, total_tokens: 325 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

describe.each(backends)('model usage (%s)', (kind) => {
  let app: TestApp;
  let completions: { server: Server; baseUrl: string };
  let ownerA: { token: string };
  let ownerB: { token: string };
  let orgA: string;
  let orgB: string;
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();

  const usageOf = async (orgId: string, auth: Auth, range = { from, to }) =>
    app.gql<{ node: { modelUsage: UsageTotal[] } | null }>(USAGE, { id: orgId, ...range }, auth);

  beforeAll(async () => {
    app = await createTestApp(kind);
    completions = await startCompletionsServer();
    ownerA = await signUp(app, 'usage-owner-a');
    ownerB = await signUp(app, 'usage-owner-b');
    orgA = await createOrganization(app, ownerA.token, 'Usage A');
    orgB = await createOrganization(app, ownerB.token, 'Usage B');

    // Through the real adapter: the configured model records what each request spent.
    const model = createLanguageModel(
      { openai: { apiKey: 'test-key', baseUrl: completions.baseUrl, model: 'gpt-4o-mini' } },
      { recordUsage: recordModelUsage(app.db.prisma) },
    );
    const outcome = await model.classify(
      { message: { type: 'TEXT', text: 'Hello there' }, context: [] },
      { organizationId: rawId(orgA) },
    );
    expect(outcome.model).toBe('openai:gpt-4o-mini');

    const record = recordModelUsage(app.db.prisma);
    const row = (organizationId: string, model: string, promptTokens: number, completionTokens: number) =>
      record({ organizationId, model, purpose: 'classification', promptTokens, completionTokens });
    await row(rawId(orgA), 'gpt-4o-mini', 100, 20);
    await row(rawId(orgA), 'llama3.1:8b', 40, 8);
    await row(rawId(orgB), 'gpt-4o-mini', 5000, 700);
    // Outside the queried range.
    await app.db.prisma.modelUsage.create({
      data: {
        organizationId: rawId(orgA),
        model: 'gpt-4o-mini',
        purpose: 'classification',
        promptTokens: 9999,
        completionTokens: 9999,
        createdAt: new Date(Date.now() - 86_400_000),
      },
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => completions.server.close(() => resolve()));
    await app.close();
  });

  it('sums the rows of the organization per model and purpose, within the range', async () => {
    const response = await usageOf(orgA, { token: ownerA.token });
    expect(response.errors).toBeUndefined();
    expect(response.data?.node?.modelUsage).toEqual([
      {
        model: 'gpt-4o-mini',
        purpose: 'classification',
        requests: 2,
        promptTokens: 400,
        completionTokens: 45,
        totalTokens: 445,
      },
      {
        model: 'llama3.1:8b',
        purpose: 'classification',
        requests: 1,
        promptTokens: 40,
        completionTokens: 8,
        totalTokens: 48,
      },
    ]);
  });

  it("never shows another organization's usage", async () => {
    const own = await usageOf(orgB, { token: ownerB.token });
    expect(own.data?.node?.modelUsage).toEqual([
      {
        model: 'gpt-4o-mini',
        purpose: 'classification',
        requests: 1,
        promptTokens: 5000,
        completionTokens: 700,
        totalTokens: 5700,
      },
    ]);
    const other = await usageOf(orgA, { token: ownerB.token });
    expect(other.errors).toBeUndefined();
    expect(other.data?.node).toBeNull();
  });

  it('is empty for an API key without analytics access, and shown to one with it', async () => {
    const writer = await createApiKey(app, ownerA.token, orgA, ['MESSAGES_WRITE']);
    const analytics = await createApiKey(app, ownerA.token, orgA, ['ANALYTICS_READ']);
    const hidden = await usageOf(orgA, { apiKey: writer.secret });
    expect(hidden.errors).toBeUndefined();
    expect(hidden.data?.node?.modelUsage).toEqual([]);
    const shown = await usageOf(orgA, { apiKey: analytics.secret });
    expect(shown.data?.node?.modelUsage.map((total) => total.model)).toEqual(['gpt-4o-mini', 'llama3.1:8b']);
  });

  it('is empty for a range with no usage, and refuses a reversed range', async () => {
    const empty = await usageOf(
      orgA,
      { token: ownerA.token },
      { from: to, to: new Date(Date.now() + 7_200_000).toISOString() },
    );
    expect(empty.data?.node?.modelUsage).toEqual([]);
    const reversed = await usageOf(orgA, { token: ownerA.token }, { from: to, to: from });
    expect(codesOf(reversed)).toEqual(['BAD_USER_INPUT']);
  });
});
