import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { z } from 'zod';
import {
  canonicalEscalations,
  classificationResultSchema,
  fileMessageTypes,
  type ClassificationInput,
  type ClassificationResult,
  type DetectedEscalation,
  type DetectedEvent,
  type EmotionResult,
} from './classification.js';
import type {
  ClassificationOutcome,
  LanguageModel,
  ModelUsage,
  RecordUsage,
  SentimentOutcome,
  UsageRecord,
} from './language-model.js';

export type { RecordUsage, UsageRecord };
import { classificationMessages } from './prompts.js';
import {
  parseSentimentAnswer,
  renderSentimentBatch,
  SENTIMENT_SYSTEM_PROMPT,
  sentimentAnswerSchema,
  type SentimentBatch,
} from './sentiment.js';

/**
 * The LanguageModel adapter for OpenAI and any OpenAI-compatible server (Ollama, vLLM, LM Studio): structured
 * output against the classification contract, the client's own retries (429 honouring Retry-After, 5xx,
 * timeouts), one more request for an answer that fails the schema, then the local classifier. A circuit
 * breaker stops calling a server that keeps failing.
 */

/** One call's token usage, attributed to an organization. */

export const CLASSIFICATION_PURPOSE = 'classification';
export const SENTIMENT_PURPOSE = 'sentiment';

export interface OpenAIModelOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 for Ollama; unset = api.openai.com. */
  baseUrl?: string | undefined;
  model: string;
  /** Per HTTP attempt. Default 15000 (the deadline below bounds a classification further). */
  timeoutMs?: number;
  /**
   * A classification's whole time with the model, retries included (default 5000): then the local
   * classifier answers, so a sick model never holds an alert back longer than this.
   */
  deadlineMs?: number;
  /** The same for one sentiment batch (the hourly run; default 60000). */
  sentimentDeadlineMs?: number;
  /** Retries of the client on 408/409/429/5xx and connection errors. Default 3. */
  maxRetries?: number;
  recordUsage?: RecordUsage;
  /** Answers when the model cannot: the local classifier. */
  fallback: LanguageModel;
  breaker?: { failureThreshold?: number; cooldownMs?: number };
  now?: () => number;
  /** A Retry-After longer than this is not waited for: the call fails and the fallback answers. Default 30000. */
  maxRetryAfterMs?: number;
  temperature?: number;
  /** Told when usage could not be recorded (the classification itself still succeeds). */
  onUsageError?: (error: unknown) => void;
}

type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Consecutive failures open the breaker; while open no request is sent. After the cooldown one trial request
 * goes through (half-open): success closes it, failure opens it for another cooldown.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  get current(): BreakerState {
    return this.state;
  }

  /** Whether a request may go out now; the call that moves open → half-open is the trial. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'half-open') return false;
    if (this.now() - this.openedAt < this.cooldownMs) return false;
    this.state = 'half-open';
    return true;
  }

  success(): void {
    this.state = 'closed';
    this.failures = 0;
  }

  failure(): void {
    this.failures += 1;
    if (this.state === 'half-open' || this.failures >= this.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }
}

/** Makes a zod-generated JSON schema acceptable to OpenAI's strict structured output. */
export function strictJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const visit = (node: unknown, path: string): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => visit(item, `${path}[${i}]`));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema') continue;
      if (key === 'oneOf') out.anyOf = visit(value, `${path}.anyOf`);
      // `const` is not understood by every compatible server; a one-value enum is.
      else if (key === 'const') out.enum = [value];
      else out[key] = visit(value, `${path}.${key}`);
    }
    if (out.type === 'object' && out.properties && typeof out.properties === 'object') {
      const keys = Object.keys(out.properties);
      const required = Array.isArray(out.required) ? out.required : [];
      const optional = keys.filter((k) => !required.includes(k));
      // Strict mode needs every property required (nullable instead of optional): fail at start-up, not per call.
      if (optional.length > 0) throw new Error(`${path}: optional properties ${optional.join(', ')}`);
      out.additionalProperties = false;
    }
    return out;
  };
  return visit(schema, '$') as Record<string, unknown>;
}

export const classificationJsonSchema = strictJsonSchema(z.toJSONSchema(classificationResultSchema));
export const sentimentJsonSchema = strictJsonSchema(z.toJSONSchema(sentimentAnswerSchema));

const retryAfterMs = (headers: Headers): number | undefined => {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (!Number.isNaN(ms)) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - Date.now();
};

/**
 * The client waits as long as Retry-After says, however long; a worker must not sit for an hour on one
 * message, so a longer pause turns into a non-retryable error and the local classifier answers.
 */
function cappedRetryAfterFetch(maxMs: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const wait = response.ok ? undefined : retryAfterMs(response.headers);
    if (wait === undefined || wait <= maxMs) return response;
    const headers = new Headers(response.headers);
    headers.set('x-should-retry', 'false');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

const MAX_EVIDENCE = 160;

/** The whole caption or message as evidence when no single phrase shows it (a file, a bot failure). */
function wholeMessageEvidence(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= MAX_EVIDENCE) return trimmed;
  const cut = trimmed.slice(0, MAX_EVIDENCE);
  const lastSpace = cut.lastIndexOf(' ');
  return lastSpace > MAX_EVIDENCE / 2 ? cut.slice(0, lastSpace) : cut;
}

const QUOTES = /^[\s"'“”‘’«»`]+|[\s"'“”‘’«»`]+$/gu;
const ELLIPSIS = /\.{3,}|…/u;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern for a quote that forgives case, runs of whitespace and straight versus curly quotes. */
function looseQuote(quote: string): RegExp {
  const source = [...quote]
    .map((ch) => {
      if (/\s/u.test(ch)) return '\\s+';
      if (/['‘’`]/u.test(ch)) return "['‘’`]";
      if (/["“”«»]/u.test(ch)) return '["“”«»]';
      return escapeRegExp(ch);
    })
    .join('')
    .replace(/(?:\\s\+)+/g, '\\s+');
  return new RegExp(source, 'iu');
}

function locateFragment(text: string, fragment: string): string | undefined {
  const quote = fragment.replace(QUOTES, '');
  if (!quote) return undefined;
  if (text.includes(quote)) return quote;
  return looseQuote(quote).exec(text)?.[0];
}

/**
 * The model's evidence as it stands in the customer's message: exact, or found again despite case, spacing or
 * quotes; a quote stitched with "…" keeps its longest part found. Undefined when the words are not there.
 */
export function locateEvidence(text: string, evidence: string): string | undefined {
  const whole = locateFragment(text, evidence);
  if (whole !== undefined || !ELLIPSIS.test(evidence)) return whole;
  const parts = evidence
    .split(ELLIPSIS)
    .map((part) => locateFragment(text, part))
    .filter((part): part is string => part !== undefined);
  return parts.sort((a, b) => b.length - a.length)[0];
}

function enforceEmotion(emotion: EmotionResult): EmotionResult {
  // The score's sign follows the emotion, whatever the model wrote.
  if ((emotion.emotion === 'ANGRY' || emotion.emotion === 'DISAPPOINTED') && emotion.score > 0)
    return { ...emotion, score: -emotion.score };
  if ((emotion.emotion === 'HAPPY' || emotion.emotion === 'SATISFIED') && emotion.score < 0)
    return { ...emotion, score: -emotion.score };
  return emotion;
}

const MAX_TOPICS = 5;

/**
 * The rules that hold whatever the model says: FILE_SENT exactly for file messages, evidence in the customer's
 * own words, one escalation per type in the contract's order, tidy topics.
 */
export function enforceRules(result: ClassificationResult, input: ClassificationInput): ClassificationResult {
  const text = input.message.text;
  const isFile = fileMessageTypes.includes(input.message.type);
  const escalations: DetectedEscalation[] = [];
  for (const item of result.escalations) {
    if (item.type === 'FILE_SENT') continue;
    const evidence = locateEvidence(text, item.evidence);
    if (evidence !== undefined) escalations.push({ ...item, evidence });
    // The proof of UNANSWERED is in the bot's reply: the customer's unanswered message is the evidence.
    else if (item.type === 'UNANSWERED') escalations.push({ ...item, evidence: wholeMessageEvidence(text) });
    // Any other claim without the customer's words behind it is dropped.
  }
  if (isFile) escalations.push({ type: 'FILE_SENT', confidence: 1, evidence: wholeMessageEvidence(text) });

  const events: DetectedEvent[] = [];
  for (const event of result.events) {
    const evidence = locateEvidence(text, event.evidence);
    if (evidence !== undefined) events.push({ ...event, evidence });
  }

  const topics = [
    ...new Set(result.topics.map((topic) => topic.trim().toLowerCase()).filter((t) => t && t.length <= 40)),
  ].slice(0, MAX_TOPICS);

  return {
    escalations: canonicalEscalations(escalations),
    emotion: enforceEmotion(result.emotion),
    language: result.language,
    topics,
    events,
  };
}

type Parsed = { ok: true; result: ClassificationResult } | { ok: false; problem: string };

const MAX_PROBLEM = 600;

/** Some compatible servers wrap JSON in a Markdown fence even in JSON mode. */
function stripFence(content: string): string {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/u.exec(content);
  return fenced?.[1] ?? content;
}

function parseCompletion(completion: ChatCompletion): Parsed {
  const choice = completion.choices?.[0];
  if (!choice) return { ok: false, problem: 'the answer had no choices' };
  if (choice.message.refusal) return { ok: false, problem: `refused: ${choice.message.refusal}` };
  if (choice.finish_reason === 'length') return { ok: false, problem: 'the answer was cut off' };
  const content = choice.message.content;
  if (!content?.trim()) return { ok: false, problem: 'the answer was empty' };
  let json: unknown;
  try {
    json = JSON.parse(stripFence(content));
  } catch {
    return { ok: false, problem: 'the answer was not valid JSON' };
  }
  const parsed = classificationResultSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problem: z.prettifyError(parsed.error).slice(0, MAX_PROBLEM) };
  return { ok: true, result: parsed.data };
}

/** A short reason for the fallback, from what the client threw after its retries. */
export function failureReason(error: unknown): string {
  if (error instanceof APIUserAbortError) return 'deadline';
  if (error instanceof APIConnectionTimeoutError) return 'timeout';
  if (error instanceof APIConnectionError) return 'connection error';
  if (error instanceof APIError && error.status !== undefined) {
    if (error.status === 429) return 'rate limited (429)';
    if (error.status >= 500) return `server error (${error.status})`;
    return `request refused (${error.status})`;
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

export class OpenAIModel implements LanguageModel {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly breaker: CircuitBreaker;

  constructor(private readonly options: OpenAIModelOptions) {
    this.name = `openai:${options.model}`;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl ?? null,
      timeout: options.timeoutMs ?? 15_000,
      maxRetries: options.maxRetries ?? 3,
      fetch: cappedRetryAfterFetch(options.maxRetryAfterMs ?? 30_000),
    });
    // Open after 5 failures in a row; one trial request every 5 s (the first answer closes it again).
    this.breaker = new CircuitBreaker(
      options.breaker?.failureThreshold ?? 5,
      options.breaker?.cooldownMs ?? 5_000,
      options.now ?? Date.now,
    );
  }

  /** 'closed', 'open' or 'half-open'; for health reports. */
  get breakerState(): BreakerState {
    return this.breaker.current;
  }

  async classify(
    input: ClassificationInput,
    context: { organizationId: string },
  ): Promise<ClassificationOutcome> {
    if (!this.breaker.allow()) return this.fallBack(input, context, 'circuit open');
    const usage: ModelUsage = { promptTokens: 0, completionTokens: 0 };
    let problem: string | undefined;
    // Every request of this classification, retries included, shares one deadline.
    const deadline = AbortSignal.timeout(this.options.deadlineMs ?? 5_000);
    // One more request when the answer fails the schema; the client retries HTTP failures on its own.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let completion: ChatCompletion;
      try {
        completion = await this.request(input, problem, deadline);
      } catch (error) {
        this.breaker.failure();
        return this.fallBack(input, context, failureReason(error));
      }
      await this.record(completion, context.organizationId, usage);
      const parsed = parseCompletion(completion);
      if (parsed.ok) {
        this.breaker.success();
        return { result: enforceRules(parsed.result, input), model: this.name, usage };
      }
      problem = parsed.problem;
    }
    // A model that keeps answering off-schema is failing too: the breaker spares the doubled requests.
    this.breaker.failure();
    return this.fallBack(input, context, 'invalid output');
  }

  /**
   * One request for the whole batch. Each result is matched to its conversation by id and validated on its
   * own; ids without a usable result are left out, for the caller to retry alone. An answer with nothing usable
   * in it (an HTTP failure after the client's retries, not JSON) counts against the breaker and the local
   * rules answer the batch.
   */
  async analyzeSentiment(
    batch: SentimentBatch,
    context: { organizationId: string },
  ): Promise<SentimentOutcome> {
    if (batch.conversations.length === 0) return { results: new Map(), model: this.name };
    if (!this.breaker.allow()) return this.fallBackSentiment(batch, context, 'circuit open');
    const usage: ModelUsage = { promptTokens: 0, completionTokens: 0 };
    let completion: ChatCompletion;
    try {
      completion = await this.client.chat.completions.create(
        {
          model: this.options.model,
          messages: [
            { role: 'system', content: SENTIMENT_SYSTEM_PROMPT },
            { role: 'user', content: renderSentimentBatch(batch) },
          ],
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'sentiment', strict: true, schema: sentimentJsonSchema },
          },
          ...(this.options.temperature === undefined ? {} : { temperature: this.options.temperature }),
        },
        { signal: AbortSignal.timeout(this.options.sentimentDeadlineMs ?? 60_000) },
      );
    } catch (error) {
      this.breaker.failure();
      return this.fallBackSentiment(batch, context, failureReason(error));
    }
    await this.record(completion, context.organizationId, usage, SENTIMENT_PURPOSE);
    const content = completion.choices?.[0]?.message.content;
    let json: unknown;
    try {
      json = JSON.parse(stripFence(content ?? ''));
    } catch {
      this.breaker.failure();
      return this.fallBackSentiment(batch, context, 'invalid output');
    }
    this.breaker.success();
    const results = parseSentimentAnswer(json, new Set(batch.conversations.map((c) => c.id)));
    return { results, model: this.name, usage };
  }

  private async fallBackSentiment(
    batch: SentimentBatch,
    context: { organizationId: string },
    reason: string,
  ): Promise<SentimentOutcome> {
    const outcome = await this.options.fallback.analyzeSentiment(batch, context);
    return { ...outcome, fallback: reason };
  }

  private request(
    input: ClassificationInput,
    problem: string | undefined,
    deadline: AbortSignal,
  ): Promise<ChatCompletion> {
    return this.client.chat.completions.create(
      {
        model: this.options.model,
        messages: classificationMessages(input, problem),
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'classification', strict: true, schema: classificationJsonSchema },
        },
        ...(this.options.temperature === undefined ? {} : { temperature: this.options.temperature }),
      },
      { signal: deadline },
    );
  }

  /** Tokens were spent whether or not the answer was usable: every answered request is recorded. */
  private async record(
    completion: ChatCompletion,
    organizationId: string,
    total: ModelUsage,
    purpose: string = CLASSIFICATION_PURPOSE,
  ): Promise<void> {
    if (!completion.usage) return;
    const promptTokens = completion.usage.prompt_tokens;
    const completionTokens = completion.usage.completion_tokens;
    total.promptTokens += promptTokens;
    total.completionTokens += completionTokens;
    if (!this.options.recordUsage) return;
    try {
      await this.options.recordUsage({
        organizationId,
        model: this.options.model,
        purpose,
        promptTokens,
        completionTokens,
      });
    } catch (error) {
      this.options.onUsageError?.(error);
    }
  }

  private async fallBack(
    input: ClassificationInput,
    context: { organizationId: string },
    reason: string,
  ): Promise<ClassificationOutcome> {
    const outcome = await this.options.fallback.classify(input, context);
    return { ...outcome, fallback: reason };
  }
}
