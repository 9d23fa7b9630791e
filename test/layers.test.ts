import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rules of eslint.config.js, tried on imports that point back up: each must fail lint (and so
// `npm test`), while the same file's downward imports pass.
const eslint = new ESLint();

async function restrictedImports(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layers', () => {
  it.each([
    ['src/ai/probe.ts', "import type { ServiceDeps } from '../services/deps.js';"],
    ['src/ai/openai/probe.ts', "import { schema } from '../../resolvers/schema.js';"],
    ['src/jobs/probe.ts', "import { jobHandlers } from '../workers/handlers/index.js';"],
    ['src/realtime/probe.ts', "import { startApplication } from '../app.js';"],
    ['src/kernel/probe.ts', "import type { Actor } from '../auth/actor.js';"],
    ['src/services/probe.ts', "import type { Context } from '../graphql/context.js';"],
    ['src/services/probe.ts', "import { builder } from '../resolvers/builder.js';"],
    ['src/workers/probe.ts', "import { schema } from '../resolvers/schema.js';"],
    ['src/resolvers/probe.ts', "import { jobHandlers } from '../workers/handlers/index.js';"],
  ])('refuses a back-edge from %s: %s', async (filePath, source) => {
    expect(await restrictedImports(filePath, `${source}\nexport const probe = 1;\n`)).toHaveLength(1);
  });

  it.each([
    ['src/services/probe.ts', "import { DomainError } from '../kernel/errors.js';"],
    ['src/services/probe.ts', "import { outboxJob } from '../jobs/catalogue.js';"],
    ['src/resolvers/probe.ts', "import type { ServiceDeps } from '../services/deps.js';"],
    ['src/workers/probe.ts', "import { processClassification } from '../services/classification.js';"],
    ['src/ai/probe.ts', "import { z } from 'zod';"],
    ['src/realtime/probe.ts', "import { parse } from 'graphql';"],
  ])('allows a downward import from %s: %s', async (filePath, source) => {
    expect(await restrictedImports(filePath, `${source}\nexport const probe = 1;\n`)).toEqual([]);
  });
});
