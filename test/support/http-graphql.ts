// GraphQL over HTTP against a listening server, as a client calls it: `gql` returns the answer as it is,
// `ok` its data (and throws with the errors when there are any).

export interface HttpGraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export function httpGraphQL(url: () => string) {
  async function gql(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<HttpGraphQLAnswer> {
    const response = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as HttpGraphQLAnswer;
  }
  async function ok<T>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<T> {
    const body = await gql(query, variables, headers);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  }
  return { gql, ok };
}
