import { isObjectType, lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import { registerNodeTypes } from '../kernel/global-id.js';
import './index.js';

/** The whole schema, sorted so its printed form is stable. */
export const schema: GraphQLSchema = lexicographicSortSchema(builder.toSchema());

// Ids name only types that can be looked up; any other well-formed id is refused as bad input.
registerNodeTypes(
  Object.values(schema.getTypeMap())
    .filter((type) => isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node'))
    .map((type) => type.name),
);
