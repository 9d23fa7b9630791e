// The dashboard walk with typed documents: `tsx client-examples/dashboard/walk.ts [--take-over]`.
// Logs in as the demo user and prints each step: businesses → app services → inbox → messages → the app
// service's monitoring and the conversation's emotion timeline; with --take-over, takes the first
// conversation the bot holds.
import {
  AppServiceMonitoringDocument,
  AppServicesDocument,
  ConversationMessagesDocument,
  ConversationSentimentDocument,
  InboxDocument,
  LogInDocument,
  MyOrganizationsDocument,
  WalkTakeOverDocument,
} from '../generated/graphql.js';
import { option, request as send, type Connection } from '../shared/client.js';

const url = option('url', 'GRAPHQL_URL', 'http://localhost:4000/graphql')!;
const email = option('email', 'DEMO_EMAIL', 'demo@example.com')!;
const password = option('password', 'DEMO_PASSWORD', 'demo-password-1')!;
const takeOver = process.argv.includes('--take-over');
const to = new Date();
const from = new Date(to.getTime() - 30 * 86_400_000);
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

  const range = { from: from.toISOString(), to: to.toISOString() };
  const figures = await request(AppServiceMonitoringDocument, { appServiceId: appService.id, ...range });
  if (figures.node?.__typename === 'AppService') {
    const m = figures.node.monitoring;
    const busiest = [...figures.node.monitoringSeries].sort(
      (a, b) => b.numberOfMessages - a.numberOfMessages,
    )[0];
    console.log(
      `6. last 30 days: ${m.numberOfChatSessions} chat sessions, ${m.numberOfMessages} messages, ` +
        `${m.escalatedConversations} escalated, ${m.issuesResolved} resolved` +
        (busiest ? `; busiest day ${busiest.start.slice(0, 10)} (${busiest.numberOfMessages} messages)` : ''),
    );
  }
  const mood = await request(ConversationSentimentDocument, { conversationId: first.id, ...range });
  const timeline = mood.node?.__typename === 'Conversation' ? mood.node.sentiment : [];
  console.log(
    `7. emotion timeline: ${
      timeline.length
        ? timeline
            .map((hour) => `${hour.windowStart.slice(11, 16)} ${hour.emotion} (${hour.score})`)
            .join(', ')
        : 'no hour analysed yet (the sentiment job runs hourly)'
    }`,
  );

  const held = inbox.node.conversations.edges.find((edge) => edge.node.status === 'BOT')?.node;
  if (takeOver && held) {
    const { takeOverConversation } = await request(WalkTakeOverDocument, {
      conversationId: held.id,
      message: 'Hello, this is a person from the team.',
    });
    console.log(
      `8. took over: ${takeOverConversation.conversation.status}, ` +
        `assignee ${takeOverConversation.conversation.assignee?.name ?? 'none'}, ` +
        `sent "${takeOverConversation.message?.content ?? ''}"`,
    );
    break;
  }
}
