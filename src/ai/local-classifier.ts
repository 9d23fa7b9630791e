import {
  canonicalEscalations,
  type ClassificationInput,
  type ClassificationResult,
} from './classification.js';
import {
  combineEmotion,
  combineEscalations,
  emotionFeatures,
  loadModel,
  messageFeatures,
} from './learned/model.js';
import modelFile from './learned/model.json' with { type: 'json' };
import { analyzeWithRules } from './local-rules.js';
import { detectEvents } from './rules/events.js';
import { detectTopics } from './rules/topics.js';

/**
 * The local classifier: deterministic rules (local-rules.ts, rules/) with a small learned model beside them
 * (learned/), no network. Used when no LLM is configured, as the LLM adapter's fallback, and as the reference
 * the adapter's output shape follows. The rules keep their findings and their evidence; the model adds the
 * escalations and emotions the rules' phrasings miss (learned/model.ts says how the two are combined).
 */

const model = loadModel(modelFile);

/** Classifies one inbound customer message with its recent context. Pure and deterministic. */
export function classifyLocally(input: ClassificationInput): ClassificationResult {
  const analysis = analyzeWithRules(input);
  const features = messageFeatures(analysis);
  return {
    escalations: canonicalEscalations(
      combineEscalations(model.escalation, analysis, features.escalation, input),
    ),
    emotion: combineEmotion(model.emotion, analysis, features.emotion),
    language: analysis.facts.language,
    topics: detectTopics(analysis.facts.message.text),
    events: detectEvents(analysis.facts.message),
  };
}

/**
 * The emotion and topics classifyLocally would give the message, without the escalation and event rules
 * (most of their cost): what the hourly sentiment's local rules need, for every customer message of a window.
 */
export function emotionAndTopicsLocally(
  input: ClassificationInput,
): Pick<ClassificationResult, 'emotion' | 'topics'> {
  const analysis = analyzeWithRules(input, { escalations: false });
  return {
    emotion: combineEmotion(model.emotion, analysis, emotionFeatures(analysis)),
    topics: detectTopics(analysis.facts.message.text),
  };
}
