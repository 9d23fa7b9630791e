import type { ClassificationInput, ClassificationResult } from './classification.js';
import type { ConversationSentiment, SentimentBatch } from './sentiment.js';

export interface ModelUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ClassificationOutcome {
  result: ClassificationResult;
  /** Which model answered, e.g. "local" or "openai:gpt-4o-mini". */
  model: string;
  usage?: ModelUsage;
  /** Set when the configured model failed and the local classifier answered instead, with the reason. */
  fallback?: string;
}

export interface SentimentOutcome {
  /** By conversation id; an id asked for but absent had no usable answer (the caller retries it alone). */
  results: Map<string, ConversationSentiment>;
  model: string;
  usage?: ModelUsage;
  /** Set when the configured model failed and the local rules answered instead, with the reason. */
  fallback?: string;
}

/** The LanguageModel port: the local rules by default, any OpenAI-compatible server when configured. */
export interface LanguageModel {
  readonly name: string;
  classify(input: ClassificationInput, context: { organizationId: string }): Promise<ClassificationOutcome>;
  /** The emotion, score and topics of several conversations' windows, in one request where possible. */
  analyzeSentiment(batch: SentimentBatch, context: { organizationId: string }): Promise<SentimentOutcome>;
}

/** What one answered model request spent, for the organization that asked (written by the composition root). */
export interface UsageRecord {
  organizationId: string;
  model: string;
  purpose: string;
  promptTokens: number;
  completionTokens: number;
}
export type RecordUsage = (usage: UsageRecord) => Promise<void>;

/** Told of every model request and fallback (the metrics implement it). */
export interface ModelObserver {
  /** One HTTP request to the model (its client's retries included): answered or not, and how long. */
  modelCall(purpose: string, outcome: 'ok' | 'error', seconds: number): void;
  /** The local rules answered instead, and why ("deadline", "circuit open", "invalid output", …). */
  modelFallback(purpose: string, reason: string): void;
  tokens(purpose: string, prompt: number, completion: number): void;
}
