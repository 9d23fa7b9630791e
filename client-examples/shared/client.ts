// The smallest typed GraphQL client the examples need: HTTP for queries and mutations, graphql-ws for
// subscriptions, both typed by the documents GraphQL Code Generator wrote to ../generated.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Connection {
  url: string;
  headers: Record<string, string>;
  /** graphql-ws connection_init payload: { authorization } or { apiKey }. */
  connectionParams: Record<string, string>;
}

export async function request<TResult, TVariables>(
  connection: Connection,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch(connection.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...connection.headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TResult; errors?: { message: string }[] };
  if (body.errors?.length || !body.data)
    throw new Error(body.errors?.map((e) => e.message).join('; ') ?? 'no data');
  return body.data;
}

export function socket(connection: Connection): Client {
  return createClient({
    url: connection.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: connection.connectionParams,
    retryAttempts: 5,
  });
}

/** Subscribes and calls onData for each result; returns the unsubscribe function. */
export function listen<TResult, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
): () => void {
  return client.subscribe<TResult>(
    { query: print(document), variables },
    {
      next: (value) => {
        if (value.data) onData(value.data);
        if (value.errors) console.error('subscription error:', value.errors.map((e) => e.message).join('; '));
      },
      error: (error) => console.error('subscription failed:', error),
      complete: () => undefined,
    },
  );
}

/** `--name value` from the command line, else the environment variable, else the default. */
export function option(name: string, env: string, fallback?: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at > 0 && process.argv[at + 1] !== undefined) return process.argv[at + 1];
  return process.env[env] ?? fallback;
}

export const flag = (name: string) => process.argv.includes(`--${name}`);
