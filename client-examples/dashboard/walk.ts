// The dashboard walk with typed documents: `tsx client-examples/dashboard/walk.ts [GRAPHQL_URL]`.
// Logs in as the demo user and prints each step: businesses → app services → inbox → messages.
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AppServicesDocument,
  ConversationMessagesDocument,
  InboxDocument,
  LogInDocument,
  MyOrganizationsDocument,
} from '../generated/graphql.js';

const url = process.argv[2] ?? process.env.GRAPHQL_URL ?? 'http://localhost:4000/graphql';
const email = process.env.DEMO_EMAIL ?? 'demo@example.com';
const password = process.env.DEMO_PASSWORD ?? 'demo-password-1';

async function request<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<TResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TResult; errors?: { message: string }[] };
  if (body.errors?.length || !body.data)
    throw new Error(body.errors?.map((e) => e.message).join('; ') ?? 'no data');
  return body.data;
}

const { logIn } = await request(LogInDocument, { email, password });
console.log(`1. connected as ${logIn.user.name}`);
const token = logIn.token;

const { viewer } = await request(MyOrganizationsDocument, {}, token);
const organization = viewer.organizations.edges[0]?.node;
console.log(`2. businesses: ${viewer.organizations.edges.map((e) => e.node.name).join(', ')}`);
if (!organization) throw new Error('this user belongs to no organization');

const services = await request(AppServicesDocument, { organizationId: organization.id }, token);
const appServices = services.node?.__typename === 'Organization' ? services.node.appServices.edges : [];
console.log(
  `3. ${organization.name}: ${appServices.map((e) => `${e.node.name} (${e.node.channel})`).join(', ')}`,
);

for (const { node: appService } of appServices) {
  const inbox = await request(InboxDocument, { appServiceId: appService.id, first: 5 }, token);
  if (inbox.node?.__typename !== 'AppService') continue;
  console.log(`4. ${appService.name}: ${inbox.node.conversations.totalCount} conversations`);
  const first = inbox.node.conversations.edges[0]?.node;
  if (!first) continue;
  const thread = await request(ConversationMessagesDocument, { conversationId: first.id, last: 10 }, token);
  if (thread.node?.__typename !== 'Conversation') continue;
  console.log(`5. ${thread.node.contact?.name ?? 'unknown'} (${thread.node.status}):`);
  for (const { node: message } of thread.node.messages.edges)
    console.log(`   [${message.senderType}] ${message.content}`);
}
