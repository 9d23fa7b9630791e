import type { ClassificationInput, ClassificationResult } from './classification.js';

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

/** The LanguageModel port: the local rules by default, any OpenAI-compatible server when configured. */
export interface LanguageModel {
  readonly name: string;
  classify(input: ClassificationInput, context: { organizationId: string }): Promise<ClassificationOutcome>;
}
