// The console's browser tests' build step: console/dist built (as `npm run console:build` does) when it
// is missing or older than its sources; with the paths and the patience the tests share. The server and
// chromium: test/support/console.ts.
import { spawn } from 'node:child_process';
import { access, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts');
/** Generous: the machine is shared; nothing here measures time. */
export const UI_TIMEOUT = 30_000;

const CONSOLE_DIR = path.resolve('console');
const DIST_INDEX = path.join(CONSOLE_DIR, 'dist', 'index.html');

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** The newest modification time among the console's sources (what the build is made from). */
async function newestSource(): Promise<number> {
  const files = [path.join(CONSOLE_DIR, 'index.html'), path.join(CONSOLE_DIR, 'vite.config.ts')];
  for (const entry of await readdir(path.join(CONSOLE_DIR, 'src'), {
    recursive: true,
    withFileTypes: true,
  })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
  }
  const times = await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs));
  return Math.max(...times);
}

/** Builds console/dist (as `npm run console:build` does) when it is missing or older than its sources. */
export async function ensureConsoleBuilt(): Promise<void> {
  if ((await exists(DIST_INDEX)) && (await stat(DIST_INDEX)).mtimeMs >= (await newestSource())) return;
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.resolve('node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'console/vite.config.ts',
        '--logLevel',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0 || !(await exists(DIST_INDEX))) {
    throw new Error(`npm run console:build failed (exit ${code}):\n${output.join('')}`);
  }
}

export interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}
