import { Prisma, type PrismaClient } from '../../src/generated/prisma/client.js';

export interface DatasetShape {
  conversations: number;
  messagesPerConversation: number;
  /** Agents created for the organization; conversations are assigned round-robin to them (a third unassigned). */
  agents?: number;
  /** The newest conversation's last message; older ones are spread back over `spreadMinutes`. */
  endAt?: Date;
  spreadMinutes?: number;
  /**
   * 'uniform' (default): the same two sentences everywhere. 'multilingual': conversations in English, French
   * and Arabic in turn, customers' messages drawn from phrase lists (so words are as frequent as in an inbox:
   * a few in every other message, most rare), contact names from lists of first and last names.
   */
  content?: 'uniform' | 'multilingual';
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
  const multilingual = shape.content === 'multilingual';

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
    SELECT gen_random_uuid(), ${organizationId}::uuid,
      ${multilingual ? Prisma.sql`(${FIRST_NAMES}::text[])[1 + (g * 5) % ${FIRST_NAMES.length}] || ' ' || (${LAST_NAMES}::text[])[1 + (g * 11) % ${LAST_NAMES.length}]` : Prisma.sql`'Customer ' || g`},
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
      ${multilingual ? multilingualContent : uniformContent},
      'WHATSAPP', at, at, at
    FROM conversations v
      JOIN contacts c ON c.id = v.contact_id AND c.meta_data->>'batch' = ${batch},
      LATERAL (SELECT (c.meta_data->>'n')::int AS n) AS k,
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

const uniformContent = Prisma.sql`CASE WHEN i % 2 = 0 THEN 'Hello, I have a question about my order number ' || i
  ELSE 'Thanks for your message, let me check that for you.' END`;

/**
 * Customers' and the bot's sentences per language: conversation n's is (n / 3) % 3, English, French, Arabic
 * (n % 3 sets its status, assignee and priority: every language has each).
 */
export const PHRASES = {
  en: [
    'Hello, where is my order?',
    'I would like a refund for the broken item',
    'The delivery is late again, can you check?',
    'Can I change the address of my parcel?',
    'My payment failed twice, what should I do?',
    'Is the store open on Sunday?',
    'I want to cancel my subscription',
    'The courier never arrived, I waited all day',
    'Do you have this jacket in a larger size?',
    'I was charged twice for the same invoice',
    'Please call me back tomorrow morning',
    'The voucher code does not work at checkout',
    'How long does the warranty last?',
    'I need to speak to a manager about my complaint',
    'Thank you, that solves my problem',
    'Can you send me the tracking number?',
  ],
  fr: [
    'Bonjour, où est ma commande ?',
    'Je voudrais être remboursé pour l’article cassé',
    'La livraison est encore en retard, pouvez-vous vérifier ?',
    'Puis-je changer l’adresse de mon colis ?',
    'Mon paiement a échoué deux fois, que dois-je faire ?',
    'Le magasin est-il ouvert le dimanche ?',
    'Je veux résilier mon abonnement',
    'Le livreur n’est jamais venu, j’ai attendu toute la journée',
    'Avez-vous cette veste en taille plus grande ?',
    'J’ai été débité deux fois pour la même facture',
    'Merci de me rappeler demain matin',
    'Le code promo ne fonctionne pas au paiement',
    'Quelle est la durée de la garantie ?',
    'Je dois parler à un responsable de ma réclamation',
    'Merci, cela règle mon problème',
    'Pouvez-vous m’envoyer le numéro de suivi ?',
  ],
  ar: [
    'مرحبا، أين طلبي؟',
    'أُرِيدُ اسْتِرْدَادَ المبلغ للمنتج المكسور',
    'التوصيل متأخر مرة أخرى، هل يمكنك التحقق؟',
    'هل يمكنني تغيير عنوان الطرد؟',
    'فشل الدفع مرتين، ماذا أفعل؟',
    'هل المتجر مفتوح يوم الأحد؟',
    'أريد إلغاء اشتراكي',
    'المندوب لم يصل أبدا، انتظرت طوال اليوم',
    'هل لديكم هذه السترة بمقاس أكبر؟',
    'تم خصم المبلغ مرتين لنفس الفاتورة',
    'أرجو الاتصال بي غدا صباحا',
    'رمز القسيمة لا يعمل عند الدفع',
    'ما هي مدة الضمان؟',
    'أحتاج إلى التحدث مع المدير بخصوص شكواي',
    'شكرا، هذا يحل مشكلتي',
    'هل يمكنك إرسال رقم التتبع؟',
  ],
  bot: [
    'Thanks for your message, let me check that for you.',
    'Merci pour votre message, je vérifie pour vous.',
    'شكرا لرسالتك، سأتحقق من ذلك.',
  ],
};

/** Contact names: first and last names of the three languages, so a first name is shared by many. */
export const FIRST_NAMES = [
  'Fatima',
  'Mohammed',
  'Aisha',
  'Omar',
  'Layla',
  'Youssef',
  'Sarah',
  'James',
  'Emily',
  'Oliver',
  'Camille',
  'Julien',
  'Chloé',
  'Mathieu',
  'Léa',
  'فاطمة',
  'محمد',
  'عائشة',
  'عمر',
  'ليلى',
  'يوسف',
];
export const LAST_NAMES = [
  'Al Mansouri',
  'Haddad',
  'Khalil',
  'Smith',
  'Johnson',
  'Brown',
  'Dupont',
  'Lefèvre',
  'Moreau',
  'Girard',
  'الأحمد',
  'الهاشمي',
  'إبراهيم',
  'النجار',
  'Williams',
  'Benali',
  'Rousseau',
];

/**
 * A customer's message in the conversation's language ((n / 3) % 3), from its phrase list, with an order number
 * in one of eight; the bot answers in the same language.
 */
const multilingualContent = Prisma.sql`CASE
  WHEN i % 2 = 1 THEN (${PHRASES.bot}::text[])[1 + (n / 3) % 3]
  ELSE (CASE (n / 3) % 3 WHEN 0 THEN ${PHRASES.en}::text[] WHEN 1 THEN ${PHRASES.fr}::text[] ELSE ${PHRASES.ar}::text[] END)
    [1 + (n * 5 + i * 3) % ${PHRASES.en.length}]
    || CASE WHEN (n + i) % 8 = 0 THEN ' #' || (n * 100 + i) ELSE '' END
END`;
