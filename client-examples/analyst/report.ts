// An analyst's view: `tsx client-examples/analyst/report.ts [--days 7]`. Introspects the schema (what an
// analyst can ask), then prints, for every app service of the first organization, the emotion mix and the
// monitoring figures of the last N days. Logs in as DEMO_EMAIL / DEMO_PASSWORD (the demo user by default).
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import {
  AppServiceAnalyticsDocument,
  AppServicesDocument,
  LogInDocument,
  MyOrganizationsDocument,
} from '../generated/graphql.js';
import { option, request, type Connection } from '../shared/client.js';

const url = option('url', 'GRAPHQL_URL', 'http://localhost:4000/graphql')!;
const email = option('email', 'DEMO_EMAIL', 'demo@example.com')!;
const password = option('password', 'DEMO_PASSWORD', 'demo-password-1')!;
const days = Number(option('days', 'DAYS', '7'));

// 1. Introspection: the schema is self-describing.
const introspection = (await (
  await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  })
).json()) as { data: IntrospectionQuery };
const schema = buildClientSchema(introspection.data);
const types = Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith('__'));
console.log(`schema: ${types.length} types`);
console.log(`queries: ${Object.keys(schema.getQueryType()!.getFields()).join(', ')}`);
console.log(`subscriptions: ${Object.keys(schema.getSubscriptionType()?.getFields() ?? {}).join(', ')}`);

// 2. The analytics of the last N days.
const anonymous: Connection = { url, headers: {}, connectionParams: {} };
const { logIn } = await request(anonymous, LogInDocument, { email, password });
const connection: Connection = {
  url,
  headers: { authorization: `Bearer ${logIn.token}` },
  connectionParams: {},
};
const { viewer } = await request(connection, MyOrganizationsDocument, {});
const organization = viewer.organizations.edges[0]?.node;
if (!organization) throw new Error('no organization');
const services = await request(connection, AppServicesDocument, { organizationId: organization.id });
if (services.node?.__typename !== 'Organization') throw new Error('organization not found');
const to = new Date();
const from = new Date(to.getTime() - days * 86_400_000);
for (const { node: service } of services.node.appServices.edges) {
  const { node } = await request(connection, AppServiceAnalyticsDocument, {
    appServiceId: service.id,
    from: from.toISOString(),
    to: to.toISOString(),
  });
  if (node?.__typename !== 'AppService') continue;
  const report = node.sentimentReport;
  const mix =
    report?.emotions.map((e) => `${e.emotion} ${(e.share * 100).toFixed(0)}%`).join(', ') ||
    'no analysis yet';
  const m = node.monitoring;
  console.log(`${node.name} (${node.channel}), last ${days} days`);
  console.log(
    `  emotions: ${mix}${report?.averageScore != null ? `; average score ${report.averageScore.toFixed(0)}` : ''}`,
  );
  console.log(
    `  monitoring: ${m.numberOfChatSessions} chat sessions, ${m.numberOfMessages} messages, ` +
      `${m.escalatedConversations} escalated, ${m.issuesResolved} resolved` +
      (m.resolutionTime != null ? `, resolution ${Math.round(m.resolutionTime / 60)} min` : ''),
  );
}
