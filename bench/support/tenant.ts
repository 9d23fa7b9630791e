import { decodeGlobalId } from '../../src/kernel/global-id.js';

/** A GraphQL POST; throws on errors so a broken scenario stops loudly. */
export async function graphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export interface Tenant {
  /** `Authorization: Bearer …` of the organization's owner. */
  auth: Record<string, string>;
  /** `x-api-key: …` of an integrator key with MESSAGES_WRITE. */
  apiKeyHeaders: Record<string, string>;
  userId: string;
  organizationId: string;
  appServiceId: string;
  apiKey: string;
  /** Database ids (UUIDs) behind the global ids, for SQL seeding. */
  rows: { userId: string; organizationId: string; appServiceId: string };
}

/**
 * One tenant created through the public API, as a customer would: a user, an organization, a WhatsApp app
 * service and an integrator API key with MESSAGES_WRITE.
 */
export async function createTenant(graphqlUrl: string, label: string): Promise<Tenant> {
  const { signUp } = await graphql<{ signUp: { token: string; user: { id: string } } }>(
    graphqlUrl,
    `
      mutation ($i: SignUpInput!) {
        signUp(input: $i) {
          token
          user {
            id
          }
        }
      }
    `,
    { i: { email: `${label}-${Date.now()}@example.test`, password: 'correct-horse-battery', name: label } },
  );
  const auth = { authorization: `Bearer ${signUp.token}` };
  const { createOrganization } = await graphql<{ createOrganization: { organization: { id: string } } }>(
    graphqlUrl,
    `
      mutation ($n: String!) {
        createOrganization(input: { name: $n }) {
          organization {
            id
          }
        }
      }
    `,
    { n: label },
    auth,
  );
  const organizationId = createOrganization.organization.id;
  const { createAppService } = await graphql<{ createAppService: { id: string } }>(
    graphqlUrl,
    `
      mutation ($o: ID!) {
        createAppService(input: { organizationId: $o, name: "Line", channel: WHATSAPP }) {
          id
        }
      }
    `,
    { o: organizationId },
    auth,
  );
  const { createApiKey } = await graphql<{ createApiKey: { secret: string } }>(
    graphqlUrl,
    `
      mutation ($o: ID!) {
        createApiKey(input: { organizationId: $o, name: "bench", scopes: [MESSAGES_WRITE] }) {
          secret
        }
      }
    `,
    { o: organizationId },
    auth,
  );
  return {
    auth,
    apiKeyHeaders: { 'x-api-key': createApiKey.secret },
    userId: signUp.user.id,
    organizationId,
    appServiceId: createAppService.id,
    apiKey: createApiKey.secret,
    rows: {
      userId: decodeGlobalId(signUp.user.id).id,
      organizationId: decodeGlobalId(organizationId).id,
      appServiceId: decodeGlobalId(createAppService.id).id,
    },
  };
}
