// The agent console: built into console/dist and served by the API server at /console
// (npm run console:build); `npm run console:dev` serves it with hot reload, proxying /graphql to the API.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.CONSOLE_API_URL ?? 'http://localhost:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: { '/graphql': { target: api, ws: true, changeOrigin: true } },
  },
});
