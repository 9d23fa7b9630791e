// An agent watching an app service live: `tsx client-examples/agent/watch.ts [--app-service <id>] [--take-over]`.
// Logs in (DEMO_EMAIL / DEMO_PASSWORD, the demo account by default), prints new messages, escalations
// (as the dashboard notification's { customer_number, event, created_at }) and colleagues' takeovers; with --take-over it
// takes over the first escalated conversation with a greeting. --events N exits after N lines (for tests).
import {
  EscalationAlertsDocument,
  InboxChangesDocument,
  InboxMessagesDocument,
  LogInDocument,
  MyOrganizationsDocument,
  AppServicesDocument,
  TakeOverDocument,
} from '../generated/graphql.js';
import { flag, listen, option, request, socket, type Connection } from '../shared/client.js';

const url = option('url', 'GRAPHQL_URL', 'http://localhost:4000/graphql')!;
const email = option('email', 'DEMO_EMAIL', 'demo@example.com')!;
const password = option('password', 'DEMO_PASSWORD', 'demo-password-1')!;
const maxEvents = Number(option('events', 'MAX_EVENTS', '0'));

const anonymous: Connection = { url, headers: {}, connectionParams: {} };
const { logIn } = await request(anonymous, LogInDocument, { email, password });
const authorization = `Bearer ${logIn.token}`;
const connection: Connection = { url, headers: { authorization }, connectionParams: { authorization } };

let appServiceId = option('app-service', 'APP_SERVICE_ID');
if (!appServiceId) {
  const { viewer } = await request(connection, MyOrganizationsDocument, {});
  const organization = viewer.organizations.edges[0]?.node;
  if (!organization) throw new Error(`${logIn.user.name} belongs to no organization`);
  const services = await request(connection, AppServicesDocument, { organizationId: organization.id });
  if (services.node?.__typename !== 'Organization') throw new Error('organization not found');
  appServiceId = services.node.appServices.edges[0]?.node.id;
  if (!appServiceId) throw new Error('the organization has no app service');
}

const client = socket(connection);
let printed = 0;
let tookOver = false;
const stops: (() => void)[] = [];
const print = (line: string) => {
  console.log(line);
  if (maxEvents && ++printed >= maxEvents) {
    for (const stop of stops) stop();
    void Promise.resolve(client.dispose()).then(() => process.exit(0));
  }
};

stops.push(
  listen(client, EscalationAlertsDocument, { appServiceId }, ({ escalationRaised: e }) => {
    // The dashboard notification's format.
    print(
      `[escalation] ${JSON.stringify({ customer_number: e.customerNumber, event: e.event, created_at: e.createdAt })}`,
    );
    if (flag('take-over') && !tookOver) {
      tookOver = true;
      void request(connection, TakeOverDocument, {
        conversationId: e.conversation.id,
        message: 'Hi, I am a person from the team. How can I help?',
      }).then(({ takeOverConversation }) =>
        print(
          `[take-over] ${takeOverConversation.conversation.id} is now ${takeOverConversation.conversation.status}`,
        ),
      );
    }
  }),
  listen(client, InboxMessagesDocument, { appServiceId }, ({ messageAdded: m }) =>
    print(`[message] ${m.senderType}${m.private ? ' (note)' : ''}: ${m.content}`),
  ),
  listen(client, InboxChangesDocument, { appServiceId }, ({ conversationUpdated: c }) => {
    if (c.status === 'ASSIGNED') print(`[update] ${c.id} taken by ${c.assignee?.name ?? 'someone'}`);
  }),
);
console.log(`watching app service ${appServiceId} as ${logIn.user.name} (Ctrl-C to stop)`);
