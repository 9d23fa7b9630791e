import type { PrismaClient } from '../../src/generated/prisma/client.js';

export interface DatasetShape {
  conversations: number;
  messagesPerConversation: number;
  /** Agents created for the organization; conversations are assigned round-robin to them (a third unassigned). */
  agents?: number;
  /** The newest conversation's last message; older ones are spread back over `spreadMinutes`. */
  endAt?: Date;
  spreadMinutes?: number;
}

export interface Dataset {
  conversations: number;
  messages: number;
  agentIds: string[];
  seconds: number;
}

/**
 * Fills one app service with conversations, each with a contact (and its WhatsApp identifier), messages
 * alternating customer and bot, every third escalated, two of three assigned to an agent. Built with
 * INSERT … SELECT generate_series, so 1,000,000 messages take seconds, not minutes. Postgres only.
 */
export async function seedDataset(
  prisma: PrismaClient,
  target: { organizationId: string; appServiceId: string },
  shape: DatasetShape,
): Promise<Dataset> {
  const started = performance.now();
  const { organizationId, appServiceId } = target;
  const perConversation = shape.messagesPerConversation;
  const endAt = shape.endAt ?? new Date();
  const spreadSeconds = Math.max(1, (shape.spreadMinutes ?? 30 * 24 * 60) * 60);
  const step = spreadSeconds / shape.conversations;
  const agentCount = shape.agents ?? 10;

  const agentIds: string[] = [];
  for (let i = 0; i < agentCount; i++) {
    const agent = await prisma.agent.create({
      data: { organizationId, name: `Agent ${i + 1}`, channels: ['WHATSAPP'], maxConcurrent: 1_000_000 },
    });
    agentIds.push(agent.id);
  }

  // A batch tag keeps a second call on the same app service apart from the first.
  const batch = Math.random().toString(36).slice(2, 8);
  await prisma.$executeRaw`
    INSERT INTO contacts (id, organization_id, name, phone, meta_data, created_at, updated_at)
    SELECT gen_random_uuid(), ${organizationId}::uuid, 'Customer ' || g,
      '+9715' || lpad(g::text, 8, '0'), jsonb_build_object('batch', ${batch}::text, 'n', g), now(), now()
    FROM generate_series(1, ${shape.conversations}) AS g`;
  await prisma.$executeRaw`
    INSERT INTO contact_identifiers (id, organization_id, contact_id, channel, external_id, created_at)
    SELECT gen_random_uuid(), organization_id, id, 'WHATSAPP', ${batch} || '-' || phone, now()
    FROM contacts WHERE organization_id = ${organizationId}::uuid AND meta_data->>'batch' = ${batch}`;
  const agents = agentIds.length ? agentIds : [null];
  await prisma.$executeRaw`
    INSERT INTO conversations (id, organization_id, app_service_id, contact_id, status, assignee_id, priority,
      labels, created_at, updated_at, last_message_at, message_count, escalated_at, first_reply_at)
    SELECT gen_random_uuid(), ${organizationId}::uuid, ${appServiceId}::uuid, c.id,
      (CASE WHEN n % 3 = 0 THEN 'BOT' ELSE 'ASSIGNED' END)::"ConversationStatus",
      CASE WHEN n % 3 = 0 THEN NULL ELSE (${agents}::uuid[])[1 + n % ${agents.length}] END,
      (CASE WHEN n % 3 = 1 THEN 'HIGH' ELSE 'NORMAL' END)::"ConversationPriority", '{}',
      t - ${perConversation} * interval '1 minute', t, t, ${perConversation},
      CASE WHEN n % 3 = 1 THEN t - interval '1 minute' END,
      CASE WHEN n % 3 <> 0 THEN t END
    FROM contacts c,
      LATERAL (SELECT (c.meta_data->>'n')::int AS n) AS k,
      LATERAL (SELECT ${endAt}::timestamptz - ((${shape.conversations} - n) * ${step}::float8 * interval '1 second') AS t) AS s
    WHERE c.organization_id = ${organizationId}::uuid AND c.meta_data->>'batch' = ${batch}`;
  await prisma.$executeRaw`
    INSERT INTO messages (id, organization_id, app_service_id, conversation_id, index, sender_type,
      sender_contact_id, content, channel, sent_at, created_at, updated_at)
    SELECT gen_random_uuid(), v.organization_id, v.app_service_id, v.id, i,
      (CASE WHEN i % 2 = 0 THEN 'CUSTOMER' ELSE 'BOT' END)::"SenderType",
      CASE WHEN i % 2 = 0 THEN v.contact_id END,
      CASE WHEN i % 2 = 0 THEN 'Hello, I have a question about my order number ' || i
        ELSE 'Thanks for your message, let me check that for you.' END,
      'WHATSAPP', at, at, at
    FROM conversations v
      JOIN contacts c ON c.id = v.contact_id AND c.meta_data->>'batch' = ${batch},
      generate_series(0, ${perConversation - 1}) AS i,
      LATERAL (SELECT v.last_message_at - (${perConversation - 1} - i) * interval '1 minute' AS at) AS m
    WHERE v.app_service_id = ${appServiceId}::uuid`;
  await prisma.$executeRaw`
    INSERT INTO escalations (id, organization_id, conversation_id, type, confidence, evidence, detected_by, created_at)
    SELECT gen_random_uuid(), v.organization_id, v.id, 'SPEAK_TO_HUMAN', 0.9, 'I want to talk to a person',
      'dataset', v.escalated_at
    FROM conversations v JOIN contacts c ON c.id = v.contact_id AND c.meta_data->>'batch' = ${batch}
    WHERE v.escalated_at IS NOT NULL`;
  await prisma.$executeRawUnsafe('ANALYZE');
  return {
    conversations: shape.conversations,
    messages: shape.conversations * perConversation,
    agentIds,
    seconds: (performance.now() - started) / 1000,
  };
}
