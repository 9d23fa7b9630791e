import type { ClassificationInput } from './classification.js';
import type {
  ClassificationOutcome,
  LanguageModel,
  ModelObserver,
  RecordUsage,
  SentimentOutcome,
} from './language-model.js';
import { classifyLocally } from './local-classifier.js';
import { OpenAIModel } from './openai/openai-model.js';
import { analyzeSentimentLocally, type SentimentBatch } from './sentiment.js';

/** The local rules behind the LanguageModel port: no network, no tokens. */
export class LocalModel implements LanguageModel {
  readonly name = 'local';

  classify(input: ClassificationInput): Promise<ClassificationOutcome> {
    return Promise.resolve({ result: classifyLocally(input), model: this.name });
  }

  analyzeSentiment(batch: SentimentBatch): Promise<SentimentOutcome> {
    const results = new Map(batch.conversations.map((c) => [c.id, analyzeSentimentLocally(c)] as const));
    return Promise.resolve({ results, model: this.name });
  }
}

export interface LanguageModelConfig {
  openai?: { apiKey: string; baseUrl?: string | undefined; model: string; deadlineMs?: number } | undefined;
}

/**
 * The configured model, picked once at start-up: the OpenAI adapter (usage recorded per organization, the
 * local rules as its fallback) when a key is set, else the local rules alone.
 */
export function createLanguageModel(
  config: LanguageModelConfig,
  deps: { recordUsage?: RecordUsage; onUsageError?: (error: unknown) => void; observer?: ModelObserver } = {},
): LanguageModel {
  const local = new LocalModel();
  if (!config.openai) return local;
  return new OpenAIModel({
    apiKey: config.openai.apiKey,
    baseUrl: config.openai.baseUrl,
    model: config.openai.model,
    ...(config.openai.deadlineMs ? { deadlineMs: config.openai.deadlineMs } : {}),
    fallback: local,
    ...(deps.recordUsage ? { recordUsage: deps.recordUsage } : {}),
    ...(deps.onUsageError ? { onUsageError: deps.onUsageError } : {}),
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
}
