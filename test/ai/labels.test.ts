import { describe, expect, it } from 'vitest';
import { emotions, escalationTypes } from '../../src/ai/classification.js';
import {
  EMOTION_DEFINITIONS,
  ESCALATION_DEFINITIONS,
  emotionDefinitionsText,
  escalationDefinitionsText,
} from '../../src/ai/labels.js';
import { CLASSIFICATION_SYSTEM_PROMPT } from '../../src/ai/prompts.js';

describe('the label definitions', () => {
  it('define every escalation type and emotion of the contract', () => {
    expect(Object.keys(ESCALATION_DEFINITIONS).sort()).toEqual([...escalationTypes].sort());
    expect(Object.keys(EMOTION_DEFINITIONS).sort()).toEqual([...emotions].sort());
  });

  it('are what the OpenAI-compatible prompt tells the model, word for word', () => {
    expect(CLASSIFICATION_SYSTEM_PROMPT).toContain(escalationDefinitionsText());
    expect(CLASSIFICATION_SYSTEM_PROMPT).toContain(emotionDefinitionsText());
    for (const type of escalationTypes) {
      const definition = ESCALATION_DEFINITIONS[type];
      expect(CLASSIFICATION_SYSTEM_PROMPT).toContain(`- ${type}: ${definition.meaning}`);
      for (const exclusion of definition.excludes) expect(CLASSIFICATION_SYSTEM_PROMPT).toContain(exclusion);
    }
  });

  it('keep the near misses the corpus is labelled by', () => {
    expect(ESCALATION_DEFINITIONS.DISCOUNT_REQUEST.excludes.join(' ')).toContain('تم خصم المبلغ');
    expect(ESCALATION_DEFINITIONS.BOOK_FLIGHT.excludes.join(' ')).toContain('I already booked');
    expect(ESCALATION_DEFINITIONS.FILE_SENT.excludes.join(' ')).toContain("I'll send the scan later");
  });
});
