import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  classificationResultSchema,
  type ClassificationInput,
  type ClassificationResult,
  type ContextMessage,
  type MessageTypeName,
} from '../../src/ai/classification.js';
import { createLanguageModel, LocalModel } from '../../src/ai/create-language-model.js';
import { classifyLocally } from '../../src/ai/local-classifier.js';
import { locateEvidence } from '../../src/ai/evidence.js';
import type { UsageRecord } from '../../src/ai/language-model.js';
import { OpenAIModel, type OpenAIModelOptions } from '../../src/ai/openai/openai-model.js';
import { classificationJsonSchema, strictJsonSchema } from '../../src/ai/openai/schemas.js';
import { CLASSIFICATION_SYSTEM_PROMPT } from '../../src/ai/prompts.js';

/**
 * The adapter against a real HTTP server speaking the chat completions API, each answer scripted by the test.
 * Assertions count requests rather than time them.
 */

interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format: { type: string; json_schema: { name: string; strict: boolean; schema: unknown } };
}

interface Received {
  body: ChatRequest;
  headers: IncomingHttpHeaders;
  at: number;
}

/** `hang` never answers (a timeout); otherwise status, headers and a JSON body. */
type Reply = 'hang' | { status?: number; headers?: Record<string, string>; body: unknown };

class FakeOpenAIServer {
  readonly requests: Received[] = [];
  private readonly script: Reply[] = [];
  /** What to answer once the script is used up. */
  otherwise: Reply = { status: 500, body: { error: { message: 'no reply scripted' } } };
  private server: Server | undefined;
  private readonly hanging: ServerResponse[] = [];
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
          res.writeHead(404).end();
          return;
        }
        this.requests.push({
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest,
          headers: req.headers,
          at: Date.now(),
        });
        this.answer(res, this.script.shift() ?? this.otherwise);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  private answer(res: ServerResponse, reply: Reply): void {
    if (reply === 'hang') {
      this.hanging.push(res);
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  then(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
    this.otherwise = { status: 500, body: { error: { message: 'no reply scripted' } } };
    // Only the sockets left hanging: closing idle keep-alive ones would fail the next test's first request.
    for (const res of this.hanging.splice(0)) res.socket?.destroy();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const server = new FakeOpenAIServer();
beforeAll(() => server.start());
afterEach(() => server.reset());
afterAll(() => server.stop());

const organizationId = '5b0c8a4e-1f55-4f7e-9d3a-0d3c0f3a7a11';

/** A chat completion whose message content is `content` (an object is sent as JSON text). */
function completion(content: unknown, usage = { prompt_tokens: 120, completion_tokens: 30 }): Reply {
  return {
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'test-model',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: typeof content === 'string' ? content : JSON.stringify(content),
            refusal: null,
          },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    },
  };
}

const error = (status: number, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: { error: { message: `error ${status}`, type: 'test' } },
});

const customer = (text: string): ContextMessage => ({ sender: 'customer', text });
const bot = (text: string): ContextMessage => ({ sender: 'bot', text });

const conversation: ContextMessage[] = [
  customer('Hi, I need to change my flight to Dubai'),
  bot('Sure! What is your booking reference?'),
  customer('It is XK42PL'),
  bot('Thanks. Which date would you like instead?'),
  customer('Next Friday, the 14th'),
  bot("Sorry, I didn't understand that. Could you rephrase?"),
];

function input(text: string, type: MessageTypeName = 'TEXT', context = conversation): ClassificationInput {
  return { message: { type, text }, context };
}

const HUMAN_MESSAGE = 'This is useless. I want to talk to a real person now!';

function answer(overrides: Partial<ClassificationResult> = {}): ClassificationResult {
  return {
    escalations: [{ type: 'SPEAK_TO_HUMAN', confidence: 0.95, evidence: 'I want to talk to a real person' }],
    emotion: { emotion: 'ANGRY', score: -70 },
    language: 'en',
    topics: ['support'],
    events: [],
    ...overrides,
  };
}

function model(options: Partial<OpenAIModelOptions> = {}) {
  const usage: UsageRecord[] = [];
  const adapter = new OpenAIModel({
    apiKey: 'test-key',
    baseUrl: server.baseUrl,
    model: 'test-model',
    timeoutMs: 2000,
    maxRetries: 2,
    fallback: new LocalModel(),
    recordUsage: (record) => {
      usage.push(record);
      return Promise.resolve();
    },
    ...options,
  });
  return { adapter, usage };
}

/** Every object of a JSON schema, with its path. */
function objectsOf(node: unknown, path = '$'): { path: string; node: Record<string, unknown> }[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => objectsOf(item, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const own = record.type === 'object' ? [{ path, node: record }] : [];
  return [...own, ...Object.entries(record).flatMap(([key, value]) => objectsOf(value, `${path}.${key}`))];
}

describe('OpenAIModel against an OpenAI-compatible server', () => {
  it('classifies with structured output, sends the conversation and records the usage', async () => {
    server.then(completion(answer(), { prompt_tokens: 812, completion_tokens: 47 }));
    const { adapter, usage } = model();

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(outcome.fallback).toBeUndefined();
    expect(outcome.model).toBe('openai:test-model');
    expect(adapter.name).toBe('openai:test-model');
    expect(outcome.result).toEqual(answer());
    expect(classificationResultSchema.parse(outcome.result)).toEqual(outcome.result);
    expect(outcome.usage).toEqual({ promptTokens: 812, completionTokens: 47 });
    expect(usage).toEqual([
      {
        organizationId,
        model: 'test-model',
        purpose: 'classification',
        promptTokens: 812,
        completionTokens: 47,
      },
    ]);

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.headers.authorization).toBe('Bearer test-key');
    const body = request!.body;
    expect(body.model).toBe('test-model');
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'classification', strict: true, schema: classificationJsonSchema },
    });
    expect(body.messages[0]).toEqual({ role: 'system', content: CLASSIFICATION_SYSTEM_PROMPT });
    const user = body.messages.slice(1).map((m) => m.content);
    expect(user).toHaveLength(1);
    // The whole recent conversation, bot replies included, in order, then the new message.
    const positions = [...conversation.map((m) => m.text), HUMAN_MESSAGE].map((text) =>
      user[0]!.indexOf(JSON.stringify(text).slice(1, -1)),
    );
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(user[0]).toContain('"sender":"bot"');
  });

  it('sends a schema that strict mode accepts: every property required, no extra ones, no oneOf', () => {
    const objects = objectsOf(classificationJsonSchema);
    expect(objects.length).toBeGreaterThan(5);
    for (const { path, node } of objects) {
      expect(node.additionalProperties, path).toBe(false);
      expect([...(node.required as string[])].sort(), path).toEqual(
        Object.keys(node.properties as object).sort(),
      );
    }
    const text = JSON.stringify(classificationJsonSchema);
    expect(text).not.toContain('"oneOf"');
    expect(text).not.toContain('"const"');
    expect(text).not.toContain('$schema');
    expect(() =>
      strictJsonSchema({ type: 'object', properties: { a: { type: 'string' } }, required: [] }),
    ).toThrow(/optional properties a/);
  });

  it('asks once more after an answer that is not JSON, saying what was wrong', async () => {
    server.then(completion('Sure! Here is the classification: {escalations: …'), completion(answer()));
    const { adapter, usage } = model();

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(server.requests).toHaveLength(2);
    expect(outcome.fallback).toBeUndefined();
    expect(outcome.result.escalations.map((e) => e.type)).toContain('SPEAK_TO_HUMAN');
    const retry = server.requests[1]!.body.messages;
    expect(retry.at(-1)!.content).toMatch(/rejected: the answer was not valid JSON/);
    // Both answers spent tokens.
    expect(usage).toHaveLength(2);
    expect(outcome.usage).toEqual({ promptTokens: 240, completionTokens: 60 });
  });

  it('falls back to the local classifier after two answers that fail the schema', async () => {
    const offSchema = { ...answer(), emotion: { emotion: 'FURIOUS', score: -80 } };
    server.then(completion(offSchema), completion({ escalations: 'SPEAK_TO_HUMAN' }));
    const { adapter, usage } = model();
    const message = input(HUMAN_MESSAGE);

    const outcome = await adapter.classify(message, { organizationId });

    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.body.messages.at(-1)!.content).toContain('emotion');
    expect(outcome).toEqual({ result: classifyLocally(message), model: 'local', fallback: 'invalid output' });
    expect(usage).toHaveLength(2);
  });

  it('waits for Retry-After on a 429, then succeeds', async () => {
    server.then(error(429, { 'retry-after': '1' }), completion(answer()));
    const { adapter } = model();

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(server.requests).toHaveLength(2);
    expect(outcome.fallback).toBeUndefined();
    // A lower bound only: the client slept for the header's second before asking again.
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not sit out a Retry-After longer than the cap: the local classifier answers at once', async () => {
    server.then(error(429, { 'retry-after': '3600' }), completion(answer()));
    const { adapter } = model({ maxRetryAfterMs: 5000 });

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(server.requests).toHaveLength(1);
    expect(outcome.model).toBe('local');
    expect(outcome.fallback).toBe('rate limited (429)');
  });

  it('retries a 500, then succeeds', async () => {
    server.then(error(500), completion(answer()));
    const { adapter } = model();

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(server.requests).toHaveLength(2);
    expect(outcome.model).toBe('openai:test-model');
  });

  it('falls back with the reason when 5xx persist after the retries', async () => {
    server.otherwise = error(503, { 'retry-after-ms': '10' });
    const { adapter, usage } = model({ maxRetries: 2 });
    const message = input(HUMAN_MESSAGE);

    const outcome = await adapter.classify(message, { organizationId });

    expect(server.requests).toHaveLength(3);
    expect(outcome).toEqual({
      result: classifyLocally(message),
      model: 'local',
      fallback: 'server error (503)',
    });
    expect(usage).toEqual([]);
  });

  it('does not retry a refused request (401)', async () => {
    server.otherwise = error(401);
    const { adapter } = model();

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(server.requests).toHaveLength(1);
    expect(outcome.fallback).toBe('request refused (401)');
  });

  it('times out a server that never answers, retries, then falls back', async () => {
    server.otherwise = 'hang';
    const { adapter } = model({ timeoutMs: 150, maxRetries: 1 });

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(server.requests).toHaveLength(2);
    expect(outcome.model).toBe('local');
    expect(outcome.fallback).toBe('timeout');
  });

  it('stops at the deadline whatever the retries left, and the local classifier answers', async () => {
    server.otherwise = 'hang';
    // A per-attempt timeout and retries that would take 3 × 10 s; the deadline ends it all first.
    const { adapter } = model({ timeoutMs: 10_000, maxRetries: 2, deadlineMs: 200 });

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(server.requests).toHaveLength(1);
    expect(outcome.model).toBe('local');
    expect(outcome.fallback).toBe('deadline');
    expect(outcome.result.escalations.map((e) => e.type)).toContain('SPEAK_TO_HUMAN');
  });

  it('by default probes a server every few seconds once open, and closes at its first answer', async () => {
    let clock = 0;
    server.otherwise = error(500);
    const { adapter } = model({ maxRetries: 0, now: () => clock });
    for (let i = 0; i < 5; i += 1) await adapter.classify(input(HUMAN_MESSAGE), { organizationId });
    expect(adapter.breakerState).toBe('open');
    // The server is back: within the default cooldown (5 s) one trial goes out and closes the breaker.
    server.then(completion(answer()));
    clock += 5_000;
    expect((await adapter.classify(input(HUMAN_MESSAGE), { organizationId })).fallback).toBeUndefined();
    expect(adapter.breakerState).toBe('closed');
  });

  it('opens the circuit after repeated failures, then lets one trial through after the cooldown', async () => {
    let clock = 1_000_000;
    server.otherwise = error(500);
    const { adapter } = model({
      maxRetries: 0,
      breaker: { failureThreshold: 3, cooldownMs: 60_000 },
      now: () => clock,
    });
    const classify = () => adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    for (let i = 1; i <= 3; i += 1) {
      expect((await classify()).fallback).toBe('server error (500)');
      expect(server.requests).toHaveLength(i);
    }
    expect(adapter.breakerState).toBe('open');

    // Open: the server is not called at all.
    for (let i = 0; i < 5; i += 1) expect((await classify()).fallback).toBe('circuit open');
    clock += 59_999;
    expect((await classify()).fallback).toBe('circuit open');
    expect(server.requests).toHaveLength(3);

    // Cooldown over: one trial, which fails and opens the circuit again for a whole cooldown.
    clock += 1;
    expect((await classify()).fallback).toBe('server error (500)');
    expect(server.requests).toHaveLength(4);
    expect((await classify()).fallback).toBe('circuit open');
    expect(server.requests).toHaveLength(4);

    // Next trial succeeds: the circuit closes and requests flow again.
    clock += 60_000;
    server.then(completion(answer()), completion(answer()));
    const trial = await classify();
    expect(trial.fallback).toBeUndefined();
    expect(trial.model).toBe('openai:test-model');
    expect(adapter.breakerState).toBe('closed');
    expect((await classify()).fallback).toBeUndefined();
    expect(server.requests).toHaveLength(6);
  });

  it('sends concurrent calls to the local classifier while the half-open trial is in flight', async () => {
    let clock = 0;
    server.otherwise = error(500);
    const { adapter } = model({
      maxRetries: 0,
      breaker: { failureThreshold: 1, cooldownMs: 10 },
      now: () => clock,
    });
    await adapter.classify(input(HUMAN_MESSAGE), { organizationId });
    expect(adapter.breakerState).toBe('open');

    clock = 10;
    server.then(completion(answer()));
    const [trial, other] = await Promise.all([
      adapter.classify(input(HUMAN_MESSAGE), { organizationId }),
      adapter.classify(input(HUMAN_MESSAGE), { organizationId }),
    ]);
    expect(trial.fallback).toBeUndefined();
    expect(other.fallback).toBe('circuit open');
    expect(server.requests).toHaveLength(2);
  });

  it('counts answers that keep failing the schema toward the breaker', async () => {
    server.otherwise = completion('not json');
    const { adapter } = model({ breaker: { failureThreshold: 2, cooldownMs: 60_000 }, now: () => 0 });

    expect((await adapter.classify(input(HUMAN_MESSAGE), { organizationId })).fallback).toBe(
      'invalid output',
    );
    expect((await adapter.classify(input(HUMAN_MESSAGE), { organizationId })).fallback).toBe(
      'invalid output',
    );
    expect((await adapter.classify(input(HUMAN_MESSAGE), { organizationId })).fallback).toBe('circuit open');
    expect(server.requests).toHaveLength(4);
  });

  it('never reports FILE_SENT for a text message, whatever the model says', async () => {
    server.then(
      completion(
        answer({
          escalations: [
            { type: 'SPEAK_TO_HUMAN', confidence: 0.9, evidence: 'talk to a real person' },
            { type: 'FILE_SENT', confidence: 0.8, evidence: 'I want' },
          ],
        }),
      ),
    );
    const { adapter } = model();

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(outcome.result.escalations.map((e) => e.type)).toContain('SPEAK_TO_HUMAN');
  });

  it('always reports FILE_SENT for a file, merged with what the model found', async () => {
    const caption = 'Here is my passport, can someone call me back?';
    server.then(
      completion(
        answer({
          escalations: [
            { type: 'UNANSWERED', confidence: 0.9, evidence: "Sorry, I didn't understand that." },
            { type: 'SPEAK_TO_HUMAN', confidence: 0.8, evidence: 'can someone call me back' },
          ],
        }),
      ),
      completion(answer({ escalations: [] })),
    );
    const { adapter } = model();

    const image = await adapter.classify(input(caption, 'IMAGE'), { organizationId });
    expect(image.result.escalations).toEqual([
      { type: 'SPEAK_TO_HUMAN', confidence: 0.8, evidence: 'can someone call me back' },
      { type: 'FILE_SENT', confidence: 1, evidence: caption },
      // The bot's words are no evidence: the customer's message is.
      { type: 'UNANSWERED', confidence: 0.9, evidence: caption },
    ]);

    const voice = await adapter.classify(input('', 'AUDIO'), { organizationId });
    expect(voice.result.escalations).toEqual([{ type: 'FILE_SENT', confidence: 1, evidence: '' }]);
  });

  it("keeps evidence to the customer's own words: found again, trimmed or dropped", async () => {
    const text = 'Bonjour, je VEUX parler à un conseiller. Et vous avez un code promo ?';
    server.then(
      completion(
        answer({
          escalations: [
            // Case and spacing differ from the message: the message's own spelling is kept.
            { type: 'SPEAK_TO_HUMAN', confidence: 0.9, evidence: '  "je veux  parler à un conseiller" ' },
            // A translation is not the customer's words: dropped.
            { type: 'DISCOUNT_REQUEST', confidence: 0.7, evidence: 'do you have a promo code?' },
            // Not in the message at all: dropped.
            { type: 'FLIGHT_PRICES', confidence: 0.6, evidence: 'combien coûte le billet' },
          ],
          language: 'fr',
          topics: [' Discounts ', 'discounts', 'SUPPORT', ''],
          events: [
            {
              type: 'CUSTOMER_INFORMATION_DETECTION',
              subtype: 'NAME',
              payload: { value: 'Sara' },
              confidence: 0.9,
              evidence: "je m'appelle Sara",
            },
            {
              type: 'OBJECTION_DETECTION',
              payload: { objectionType: 'PRICE' },
              confidence: 0.5,
              evidence: 'Bonjour … un code promo',
            },
          ],
        }),
      ),
    );
    const { adapter } = model();

    const outcome = await adapter.classify(input(text), { organizationId });

    expect(outcome.result.escalations).toEqual([
      { type: 'SPEAK_TO_HUMAN', confidence: 0.9, evidence: 'je VEUX parler à un conseiller' },
    ]);
    expect(outcome.result.events).toEqual([
      {
        type: 'OBJECTION_DETECTION',
        payload: { objectionType: 'PRICE' },
        confidence: 0.5,
        evidence: 'un code promo',
      },
    ]);
    expect(outcome.result.topics).toEqual(['discounts', 'support']);
    for (const item of [...outcome.result.escalations, ...outcome.result.events])
      expect(text.includes(item.evidence)).toBe(true);
  });

  it('finds Arabic evidence as written and keeps the score on the side of the emotion', async () => {
    const text = 'ابي اكلم موظف الحين';
    server.then(
      completion(
        answer({
          escalations: [{ type: 'SPEAK_TO_HUMAN', confidence: 0.9, evidence: 'اكلم موظف' }],
          emotion: { emotion: 'DISAPPOINTED', score: 40 },
          language: 'ar',
        }),
      ),
    );
    const { adapter } = model();

    const outcome = await adapter.classify(input(text), { organizationId });

    expect(outcome.result.escalations).toEqual([
      { type: 'SPEAK_TO_HUMAN', confidence: 0.9, evidence: 'اكلم موظف' },
    ]);
    expect(outcome.result.emotion).toEqual({ emotion: 'DISAPPOINTED', score: -40 });
  });

  it('still classifies when recording the usage fails', async () => {
    server.then(completion(answer()));
    const failures: unknown[] = [];
    const { adapter } = model({
      recordUsage: () => Promise.reject(new Error('database down')),
      onUsageError: (e) => failures.push(e),
    });

    const outcome = await adapter.classify(input(HUMAN_MESSAGE), { organizationId });

    expect(outcome.fallback).toBeUndefined();
    expect(failures).toHaveLength(1);
  });
});

describe('locateEvidence', () => {
  const text = 'I don’t want the bot, can a colleague   take over?';
  it.each([
    ['can a colleague   take over', 'can a colleague   take over'],
    ['CAN A COLLEAGUE TAKE OVER', 'can a colleague   take over'],
    ["I don't want the bot", 'I don’t want the bot'],
    ['I don’t want … take over?', 'I don’t want'],
    ['the customer wants an agent', undefined],
    ['', undefined],
  ])('%s → %s', (evidence, expected) => {
    expect(locateEvidence(text, evidence)).toBe(expected);
  });
});

describe('createLanguageModel', () => {
  it('is the local classifier without configuration', async () => {
    const lm = createLanguageModel({});
    expect(lm).toBeInstanceOf(LocalModel);
    expect(lm.name).toBe('local');
    const message = input(HUMAN_MESSAGE);
    expect(await lm.classify(message, { organizationId })).toEqual({
      result: classifyLocally(message),
      model: 'local',
    });
  });

  it('is the OpenAI adapter when configured', () => {
    const lm = createLanguageModel({
      openai: { apiKey: 'k', baseUrl: server.baseUrl, model: 'gpt-4o-mini' },
    });
    expect(lm).toBeInstanceOf(OpenAIModel);
    expect(lm.name).toBe('openai:gpt-4o-mini');
  });
});
