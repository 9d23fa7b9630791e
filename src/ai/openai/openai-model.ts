import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ClassificationInput } from '../classification.js';
import type {
  ClassificationOutcome,
  LanguageModel,
  ModelObserver,
  ModelUsage,
  RecordUsage,
  SentimentOutcome,
} from '../language-model.js';
import { classificationMessages } from '../prompts.js';
import {
  parseSentimentAnswer,
  renderSentimentBatch,
  SENTIMENT_SYSTEM_PROMPT,
  type SentimentBatch,
} from '../sentiment.js';
import { enforceRules, parseCompletion, stripFence } from './answers.js';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { cappedRetryAfterFetch, failureReason } from './retry.js';
import { classificationJsonSchema, sentimentJsonSchema } from './schemas.js';

/**
 * The LanguageModel adapter for OpenAI and any OpenAI-compatible server (Ollama, vLLM, LM Studio): structured
 * output against the classification contract (schemas.ts), the client's own retries (429 honouring
 * Retry-After, 5xx, timeouts; retry.ts), one more request for an answer that fails the schema (answers.ts),
 * then the local classifier. A circuit breaker (circuit-breaker.ts) stops calling a server that keeps failing.
 */

const CLASSIFICATION_PURPOSE = 'classification';
const SENTIMENT_PURPOSE = 'sentiment';

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
  /** Told of every request, fallback and token count (metrics). */
  observer?: ModelObserver;
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
        completion = await this.complete(
          'classification',
          classificationJsonSchema,
          classificationMessages(input, problem),
          deadline,
        );
      } catch (error) {
        this.breaker.failure();
        return this.fallBack(input, context, failureReason(error));
      }
      await this.record(completion, context.organizationId, usage, CLASSIFICATION_PURPOSE);
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
      completion = await this.complete(
        'sentiment',
        sentimentJsonSchema,
        [
          { role: 'system', content: SENTIMENT_SYSTEM_PROMPT },
          { role: 'user', content: renderSentimentBatch(batch) },
        ],
        AbortSignal.timeout(this.options.sentimentDeadlineMs ?? 60_000),
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

  /** One chat completion whose answer must follow the named JSON schema (strict structured output). */
  private async complete(
    name: string,
    schema: Record<string, unknown>,
    messages: ChatCompletionMessageParam[],
    signal: AbortSignal,
  ): Promise<ChatCompletion> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.options.model,
          messages,
          response_format: { type: 'json_schema', json_schema: { name, strict: true, schema } },
          ...(this.options.temperature === undefined ? {} : { temperature: this.options.temperature }),
        },
        { signal },
      );
      this.options.observer?.modelCall(name, 'ok', seconds());
      return completion;
    } catch (error) {
      this.options.observer?.modelCall(name, 'error', seconds());
      throw error;
    }
  }

  /** Tokens were spent whether or not the answer was usable: every answered request is recorded. */
  private async record(
    completion: ChatCompletion,
    organizationId: string,
    total: ModelUsage,
    purpose: string,
  ): Promise<void> {
    if (!completion.usage) return;
    const promptTokens = completion.usage.prompt_tokens;
    const completionTokens = completion.usage.completion_tokens;
    total.promptTokens += promptTokens;
    total.completionTokens += completionTokens;
    this.options.observer?.tokens(purpose, promptTokens, completionTokens);
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
    this.options.observer?.modelFallback(CLASSIFICATION_PURPOSE, reason);
    const outcome = await this.options.fallback.classify(input, context);
    return { ...outcome, fallback: reason };
  }

  private async fallBackSentiment(
    batch: SentimentBatch,
    context: { organizationId: string },
    reason: string,
  ): Promise<SentimentOutcome> {
    this.options.observer?.modelFallback(SENTIMENT_PURPOSE, reason);
    const outcome = await this.options.fallback.analyzeSentiment(batch, context);
    return { ...outcome, fallback: reason };
  }
}
