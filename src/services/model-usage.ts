import type { Actor } from '../auth/actor.js';
import type { RecordUsage } from '../ai/language-model.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { badInput } from '../kernel/errors.js';

/** Language-model token usage per organization: written by the model adapter, read by analysts. */

/** The adapter's `recordUsage` callback: one ModelUsage row per answered request. */
export function recordModelUsage(prisma: PrismaClient): RecordUsage {
  return async (usage) => {
    await prisma.modelUsage.create({
      data: {
        organizationId: usage.organizationId,
        model: usage.model,
        purpose: usage.purpose,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
      },
    });
  };
}

export interface ModelUsageTotal {
  model: string;
  purpose: string;
  /** Requests answered. */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Totals per model and purpose over [from, to), ordered by model then purpose. */
export async function modelUsageSummary(
  prisma: PrismaClient,
  actor: Actor,
  input: { organizationId: string; from: Date; to: Date },
): Promise<ModelUsageTotal[]> {
  actor.assertCan(input.organizationId, 'analytics:read');
  if (input.from.getTime() > input.to.getTime()) throw badInput('`from` must not be after `to`.');
  const groups = await prisma.modelUsage.groupBy({
    by: ['model', 'purpose'],
    where: { organizationId: input.organizationId, createdAt: { gte: input.from, lt: input.to } },
    _sum: { promptTokens: true, completionTokens: true },
    _count: { _all: true },
    orderBy: [{ model: 'asc' }, { purpose: 'asc' }],
  });
  return groups.map((group) => {
    const promptTokens = Number(group._sum.promptTokens ?? 0);
    const completionTokens = Number(group._sum.completionTokens ?? 0);
    return {
      model: group.model,
      purpose: group.purpose,
      requests: group._count._all,
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
    };
  });
}
