import type { CodegenConfig } from '@graphql-codegen/cli';

/** How both outputs are generated: the client preset, plain (unmasked) types, string dates. */
const clientOutput = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTime: 'string', JSON: 'unknown' },
  },
} as const;

/**
 * Typed documents from the committed schema, one output per client: the operations in client-examples/
 * and the agent console's (console/src/), each from its own documents.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: false,
  // ESM with explicit .js extensions, as the rest of the project.
  emitLegacyCommonJSImports: false,
  generates: {
    'client-examples/generated/': { ...clientOutput, documents: ['client-examples/**/*.graphql'] },
    'console/src/generated/': { ...clientOutput, documents: ['console/src/**/*.graphql'] },
  },
};

export default config;
