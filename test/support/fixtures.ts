import type { TestApp } from './app.js';

/** What the fixtures call: the in-process app (yoga.fetch) or a live server (HTTP) alike. */
export type GraphQLClient = Pick<TestApp, 'gql'>;

let counter = 0;
export const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${++counter}@example.test`;

export const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      user {
        id
        email
        name
      }
    }
  }
`;

export async function signUp(app: GraphQLClient, label: string, password = 'correct-horse-battery') {
  const email = uniqueEmail(label);
  const response = await app.gql<{ signUp: { token: string; user: { id: string; email: string } } }>(
    SIGN_UP,
    {
      input: { email, password, name: label },
    },
  );
  if (!response.data) throw new Error(`signUp failed: ${JSON.stringify(response.errors)}`);
  return { ...response.data.signUp, email, password };
}

export async function createOrganization(app: GraphQLClient, token: string, name: string) {
  const response = await app.gql<{ createOrganization: { organization: { id: string } } }>(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }`,
    { input: { name } },
    { token },
  );
  if (!response.data) throw new Error(`createOrganization failed: ${JSON.stringify(response.errors)}`);
  return response.data.createOrganization.organization.id;
}

export async function createAppService(
  app: GraphQLClient,
  token: string,
  organizationId: string,
  name = 'WhatsApp line',
) {
  const response = await app.gql<{ createAppService: { id: string } }>(
    `mutation($input: CreateAppServiceInput!) { createAppService(input: $input) { id } }`,
    { input: { organizationId, name, channel: 'WHATSAPP', externalId: '+971500000001' } },
    { token },
  );
  if (!response.data) throw new Error(`createAppService failed: ${JSON.stringify(response.errors)}`);
  return response.data.createAppService.id;
}

export async function createApiKey(
  app: GraphQLClient,
  token: string,
  organizationId: string,
  scopes: string[],
) {
  const response = await app.gql<{
    createApiKey: { secret: string; apiKey: { id: string; prefix: string } };
  }>(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id prefix } } }`,
    { input: { organizationId, name: `key ${scopes.join(',')}`, scopes } },
    { token },
  );
  if (!response.data) throw new Error(`createApiKey failed: ${JSON.stringify(response.errors)}`);
  return response.data.createApiKey;
}

/** Raw ids of a global id: "Type:uuid" base64url. */
export const rawId = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;
export const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

/**
 * Writes a conversation with messages straight to the database (ingestion is a later issue):
 * a contact, the conversation, and `messages` alternating customer and bot.
 */
export async function insertConversation(
  app: Pick<TestApp, 'db'>,
  input: {
    organizationId: string;
    appServiceId: string;
    messages: number;
    minutesAgo?: number;
    label?: string;
  },
) {
  const organizationId = rawId(input.organizationId);
  const appServiceId = rawId(input.appServiceId);
  const base = Date.now() - (input.minutesAgo ?? 60) * 60_000;
  const contact = await app.db.prisma.contact.create({
    data: {
      organizationId,
      name: `Customer ${++counter}`,
      phone: `+97150${String(counter).padStart(7, '0')}`,
    },
  });
  const conversation = await app.db.prisma.conversation.create({
    data: {
      organizationId,
      appServiceId,
      contactId: contact.id,
      status: 'BOT',
      labels: input.label ? [input.label] : [],
      lastMessageAt: new Date(base + input.messages * 1000),
      messageCount: input.messages,
    },
  });
  await app.db.prisma.message.createMany({
    data: Array.from({ length: input.messages }, (_, index) => ({
      organizationId,
      appServiceId,
      conversationId: conversation.id,
      index,
      senderType: index % 2 === 0 ? ('CUSTOMER' as const) : ('BOT' as const),
      senderContactId: index % 2 === 0 ? contact.id : null,
      content: `message ${index} of ${conversation.id}`,
      channel: 'WHATSAPP' as const,
      sentAt: new Date(base + index * 1000),
    })),
  });
  return { conversationId: conversation.id, contactId: contact.id };
}
