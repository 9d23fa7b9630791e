import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents for the operations in client-examples/, from the committed schema. */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['client-examples/**/*.graphql'],
  ignoreNoDocuments: false,
  // ESM with explicit .js extensions, as the rest of the project.
  emitLegacyCommonJSImports: false,
  generates: {
    'client-examples/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
