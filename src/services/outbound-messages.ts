import type { Actor } from '../auth/actor.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Channel } from '../generated/prisma/enums.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { badInput } from '../kernel/errors.js';
import { CSAT_MESSAGE_ORIGIN } from './csat.js';
import { HANDOFF_MESSAGE_ORIGIN } from './handoff.js';

/**
 * What the integrator must deliver to the customer, not yet acknowledged: agents' public replies and the
 * platform's handoff messages. Private notes never appear here.
 */
export function outboundWhere(actor: Actor): Prisma.MessageWhereInput {
  const organizations = [
    ...new Set([
      ...actor.organizationIdsWith('messages:ingest'),
      ...actor.organizationIdsWith('conversations:read'),
    ]),
  ];
  return { organizationId: { in: organizations }, ...OUTBOUND, deliveredAt: null };
}

/**
 * The longest text message each channel delivers, in characters (Unicode code points): WhatsApp's and
 * Telegram's 4,096, Messenger's 2,000, Instagram's 1,000, SMS 1,600 (10 concatenated parts); the others
 * take what any message may hold. Private notes never go out, so only public replies are held to it.
 */
export const REPLY_LENGTH_LIMITS: Record<Channel, number> = {
  WHATSAPP: 4096,
  TELEGRAM: 4096,
  MESSENGER: 2000,
  INSTAGRAM: 1000,
  SMS: 1600,
  WEB: 20_000,
  EMAIL: 20_000,
  OTHER: 20_000,
};

/** How long a reply is as the channels count it: code points, so an emoji is one character. */
export const replyLength = (content: string) => [...content].length;

/** BAD_USER_INPUT when a public reply is longer than its channel delivers. */
export function assertReplyFits(channel: Channel, content: string): void {
  const limit = REPLY_LENGTH_LIMITS[channel];
  const length = replyLength(content);
  if (length > limit) {
    throw badInput(`A ${channel} reply has at most ${limit} characters; this one has ${length}.`);
  }
}

/** Agents' public replies and the platform's handoff and survey messages (publisher.ts isOutbound says the same). */
const OUTBOUND: Prisma.MessageWhereInput = {
  private: false,
  OR: [
    { senderType: 'AGENT' },
    { senderType: 'SYSTEM', origin: { in: [HANDOFF_MESSAGE_ORIGIN, CSAT_MESSAGE_ORIGIN] } },
  ],
};

/** Marks outbound messages delivered; unknown, foreign or already acknowledged ids are skipped. */
export async function acknowledgeOutboundMessages(
  deps: ServiceDeps,
  actor: Actor,
  input: { messageIds: string[] },
) {
  actor.assertAuthenticated();
  if (input.messageIds.length > 500) throw badInput('At most 500 messages per call.');
  const where: Prisma.MessageWhereInput = {
    id: { in: input.messageIds },
    organizationId: { in: actor.organizationIdsWith('messages:ingest') },
    ...OUTBOUND,
    deliveredAt: null,
  };
  const { count } = await deps.prisma.message.updateMany({ where, data: { deliveredAt: nowOf(deps) } });
  return count;
}
