import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** The message without graphql-js's "Did you mean …?", which spells out the schema to whoever probes it. */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '').trim();
}

/**
 * Production: validation errors lose their suggestions (errors of execution, such as an unknown enum value
 * in a variable, are handled by the error masker). Validation results are cached per document, so the
 * message is rewritten in place, which is idempotent.
 */
export function useHiddenSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ valid, result }) => {
        if (valid) return;
        for (const error of result as GraphQLError[]) error.message = withoutSuggestions(error.message);
      };
    },
  };
}
