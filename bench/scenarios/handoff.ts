// Handoff rules — what evaluating an organization's rules costs per customer message (#18: a set of 50
// rules under 1 ms per message). 50 rules as an admin would write them (25 KEYWORD with five keywords each,
// some with a pattern or a language, 10 INTENT, 10 SENTIMENT, two with a trend, 5 CONFIDENCE that a
// customer message skips), evaluated in order for messages in English, Arabic and French of which most
// match nothing (the costly case: every rule is tried), in-process, after a warm-up that compiles the
// keywords once as the worker does. Reported: the median time per message over rounds, beside what the
// local classifier takes for the same messages (the work a message already costs).
import { performance } from 'node:perf_hooks';
import { classifyLocally } from '../../src/ai/local-classifier.js';
import type { HandoffRule } from '../../src/generated/prisma/client.js';
import type { HandoffTriggerType } from '../../src/generated/prisma/enums.js';
import { firstMatch } from '../../src/services/handoff.js';
import { compare, median, report } from '../support/measurement.js';
import type { Scenario } from '../support/types.js';

const WORDS = [
  'refund',
  'cancel',
  'lawyer',
  'complaint',
  'manager',
  'استرداد',
  'شكوى',
  'remboursement',
  'annuler',
];

function rulesOf(): HandoffRule[] {
  const rules: { type: HandoffTriggerType; trigger: Record<string, unknown> }[] = [];
  for (let i = 0; i < 25; i += 1) {
    rules.push({
      type: 'KEYWORD',
      trigger: {
        keywords: Array.from({ length: 5 }, (_, k) => `${WORDS[(i + k) % WORDS.length]}${i}`),
        patterns: i % 5 === 0 ? [`charge(s|d)? ?back${i}`] : [],
        languages: i % 7 === 0 ? ['ar'] : [],
      },
    });
  }
  const types = ['SPEAK_TO_HUMAN', 'DISCOUNT_REQUEST', 'BOOK_FLIGHT', 'FLIGHT_PRICES', 'UNANSWERED'];
  for (let i = 0; i < 10; i += 1) {
    rules.push({ type: 'INTENT', trigger: { escalationType: types[i % types.length], minConfidence: 0.99 } });
  }
  for (let i = 0; i < 10; i += 1) {
    rules.push({
      type: 'SENTIMENT',
      trigger: { emotions: ['ANGRY'], minIntensity: 95, trendMessages: i < 2 ? 5 : null },
    });
  }
  for (let i = 0; i < 5; i += 1)
    rules.push({ type: 'CONFIDENCE', trigger: { below: 0.3, fallbackReplies: true } });
  const at = new Date('2026-12-01T00:00:00Z');
  return rules.map((rule, index) => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    organizationId: '00000000-0000-4000-8000-000000000000',
    name: `rule ${index}`,
    triggerType: rule.type,
    trigger: rule.trigger,
    priority: index,
    active: true,
    targetTeamId: null,
    messageTemplate: null,
    setPriority: null,
    appServiceIds: [],
    createdAt: at,
    updatedAt: at,
  })) as HandoffRule[];
}

const MESSAGES = [
  'Hi, I would like to change my flight to Dubai next Friday please',
  'How much is the ticket to Paris in economy?',
  'مرحبا، أريد أن أعرف موعد رحلتي إلى القاهرة',
  'Bonjour, je voudrais changer la date de mon vol',
  'Do you have any offers for students this summer?',
  'My booking reference is XK42PL, can you check the baggage allowance?',
  'شكرا جزيلا على المساعدة',
  "I don't want to cancel, I just want to know the rules",
  'Is there a direct flight from Amman to Istanbul on Monday?',
  'Merci beaucoup pour votre aide, bonne journée',
];

export const handoffScenario: Scenario = {
  id: 'handoff',
  title: 'Handoff rules: evaluation per message',
  async run(context) {
    const rules = rulesOf();
    const rounds = context.quick ? 3 : Math.max(5, context.rounds);
    const perRound = context.quick ? 2000 : 20000;
    const facts = MESSAGES.map((text) => {
      const result = classifyLocally({ message: { type: 'TEXT', text }, context: [] });
      return {
        kind: 'customer-message' as const,
        text,
        language: result.language,
        escalations: result.escalations,
        emotion: result.emotion,
        recentScores: [10, 0, -5, -10, result.emotion.score],
      };
    });
    for (const fact of facts) firstMatch(rules, fact); // compiles the keywords, as a worker's first message does
    const evaluate: number[] = [];
    const classify: number[] = [];
    let matched = 0;
    for (let round = 0; round < rounds; round += 1) {
      let started = performance.now();
      for (let i = 0; i < perRound; i += 1) if (firstMatch(rules, facts[i % facts.length]!)) matched += 1;
      evaluate.push((performance.now() - started) / perRound);
      started = performance.now();
      for (let i = 0; i < perRound / 10; i += 1) {
        classifyLocally({ message: { type: 'TEXT', text: MESSAGES[i % MESSAGES.length]! }, context: [] });
      }
      classify.push((performance.now() - started) / (perRound / 10));
      context.log(`handoff round ${round + 1}: ${evaluate.at(-1)!.toFixed(4)} ms per message`);
    }
    const share = Math.round((100 * matched) / (rounds * perRound));
    return [
      report({
        scenario: 'handoff',
        metric: `50 rules per customer message (${MESSAGES.length} messages, ${share}% match a rule)`,
        unit: 'ms',
        ours: median(evaluate),
        goal: { op: '<=', value: 1 },
        detail: { evaluate, rules: rules.length },
      }),
      compare({
        scenario: 'handoff',
        metric: 'the same, against classifying the message with the local rules',
        unit: 'ms',
        ours: median(evaluate),
        baseline: median(classify),
        baselineLabel: 'local classifier, same messages',
        detail: { classify },
      }),
    ];
  },
};
