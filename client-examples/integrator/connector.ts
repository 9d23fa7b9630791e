// A channel connector with an API key: `API_KEY=cik_… tsx client-examples/integrator/connector.ts`.
// Pushes a customer message in, reads botShouldReply, listens for a human takeover and for agent replies to
// deliver (acknowledging each), and records a sale. --wait-reply waits for one agent reply, then exits.
import {
  AcknowledgeDeliveredDocument,
  AgentRepliesDocument,
  IngestCustomerMessageDocument,
  MyAppServicesDocument,
  RecordSaleDocument,
  TakeoversDocument,
} from '../generated/graphql.js';
import { flag, listen, option, request, socket, type Connection } from '../shared/client.js';

const url = option('url', 'GRAPHQL_URL', 'http://localhost:4000/graphql')!;
const apiKey = option('api-key', 'API_KEY');
if (!apiKey) throw new Error('Set API_KEY (the demo key is printed at the first `npm start`).');
const customer = option('customer', 'CUSTOMER', '+971500000123')!;
const text = option('message', 'MESSAGE', 'Hello, I would like to talk to a real person')!;
const connection: Connection = { url, headers: { 'x-api-key': apiKey }, connectionParams: { apiKey } };

const { viewer } = await request(connection, MyAppServicesDocument, {});
const appService = viewer.organizations.edges[0]?.node.appServices.edges[0]?.node;
if (!appService) throw new Error('the key sees no app service');
console.log(`connector for ${appService.name} (${appService.channel})`);

const client = socket(connection);
let replied!: () => void;
const firstReply = new Promise<void>((resolve) => (replied = resolve));
listen(client, TakeoversDocument, { appServiceId: appService.id }, ({ conversationUpdated }) => {
  if (conversationUpdated.status === 'ASSIGNED')
    console.log(`[takeover] a human holds ${conversationUpdated.id}: the bot stays quiet`);
});
listen(client, AgentRepliesDocument, { appServiceId: appService.id }, async ({ outboundMessage }) => {
  console.log(`[deliver] to ${customer}: ${outboundMessage.content}`);
  // ...send it on the channel, then tell the platform it was delivered.
  await request(connection, AcknowledgeDeliveredDocument, { messageIds: [outboundMessage.id] });
  replied();
});
// Give the subscriptions a moment to reach the server before the message goes in.
await new Promise((resolve) => setTimeout(resolve, 300));

const { ingestMessage } = await request(connection, IngestCustomerMessageDocument, {
  input: {
    appServiceId: appService.id,
    customer: { externalId: customer },
    content: text,
    idempotencyKey: `example-${Date.now()}`,
  },
});
console.log(
  `[ingested] message ${ingestMessage.message.index} in ${ingestMessage.conversation.id}; botShouldReply=${ingestMessage.botShouldReply}`,
);

if (flag('wait-reply')) await firstReply;
try {
  const { recordEvent } = await request(connection, RecordSaleDocument, {
    conversationId: ingestMessage.conversation.id,
    product: 'Dubai → Paris, economy',
    price: 1450,
  });
  console.log(`[event] recorded ${recordEvent.type}`);
} catch (error) {
  console.log(`[event] not recorded (${(error as Error).message}): the key needs EVENTS_WRITE`);
}
await client.dispose();
