// Every operation this repository's own clients send (the agent console, the client examples, the
// dashboard benchmark, GraphiQL's pre-filled walk and its introspection query) passes the operation limits
// at HALF their defaults: the defaults leave real clients room, and a change that makes a client heavier
// than that fails here.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  specifiedRules,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { limitRules, measureOperation, type OperationLimits } from '../src/graphql/operation-limits.js';
import { schema } from '../src/resolvers/schema.js';
import { INBOX_QUERY } from '../bench/scenarios/dashboard.js';

const defaults = loadConfig({}).operationLimits!;
const half: OperationLimits = {
  maxTokens: defaults.maxTokens / 2,
  maxDepth: defaults.maxDepth / 2,
  maxCost: defaults.maxCost / 2,
  maxAliases: defaults.maxAliases / 2,
  maxDirectives: defaults.maxDirectives / 2,
  maxIntrospectionDepth: defaults.maxIntrospectionDepth,
};

/** The .graphql documents under a folder, recursively. */
function graphqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'generated' || entry.name === 'node_modules' ? [] : graphqlFiles(full);
    return entry.name.endsWith('.graphql') ? [full] : [];
  });
}

const SOME_ID = Buffer.from('AppService:3f1c2a4e-1111-4111-8111-111111111111').toString('base64url');

/** A valid value of the type, for variables with no default: page sizes at 50, the rest plausible. */
function sample(type: GraphQLInputType, name = ''): unknown {
  if (isNonNullType(type)) return sample(type.ofType, name);
  if (isListType(type)) return [sample(type.ofType, name)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isInputObjectType(named)) {
    return Object.fromEntries(
      Object.values(named.getFields())
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => [field.name, sample(field.type, field.name)]),
    );
  }
  if (named.name === 'String' && /email/i.test(name)) return 'someone@example.test';
  if (named.name === 'String' && /password/i.test(name)) return 'correct-horse-battery';
  const scalars: Record<string, unknown> = {
    Int: 50,
    Float: 1,
    Boolean: true,
    DateTime: '2026-01-01T00:00:00.000Z',
    JSON: {},
    ID: SOME_ID,
  };
  return scalars[named.name] ?? 'text';
}

interface ClientOperation {
  name: string;
  document: DocumentNode;
  variables: Record<string, unknown>;
  source: string;
}

/** Each operation with the fragments of all documents (the console spreads fragments across files). */
function clientOperations(): ClientOperation[] {
  const sources: [string, string][] = [
    ...[...graphqlFiles('console/src'), ...graphqlFiles('client-examples')].map(
      (file) => [file, readFileSync(file, 'utf8')] as [string, string],
    ),
    ['bench: inbox page', INBOX_QUERY],
    ['GraphiQL introspection', getIntrospectionQuery()],
  ];
  // GraphiQL's pre-filled walk, as the server sends it.
  const yogaSource = readFileSync('src/graphql/yoga.ts', 'utf8');
  sources.push(['GraphiQL default query', /const defaultQuery = `([\s\S]*?)`;/.exec(yogaSource)![1]!]);
  const documents = sources.map(([name, text]) => [name, parse(text)] as const);
  const fragments = documents.flatMap(([, document]) =>
    document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION),
  );
  return documents.flatMap(([file, document]) =>
    document.definitions
      .filter(
        (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
      )
      .map((operation) => {
        const variables: Record<string, unknown> = {};
        for (const definition of operation.variableDefinitions ?? []) {
          if (definition.defaultValue) continue;
          const variable = definition.variable.name.value;
          variables[variable] = sample(
            typeFromAST(schema, definition.type as never) as GraphQLInputType,
            variable,
          );
        }
        const name = `${file}: ${operation.name?.value ?? 'anonymous'}`;
        const used = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] } as const;
        return { name, document: used, variables, source: documentText(file, sources) };
      }),
  );
}

function documentText(name: string, sources: [string, string][]): string {
  return sources.find(([file]) => file === name)![1];
}

describe('the operation limits leave real clients room', () => {
  const operations = clientOperations();

  it('finds the clients: console, examples, benchmark, GraphiQL', () => {
    const names = operations.map((operation) => operation.name).join('\n');
    for (const expected of [
      'ConsoleInbox',
      'ConsoleViewer',
      'MyOrganizations',
      'Inbox',
      'IntrospectionQuery',
      'Walk',
    ]) {
      expect(names).toContain(expected);
    }
    expect(operations.length).toBeGreaterThan(25);
  });

  it.each(clientOperations().map((operation) => [operation.name, operation] as const))(
    '%s passes at half the default limits',
    (_name, operation) => {
      // Tokens: the document as the client sends it (at most the whole file).
      expect(() => parse(operation.source, { maxTokens: half.maxTokens })).not.toThrow();
      const rules = [...specifiedRules, ...limitRules(half)];
      // Fragments of other documents are unused here: that rule is the only one allowed to complain.
      const errors = validate(schema, operation.document, rules).filter(
        (error) => !error.message.startsWith('Fragment "'),
      );
      expect(errors.map((error) => error.message)).toEqual([]);
      const measured = measureOperation(schema, operation.document, { variables: operation.variables }, half);
      expect(measured.error?.message).toBeUndefined();
    },
  );

  it('would notice a heavier client: the same check refuses a page far too large', () => {
    const heavy = parse(
      `query($id: ID!) { node(id: $id) { ... on AppService { conversations(first: 100) { edges { node {
        messages(first: 200) { edges { node { conversation { messages(first: 200) { edges { node { id } } } } } } } } } } } } }`,
    );
    const measured = measureOperation(schema, heavy, { variables: { id: SOME_ID } }, half);
    expect(measured.error?.extensions.code).toBe('QUERY_TOO_COMPLEX');
  });
});
