// Writes schema/schema.graphql from the code (sorted SDL). `--check` only reports whether it is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { schema } from '../src/resolvers/schema.js';

const target = new URL('../schema/schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== printed) {
    process.stderr.write('schema/schema.graphql is stale: run `npm run schema:print`\n');
    process.exit(1);
  }
  process.stdout.write('schema/schema.graphql is up to date\n');
} else {
  await writeFile(target, printed);
  process.stdout.write(`wrote schema/schema.graphql (${printed.split('\n').length} lines)\n`);
}
