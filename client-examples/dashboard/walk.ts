// The dashboard walk with typed documents: `tsx client-examples/dashboard/walk.ts [GRAPHQL_URL]`.
// Logs in as the demo user and prints each step: businesses → app services → inbox → messages.
import {
  AppServicesDocument,
  ConversationMessagesDocument,
  InboxDocument,
  LogInDocument,
  MyOrganizationsDocument,
} from '../generated/graphql.js';
import { option, request as send, type Connection } from '../shared/client.js';

const url = option('url', 'GRAPHQL_URL', 'http://localhost:4000/graphql')!;
const email = option('email', 'DEMO_EMAIL', 'demo@example.com')!;
const password = option('password', 'DEMO_PASSWORD', 'demo-password-1')!;
let connection: Connection = { url, headers: {}, connectionParams: {} };
const request = <TResult, TVariables>(
  document: Parameters<typeof send<TResult, TVariables>>[1],
  variables: TVariables,
) => send(connection, document, variables);

const { logIn } = await request(LogInDocument, { email, password });
console.log(`1. connected as ${logIn.user.name}`);
const token = logIn.token;
connection = { url, headers: { authorization: `Bearer ${token}` }, connectionParams: {} };

const { viewer } = await request(MyOrganizationsDocument, {});
const organization = viewer.organizations.edges[0]?.node;
console.log(`2. businesses: ${viewer.organizations.edges.map((e) => e.node.name).join(', ')}`);
if (!organization) throw new Error('this user belongs to no organization');

const services = await request(AppServicesDocument, { organizationId: organization.id });
const appServices = services.node?.__typename === 'Organization' ? services.node.appServices.edges : [];
console.log(
  `3. ${organization.name}: ${appServices.map((e) => `${e.node.name} (${e.node.channel})`).join(', ')}`,
);

for (const { node: appService } of appServices) {
  const inbox = await request(InboxDocument, { appServiceId: appService.id, first: 5 });
  if (inbox.node?.__typename !== 'AppService') continue;
  console.log(`4. ${appService.name}: ${inbox.node.conversations.totalCount} conversations`);
  const first = inbox.node.conversations.edges[0]?.node;
  if (!first) continue;
  const thread = await request(ConversationMessagesDocument, { conversationId: first.id, last: 10 });
  if (thread.node?.__typename !== 'Conversation') continue;
  console.log(`5. ${thread.node.contact?.name ?? 'unknown'} (${thread.node.status}):`);
  for (const { node: message } of thread.node.messages.edges)
    console.log(`   [${message.senderType}] ${message.content}`);
}
