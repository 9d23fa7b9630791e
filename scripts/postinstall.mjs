// `npm install` / `npm ci` run this. It always generates the Prisma client (src/generated, not committed; the
// `prisma` CLI is a runtime dependency for this reason). It builds the agent console (console/dist) only
// when Vite, a dev dependency, is installed: a full `npm install && npm start` serves the console at once,
// while `npm ci --omit=dev` (a production install next to an already built dist/ and console/dist, see
// docs/dependencies.md) succeeds without it.
import { execFileSync } from 'node:child_process';
import console from 'node:console';
import { createRequire } from 'node:module';

const run = (script) => execFileSync('npm', ['run', '--silent', script], { stdio: 'inherit' });

run('generate');

const require = createRequire(import.meta.url);
let viteInstalled = true;
try {
  require.resolve('vite/package.json');
} catch {
  viteInstalled = false;
}
if (viteInstalled) {
  run('console:build');
} else {
  console.log(
    'postinstall: Vite (a dev dependency) is not installed; console/dist not built (npm run build does it).',
  );
}
