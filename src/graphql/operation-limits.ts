// Limits on the shape of an operation, checked before it runs: a refused operation costs no SQL (context,
// and with it authentication, is built only after validation) and answers HTTP 400 with a typed code and
// the figure against its limit.
//
// Libraries: @pothos/plugin-complexity computes cost and depth from the schema's own field costs, so a
// connection multiplies what is under it by its page size (see resolvers/pagination.ts), which GraphQL
// Armor's cost-limit cannot do (it knows nothing of `first`); GraphQL Armor counts aliases and directives
// (following fragments); graphql-js's parser stops at a token count itself (Armor's max-tokens wraps the
// same lexer). Introspection is not costed by either, so its list nesting has a small rule of its own.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { createComplexityRule } from '@pothos/plugin-complexity';
import {
  GraphQLError,
  Kind,
  Lexer,
  parse,
  Source,
  TokenKind,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { OperationLimits } from '../config.js';

export type { OperationLimits } from '../config.js';

export type LimitCode =
  | 'QUERY_TOO_MANY_TOKENS'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX'
  | 'QUERY_TOO_MANY_ALIASES'
  | 'QUERY_TOO_MANY_DIRECTIVES'
  | 'QUERY_INTROSPECTION_TOO_LARGE';

const LIMIT_CODES = new Set<LimitCode>([
  'QUERY_TOO_MANY_TOKENS',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'QUERY_TOO_MANY_ALIASES',
  'QUERY_TOO_MANY_DIRECTIVES',
  'QUERY_INTROSPECTION_TOO_LARGE',
]);

/** What one operation was measured at, kept on the request context for the cost budget and the logs. */
export interface OperationMeasure {
  cost: number;
  depth: number;
}

/** The refusal of an operation over a limit: HTTP 400, the code, the measured figure and the limit. */
export function limitExceeded(code: LimitCode, what: string, actual: number | undefined, limit: number) {
  const figure = actual === undefined ? `more than ${limit}` : `${actual}`;
  return new GraphQLError(`The operation has ${figure} ${what}; the limit is ${limit}.`, {
    // spec: false, so that Yoga answers 400 also to clients that accept only application/json.
    extensions: {
      code,
      limit,
      ...(actual !== undefined ? { actual } : {}),
      http: { status: 400, spec: false },
    },
  });
}

const measures = new WeakMap<object, OperationMeasure>();
const MAX_CACHED_VARIABLES_CHARS = 2048;
const MAX_CACHED_MEASURES = 1000;

/** The measure of the operation this context runs (absent when the limits are off). */
export function operationMeasureOf(context: object): OperationMeasure | undefined {
  return measures.get(context);
}

interface RequestParams {
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/**
 * The envelop plugin. The token limit applies while parsing; aliases, directives and introspection are
 * validation rules (their results are cached per document with the rest of validation); cost and depth
 * depend on the variables (`first: $n`), so they are measured on every request after validation, and a
 * refusal is thrown rather than set as the validation result, so that it is never cached for the document.
 */
export function useOperationLimits(limits: OperationLimits): Plugin {
  const staticRules = limitRules(limits);
  // A dashboard sends the same few operations with the same variables again and again: their measure is
  // kept per parsed document (Yoga's parse cache hands out the same one) and variables, so a repeated
  // request does not walk its operation again. One bounded cache for all documents, so that many documents
  // times many variables cannot grow it (at most MAX_CACHED_MEASURES keys of MAX_CACHED_VARIABLES_CHARS);
  // large variables (a batch of messages) are measured afresh.
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const cache = new Map<string, ReturnType<typeof measureOperation>>();
  const measureCached = (schema: GraphQLSchema, document: DocumentNode, request: RequestParams) => {
    const variables = `${request.operationName ?? ''}\u0000${JSON.stringify(request.variables ?? {})}`;
    if (variables.length > MAX_CACHED_VARIABLES_CHARS)
      return measureOperation(schema, document, request, limits);
    let documentId = documentIds.get(document);
    if (documentId === undefined) documentIds.set(document, (documentId = nextDocumentId++));
    const key = `${documentId}\u0000${variables}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const result = measureOperation(schema, document, request, limits);
    if (cache.size >= MAX_CACHED_MEASURES) cache.clear();
    cache.set(key, result);
    return result;
  };
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && error.message.includes('tokens. Parsing aborted')) {
            throw limitExceeded('QUERY_TOO_MANY_TOKENS', 'tokens', countTokens(source), limits.maxTokens);
          }
          throw error;
        }
      });
    },
    onResultProcess({ result }) {
      // Yoga marks errors thrown while parsing as spec errors (HTTP 200 for application/json clients);
      // a refusal by a limit is answered 400 whatever the client accepts.
      if (!('errors' in result) || !Array.isArray(result.errors)) return;
      for (const error of result.errors as GraphQLError[]) {
        if (LIMIT_CODES.has(error.extensions?.code as LimitCode)) {
          (error.extensions as { http?: unknown }).http = { status: 400, spec: false };
        }
      }
    },
    onValidate({ addValidationRule, params, context }) {
      for (const rule of staticRules) addValidationRule(rule);
      const { schema, documentAST } = params;
      return ({ valid }) => {
        if (!valid) return;
        const request = (context as { params?: RequestParams }).params ?? {};
        const measured = measureCached(schema, documentAST, request);
        if (measured.error) throw measured.error;
        measures.set(context, measured.measure);
      };
    },
  };
}

/** The limits that do not depend on variables, as validation rules (cached with the rest of validation). */
export function limitRules(limits: OperationLimits): ValidationRule[] {
  return [
    maxAliasesRule({
      n: limits.maxAliases,
      // __typename counts too: 5,000 aliases of it are still 5,000 resolver calls.
      allowList: [],
      propagateOnRejection: false,
      onReject: [
        (ctx, error) =>
          ctx?.reportError(fromArmor(error, 'QUERY_TOO_MANY_ALIASES', 'aliases', limits.maxAliases)),
      ],
    }),
    maxDirectivesRule({
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [
        (ctx, error) =>
          ctx?.reportError(fromArmor(error, 'QUERY_TOO_MANY_DIRECTIVES', 'directives', limits.maxDirectives)),
      ],
    }),
    introspectionRule(limits.maxIntrospectionDepth),
  ];
}

/** Cost and depth of the operation the request runs; `error` when one is over its limit or a page size is out of range. */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  request: RequestParams,
  limits: Pick<OperationLimits, 'maxCost' | 'maxDepth'>,
): { measure: OperationMeasure; error?: GraphQLError } {
  const measure: OperationMeasure = { cost: 0, depth: 0 };
  const errors = validate(schema, document, [
    createComplexityRule({
      context: {},
      variableValues: request.variables ?? {},
      operationName: request.operationName ?? undefined,
      validate: ({ complexity, depth }, report) => {
        measure.cost = complexity;
        measure.depth = depth;
        if (depth > limits.maxDepth) {
          report(limitExceeded('QUERY_TOO_DEEP', 'levels of nesting', depth, limits.maxDepth));
        } else if (complexity > limits.maxCost) {
          report(limitExceeded('QUERY_TOO_COMPLEX', 'points of cost', complexity, limits.maxCost));
        }
      },
    }),
  ]);
  return errors[0] ? { measure, error: errors[0] } : { measure };
}

function fromArmor(error: GraphQLError, code: LimitCode, what: string, limit: number): GraphQLError {
  // Armor's message ends with "…, found N."; the figure is taken from it.
  const found = /found (\d+)/.exec(error.message);
  return limitExceeded(code, what, found ? Number(found[1]) : undefined, limit);
}

/** How many tokens a refused document has (counted up to a bound, only on the refusal path). */
function countTokens(source: string | Source, bound = 1_000_000): number | undefined {
  try {
    const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
    let count = 0;
    while (lexer.advance().kind !== TokenKind.EOF) if (++count >= bound) return undefined;
    return count;
  } catch {
    return undefined;
  }
}

/** Introspection list fields: each one on a path multiplies the answer by the number of types or fields. */
const INTROSPECTION_LISTS = new Set([
  'types',
  'fields',
  'inputFields',
  'interfaces',
  'possibleTypes',
  'enumValues',
]);

/**
 * Introspection is answered from memory but can still multiply: `types { fields { type { fields … } } }`
 * is types × fields × fields. Standard introspection queries (GraphiQL, codegen) nest two of these lists;
 * `__schema` may appear once per operation and `__type` ten times.
 */
function introspectionRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.flatMap((definition) =>
          definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
        ),
    );
    const deepest = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
      let max = 0;
      for (const selection of selectionSet.selections) {
        let depth = 0;
        if (selection.kind === Kind.FIELD) {
          depth =
            (INTROSPECTION_LISTS.has(selection.name.value) ? 1 : 0) +
            (selection.selectionSet ? deepest(selection.selectionSet, visiting) : 0);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          depth = deepest(selection.selectionSet, visiting);
        } else {
          const fragment = fragments.get(selection.name.value);
          if (fragment && !visiting.has(fragment.name.value)) {
            depth = deepest(fragment.selectionSet, new Set(visiting).add(fragment.name.value));
          }
        }
        max = Math.max(max, depth);
      }
      return max;
    };
    const roots = { __schema: 0, __type: 0 };
    return {
      Field(node: FieldNode) {
        const name = node.name.value;
        if (name !== '__schema' && name !== '__type') return;
        roots[name] += 1;
        const depth = node.selectionSet ? deepest(node.selectionSet, new Set()) : 0;
        if (depth > maxDepth) {
          context.reportError(
            limitExceeded('QUERY_INTROSPECTION_TOO_LARGE', 'nested introspection lists', depth, maxDepth),
          );
        }
        // Reported once, when the count first goes over.
        if (name === '__schema' && roots.__schema === 2) {
          context.reportError(limitExceeded('QUERY_INTROSPECTION_TOO_LARGE', '__schema fields', 2, 1));
        }
        if (name === '__type' && roots.__type === 11) {
          context.reportError(limitExceeded('QUERY_INTROSPECTION_TOO_LARGE', '__type fields', 11, 10));
        }
      },
    };
  };
}
