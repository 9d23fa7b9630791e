// The dashboard's first baseline: a minimal graphql-yoga server whose schema has the inbox page's shape (the
// same type, field and enum names as the platform's, only the fields the page asks for) and whose one
// resolver answers `node` with the platform's own answer, captured once and read from RESPONSE_FILE. So it
// parses, validates and executes the same query text and serialises the same JSON, with no data access.
// Production mode (NODE_ENV comes from spawnService), PORT from the environment, /healthz for readiness.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const file = process.env.RESPONSE_FILE;
if (!file) throw new Error('RESPONSE_FILE is required');
const captured = JSON.parse(readFileSync(file, 'utf8')) as { data: { node: unknown } };

const typeDefs = /* GraphQL */ `
  scalar DateTime

  interface Node {
    id: ID!
  }

  enum ConversationStatus {
    ASSIGNED
    BOT
    CLOSED
    OPEN
    PENDING
    RESOLVED
  }

  enum ConversationPriority {
    HIGH
    LOW
    NORMAL
    URGENT
  }

  enum SenderType {
    AGENT
    BOT
    CUSTOMER
    SYSTEM
  }

  input ConversationFilter {
    search: String
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type Contact implements Node {
    id: ID!
    name: String
    phone: String
  }

  type Agent implements Node {
    id: ID!
    name: String!
  }

  type Message implements Node {
    id: ID!
    content: String!
    senderType: SenderType!
    sentAt: DateTime!
  }

  type ConversationMessagesConnectionEdge {
    cursor: String!
    node: Message!
  }

  type ConversationMessagesConnection {
    edges: [ConversationMessagesConnectionEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type Conversation implements Node {
    id: ID!
    status: ConversationStatus!
    priority: ConversationPriority!
    labels: [String!]!
    escalatedAt: DateTime
    lastMessageAt: DateTime!
    contact: Contact
    assignee: Agent
    messages(first: Int, after: String, last: Int, before: String): ConversationMessagesConnection!
  }

  type AppServiceConversationsConnectionEdge {
    cursor: String!
    node: Conversation!
  }

  type AppServiceConversationsConnection {
    edges: [AppServiceConversationsConnectionEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type AppService implements Node {
    id: ID!
    name: String!
    conversations(
      first: Int
      after: String
      last: Int
      before: String
      filter: ConversationFilter
    ): AppServiceConversationsConnection!
  }

  type Query {
    node(id: ID!): Node
  }
`;

// Every other field resolves by property from the captured object; Node's type from its __typename.
const yoga = createYoga({
  schema: createSchema({ typeDefs, resolvers: { Query: { node: () => captured.data.node } } }),
  graphqlEndpoint: '/graphql',
  healthCheckEndpoint: '/healthz',
  landingPage: false,
  graphiql: false,
  logging: false,
});

const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
