// The start-up baseline: a minimal graphql-yoga server (one `hello` field) on node:http, listening on
// HOST:PORT. The start-up scenario compiles it to plain ESM JavaScript first and runs it with plain `node`,
// as the platform runs from dist/, so neither pays a TypeScript loader at start.
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { hello: String! }',
    resolvers: { Query: { hello: () => 'world' } },
  }),
  logging: false,
  graphiql: false,
});
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 4000), process.env.HOST ?? '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
