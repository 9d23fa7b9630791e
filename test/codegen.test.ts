import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.js';

describe('generated client documents', () => {
  it('client-examples/generated matches schema and operations (run `npm run codegen` when this fails)', async () => {
    const outputs = (await generate({ ...config, silent: true }, false)) as {
      filename: string;
      content: string;
    }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const committed = await readFile(path.resolve(output.filename), 'utf8').catch(() => '');
      expect(committed, output.filename).toBe(output.content);
    }
  }, 60_000);
});
