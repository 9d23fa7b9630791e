import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/architecture.md's module map names every source file: a file added without a line there, or a line
// naming a file that is gone, fails here.
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry) => {
      const file = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return file === 'src/generated' ? [] : sourceFiles(file);
      return entry.name.endsWith('.ts') ? [file] : [];
    }),
  );
  return files.flat();
}

describe('docs/architecture.md', () => {
  it('maps every module of src, and only modules that exist', async () => {
    const doc = await readFile('docs/architecture.md', 'utf8');
    const map = doc.slice(doc.indexOf('## Module map'));
    const named = new Set([...map.matchAll(/`(src\/[\w/.-]+\.ts)`/g)].map((m) => m[1]!));
    const files = await sourceFiles('src');
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((file) => !named.has(file))).toEqual([]);
    expect([...named].filter((file) => !files.includes(file))).toEqual([]);
  });
});
