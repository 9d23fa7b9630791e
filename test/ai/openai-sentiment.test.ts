import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel } from '../../src/ai/create-language-model.js';
import type { UsageRecord } from '../../src/ai/language-model.js';
import { OpenAIModel } from '../../src/ai/openai/openai-model.js';
import type { SentimentBatch } from '../../src/ai/sentiment.js';

/** A local OpenAI-compatible server: each request's batch is recorded, each answer scripted by the test. */
interface ChatRequest {
  messages: { role: string; content: string }[];
  response_format: { json_schema: { name: string; strict: boolean } };
}

const completion = (content: unknown) => ({
  id: 'c',
  object: 'chat.completion',
  created: 0,
  model: 'test',
  choices: [
    { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(content) } },
  ],
  usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
});

describe('OpenAIModel.analyzeSentiment against an OpenAI-compatible server', () => {
  let server: Server;
  let baseUrl = '';
  const batches: SentimentBatch[] = [];
  const requests: ChatRequest[] = [];
  /** Answers every conversation asked about, except those listed here. */
  const skip = new Set<string>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
        requests.push(body);
        const batch = JSON.parse(body.messages[1]!.content) as SentimentBatch;
        batches.push(batch);
        const asked = batch.conversations.map((c) => c.id);
        const results = asked
          .filter((id) => !(skip.has(id) && asked.length > 1))
          .map((id) => ({ conversationId: id, emotion: 'ANGRY', score: -80, topics: ['Refunds'] }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completion({ results })));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends one strict-schema request per batch, leaves out the conversation the answer missed, records usage', async () => {
    const usage: UsageRecord[] = [];
    const model = new OpenAIModel({
      apiKey: 'k',
      baseUrl,
      model: 'test',
      maxRetries: 0,
      fallback: new LocalModel(),
      recordUsage: async (u) => void usage.push(u),
    });
    skip.add('c2');
    const batch: SentimentBatch = {
      conversations: ['c1', 'c2', 'c3'].map((id) => ({
        id,
        messages: [{ sender: 'customer', text: 'refund now!' }],
      })),
    };
    const outcome = await model.analyzeSentiment(batch, { organizationId: 'org' });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.response_format.json_schema).toMatchObject({ name: 'sentiment', strict: true });
    expect([...outcome.results.keys()]).toEqual(['c1', 'c3']);
    expect(outcome.results.get('c1')).toEqual({ emotion: 'ANGRY', score: -80, topics: ['refunds'] });
    expect(outcome.fallback).toBeUndefined();
    expect(usage).toEqual([
      { organizationId: 'org', model: 'test', purpose: 'sentiment', promptTokens: 100, completionTokens: 20 },
    ]);

    // The caller retries the missing one alone: the second request carries only it.
    const retry = await model.analyzeSentiment(
      { conversations: [batch.conversations[1]!] },
      { organizationId: 'org' },
    );
    expect(batches[1]!.conversations.map((c) => c.id)).toEqual(['c2']);
    expect(retry.results.get('c2')?.emotion).toBe('ANGRY');
  });
});
