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
} from '../classification.js';
import { locateEvidence, wholeMessageEvidence } from '../evidence.js';
import { consistentScore, tidyTopics } from '../sentiment.js';

/**
 * Reading the model's answers: the JSON out of a completion, checked against the classification contract,
 * then the rules that hold whatever the model says.
 */

/** Some compatible servers wrap JSON in a Markdown fence even in JSON mode. */
export function stripFence(content: string): string {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/u.exec(content);
  return fenced?.[1] ?? content;
}

export type Parsed = { ok: true; result: ClassificationResult } | { ok: false; problem: string };

const MAX_PROBLEM = 600;

/** A classification answer, or the problem with it (told to the model when it is asked again). */
export function parseCompletion(completion: ChatCompletion): Parsed {
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

/**
 * The rules that hold whatever the model says: FILE_SENT exactly for file messages, evidence in the customer's
 * own words, one escalation per type in the contract's order, the score's sign following the emotion, tidy
 * topics.
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

  const { emotion, score } = result.emotion;
  return {
    escalations: canonicalEscalations(escalations),
    emotion: { emotion, score: consistentScore(emotion, score) },
    language: result.language,
    topics: tidyTopics(result.topics),
    events,
  };
}
