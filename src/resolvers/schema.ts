import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './index.js';

/** The whole schema, sorted so its printed form is stable. */
export const schema: GraphQLSchema = lexicographicSortSchema(builder.toSchema());
