import { defineConfig } from 'prisma/config';

// Used by `prisma generate` only; migrations run through src/db/migrate.ts (see README).
export default defineConfig({
  schema: 'prisma/schema.prisma',
});
