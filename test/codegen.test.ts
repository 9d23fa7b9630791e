import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.js';

/** Every file codegen writes, as it would write them now from the schema and the operations. */
async function generatedNow() {
  return (await generate({ ...config, silent: true }, false)) as { filename: string; content: string }[];
}

/** Compares the committed files under `folder` with what codegen writes there now. */
async function expectCommitted(outputs: { filename: string; content: string }[], folder: string) {
  const mine = outputs.filter((output) => path.resolve(output.filename).startsWith(path.resolve(folder)));
  expect(mine.map((output) => path.basename(output.filename)).sort(), folder).toEqual([
    'gql.ts',
    'graphql.ts',
    'index.ts',
  ]);
  for (const output of mine) {
    const committed = await readFile(path.resolve(output.filename), 'utf8').catch(() => '');
    expect(committed, output.filename).toBe(output.content);
  }
}

describe('generated client documents (run `npm run codegen` when this fails)', () => {
  it('client-examples/generated and console/src/generated match the schema and their operations', async () => {
    const outputs = await generatedNow();
    expect(outputs.length).toBeGreaterThan(0);
    await expectCommitted(outputs, 'client-examples/generated');
    await expectCommitted(outputs, 'console/src/generated');
    // Nothing is generated anywhere else, so the two folders above are the whole output.
    expect(
      outputs.filter(
        (output) =>
          !['client-examples/generated', 'console/src/generated'].some((folder) =>
            path.resolve(output.filename).startsWith(path.resolve(folder)),
          ),
      ),
    ).toEqual([]);
  }, 60_000);
});
