import { readFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/resolvers/schema.js';

describe('the printed schema', () => {
  it('schema/schema.graphql matches the code (run `npm run schema:print` when this fails)', async () => {
    const committed = await readFile(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSchema(schema)}\n`);
  });

  it('holds the public contract the README documents', () => {
    const query = schema.getQueryType()!.getFields();
    expect(Object.keys(query)).toEqual(expect.arrayContaining(['viewer', 'node', 'nodes']));
    const mutations = Object.keys(schema.getMutationType()!.getFields());
    expect(mutations).toEqual(
      expect.arrayContaining([
        'signUp',
        'logIn',
        'logOut',
        'createOrganization',
        'createAppService',
        'updateAppService',
        'createApiKey',
        'revokeApiKey',
        'rotateApiKey',
        'addMember',
        'removeMember',
      ]),
    );
    const types = [
      'Organization',
      'AppService',
      'Conversation',
      'Message',
      'Agent',
      'Contact',
      'User',
      'ApiKey',
    ];
    for (const type of types) expect(schema.getType(type)?.toString()).toBe(type);
  });
});
