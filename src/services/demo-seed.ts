import { generateApiKey } from '../auth/api-key-format.js';
import { hashPassword } from '../auth/passwords.js';
import { sha256Hex } from '../auth/tokens.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Channel, ConversationStatus, SenderType } from '../generated/prisma/enums.js';

export const DEMO_LOGIN = { email: 'demo@example.com', password: 'demo-password-1' } as const;

interface DemoConversation {
  contact: { name: string; phone: string };
  status: ConversationStatus;
  assignee?: 'owner' | 'layla';
  escalated?: boolean;
  labels?: string[];
  language: string;
  messages: [SenderType, string][];
}

const whatsappConversations: DemoConversation[] = [
  {
    contact: { name: 'Sara Ahmed', phone: '+971500000101' },
    status: 'BOT',
    escalated: true,
    labels: ['booking'],
    language: 'en',
    messages: [
      ['CUSTOMER', 'Hi, how much is a ticket from Dubai to Paris next Friday?'],
      ['BOT', 'Economy fares from Dubai to Paris start at 1,450 AED for next Friday.'],
      ['CUSTOMER', 'Can I get a discount if I book for my whole family?'],
      ['BOT', "I'm sorry, I can't help with group discounts."],
      ['CUSTOMER', 'I want to talk to a real person please.'],
    ],
  },
  {
    contact: { name: 'خالد المنصوري', phone: '+971500000102' },
    status: 'ASSIGNED',
    assignee: 'layla',
    labels: ['refund'],
    language: 'ar',
    messages: [
      ['CUSTOMER', 'السلام عليكم، أريد إلغاء حجزي لرحلة القاهرة'],
      ['BOT', 'وعليكم السلام! هل يمكنك إرسال رقم الحجز؟'],
      ['CUSTOMER', 'رقم الحجز SK4821'],
      ['AGENT', 'أهلاً خالد، أنا ليلى من فريق الدعم. سأساعدك في الإلغاء الآن.'],
      ['CUSTOMER', 'شكراً جزيلاً'],
    ],
  },
  {
    contact: { name: 'James Miller', phone: '+447700900123' },
    status: 'RESOLVED',
    assignee: 'owner',
    language: 'en',
    messages: [
      ['CUSTOMER', 'My baggage did not arrive in London.'],
      ['BOT', 'I am sorry to hear that. Let me connect you with our team.'],
      ['AGENT', 'Hello James, your bag is on the next flight and will be delivered tonight.'],
      ['CUSTOMER', 'Great, thank you for the quick help!'],
    ],
  },
];

const webConversations: DemoConversation[] = [
  {
    contact: { name: 'Nour Haddad', phone: '+96170000111' },
    status: 'BOT',
    language: 'ar',
    messages: [
      ['CUSTOMER', 'مرحبا، هل يوجد رحلات إلى إسطنبول هذا الأسبوع؟'],
      ['BOT', 'نعم، لدينا رحلات يومية إلى إسطنبول. هل تريد معرفة الأسعار؟'],
      ['CUSTOMER', 'نعم من فضلك، كم سعر التذكرة؟'],
    ],
  },
  {
    contact: { name: 'Emma Laurent', phone: '+33600000999' },
    status: 'OPEN',
    language: 'en',
    messages: [
      ['CUSTOMER', 'Do you have flights to Tokyo in December?'],
      ['BOT', "Sorry, I don't know the answer to that."],
    ],
  },
];

/**
 * Creates the demo workspace once (a no-op when the demo user exists): a user, an organization,
 * two app services, agents, and conversations in English and Arabic. Returns the demo API key the
 * first time (its secret cannot be read back later), or null when the workspace already existed.
 */
export async function seedDemoWorkspace(prisma: PrismaClient): Promise<{ apiKey: string } | null> {
  if (await prisma.user.findUnique({ where: { email: DEMO_LOGIN.email }, select: { id: true } })) return null;
  const [ownerHash, colleagueHash] = await Promise.all([
    hashPassword(DEMO_LOGIN.password),
    hashPassword('layla-password-1'),
  ]);
  const { key, prefix } = generateApiKey();

  await prisma.$transaction(async (tx) => {
    const owner = await tx.user.create({
      data: { email: DEMO_LOGIN.email, name: 'Demo Owner', passwordHash: ownerHash },
    });
    const layla = await tx.user.create({
      data: { email: 'layla@example.com', name: 'Layla Haddad', passwordHash: colleagueHash },
    });
    const org = await tx.organization.create({ data: { name: 'Sky Travel (demo)' } });
    await tx.membership.createMany({
      data: [
        { organizationId: org.id, userId: owner.id, role: 'OWNER' },
        { organizationId: org.id, userId: layla.id, role: 'AGENT' },
      ],
    });
    const ownerAgent = await tx.agent.create({
      data: {
        organizationId: org.id,
        userId: owner.id,
        name: owner.name,
        email: owner.email,
        languages: ['en'],
        channels: ['WHATSAPP', 'WEB'],
      },
    });
    const laylaAgent = await tx.agent.create({
      data: {
        organizationId: org.id,
        userId: layla.id,
        name: layla.name,
        email: layla.email,
        languages: ['ar', 'en'],
        channels: ['WHATSAPP'],
        topics: ['refund', 'booking'],
      },
    });
    await tx.agent.create({
      data: {
        organizationId: org.id,
        name: 'Omar (night shift)',
        internal: false,
        origin: 'outsourced',
        languages: ['ar'],
      },
    });
    await tx.apiKey.create({
      data: {
        organizationId: org.id,
        name: 'Demo connector',
        prefix,
        secretHash: sha256Hex(key),
        scopes: ['messages:write', 'events:write', 'conversations:read', 'analytics:read'],
        createdById: owner.id,
      },
    });
    const whatsapp = await tx.appService.create({
      data: {
        organizationId: org.id,
        name: 'WhatsApp sales line',
        channel: 'WHATSAPP',
        externalId: '+971500000001',
        timezone: 'Asia/Dubai',
        notificationEmails: ['alerts@example.com'],
      },
    });
    const web = await tx.appService.create({
      data: { organizationId: org.id, name: 'Website chat', channel: 'WEB', externalId: 'sky-travel-web' },
    });

    // Saved replies for the console's "/" shortcut, and a team to transfer to (it serves no app service,
    // so handoffs are routed as before).
    await tx.cannedResponse.createMany({
      data: [
        {
          organizationId: org.id,
          shortCode: 'greeting',
          content: 'Hello {{contact_name}}, I am {{agent_name}} from {{organization_name}}. How can I help?',
        },
        {
          organizationId: org.id,
          shortCode: 'refund-policy',
          content: 'Refunds go back to the card you paid with within 7 to 10 working days.',
        },
        {
          organizationId: org.id,
          shortCode: 'thanks',
          content: 'Thank you for your patience, {{contact_name}}!',
        },
      ],
    });
    await tx.team.create({
      data: { organizationId: org.id, name: 'Refunds', members: { create: { agentId: laylaAgent.id } } },
    });

    const agents = { owner: ownerAgent.id, layla: laylaAgent.id };
    const start = Date.now() - 3 * 3_600_000;
    let minute = 0;
    for (const [appService, conversations] of [
      [whatsapp, whatsappConversations],
      [web, webConversations],
    ] as const) {
      for (const demo of conversations) {
        const channel: Channel = appService.channel;
        const contact = await tx.contact.create({
          data: {
            organizationId: org.id,
            name: demo.contact.name,
            phone: demo.contact.phone,
            identifiers: { create: { organizationId: org.id, channel, externalId: demo.contact.phone } },
          },
        });
        const times = demo.messages.map(() => new Date(start + (minute += 3) * 60_000));
        const last = times[times.length - 1]!;
        const assigneeId = demo.assignee ? agents[demo.assignee] : null;
        const firstAgentIndex = demo.messages.findIndex(([sender]) => sender === 'AGENT');
        const conversation = await tx.conversation.create({
          data: {
            organizationId: org.id,
            appServiceId: appService.id,
            contactId: contact.id,
            status: demo.status,
            assigneeId,
            labels: demo.labels ?? [],
            language: demo.language,
            priority: demo.escalated ? 'HIGH' : 'NORMAL',
            escalatedAt: demo.escalated ? last : null,
            firstReplyAt: firstAgentIndex >= 0 ? times[firstAgentIndex] : null,
            resolvedAt: demo.status === 'RESOLVED' ? last : null,
            lastMessageAt: last,
            messageCount: demo.messages.length,
            createdAt: times[0],
            origin: 'demo',
            participants: { create: { contactId: contact.id } },
            ...(assigneeId ? { agents: { create: { agentId: assigneeId } } } : {}),
          },
        });
        await tx.message.createMany({
          data: demo.messages.map(([senderType, content], index) => ({
            organizationId: org.id,
            appServiceId: appService.id,
            conversationId: conversation.id,
            index,
            senderType,
            senderContactId: senderType === 'CUSTOMER' ? contact.id : null,
            senderAgentId: senderType === 'AGENT' ? assigneeId : null,
            content,
            channel,
            sentAt: times[index],
            createdAt: times[index],
            origin: 'demo',
          })),
        });
        if (demo.escalated) {
          // The escalation the classifier would have raised on the customer's last words.
          const evidence = await tx.message.findFirstOrThrow({
            where: { conversationId: conversation.id, senderType: 'CUSTOMER' },
            orderBy: { index: 'desc' },
          });
          await tx.escalation.create({
            data: {
              organizationId: org.id,
              conversationId: conversation.id,
              messageId: evidence.id,
              type: 'SPEAK_TO_HUMAN',
              confidence: 0.95,
              evidence: evidence.content,
              detectedBy: 'demo',
              createdAt: last,
            },
          });
        }
      }
    }
  });
  return { apiKey: key };
}
