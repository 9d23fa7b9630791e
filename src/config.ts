import { z } from 'zod';

/** Thrown when the environment is invalid; its message is the one line printed before exiting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const optionalUrl = (protocols: string[]) =>
  optionalString.refine(
    (value) => {
      if (value === undefined) return true;
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(', ')})` },
  );

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  DATA_DIR: z.string().default('.data'),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl(['http:', 'https:']),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  SMTP_URL: optionalUrl(['smtp:', 'smtps:']),
  MAIL_FROM: z.string().default('Conversation Intelligence <alerts@localhost>'),
  WHATSAPP_API_URL: optionalUrl(['http:', 'https:']),
  WHATSAPP_TOKEN: optionalString,
  WHATSAPP_PHONE_NUMBER_ID: optionalString,
  DASHBOARD_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000/console'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  SENTIMENT_CRON: z.string().default('0 * * * *'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  API_KEY_ROTATION_GRACE_HOURS: z.coerce.number().min(0).max(720).default(24),
  SUBSCRIPTION_RECHECK_SECONDS: z.coerce.number().min(0).max(300).default(2),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(1000).default(50),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  WHATSAPP_TEMPLATE_NAME: optionalString,
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().default('en'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  role: 'all' | 'api' | 'worker';
  logLevel: Env['LOG_LEVEL'];
  /** Postgres when set; embedded PGlite under `${dataDir}/pglite` otherwise. */
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  openai: { apiKey: string; baseUrl: string | undefined; model: string } | undefined;
  smtp: { url: string; from: string } | undefined;
  whatsapp:
    | { apiUrl: string; token: string; phoneNumberId: string; template?: { name: string; language: string } }
    | undefined;
  dashboardUrl: string;
  sentimentCron: string;
  seedDemo: 'auto' | 'true' | 'false';
  sessionTtlMs: number;
  apiKeyRotationGraceMs: number;
  subscriberRecheckMs: number;
  maxSubscriptionsPerConnection: number;
  workerConcurrency: number;
  allowPrivateWebhooks: boolean;
}

/** Reads and validates the environment once; the first problem becomes one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${variable} ${describeIssue(issue, env[variable])}`);
  }
  const e = parsed.data;
  const whatsappParts = [e.WHATSAPP_API_URL, e.WHATSAPP_TOKEN, e.WHATSAPP_PHONE_NUMBER_ID];
  if (whatsappParts.some(Boolean) && !whatsappParts.every(Boolean)) {
    throw new ConfigError(
      'Invalid configuration: WHATSAPP_API_URL, WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID must be set together',
    );
  }
  if (e.ROLE !== 'all' && !e.REDIS_URL) {
    // Without Redis the queue and pub/sub live inside one process: api and worker cannot be split.
    throw new ConfigError(`Invalid configuration: ROLE=${e.ROLE} needs REDIS_URL (without it, run ROLE=all)`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    role: e.ROLE,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    openai: e.OPENAI_API_KEY
      ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL }
      : undefined,
    smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
    whatsapp:
      e.WHATSAPP_API_URL && e.WHATSAPP_TOKEN && e.WHATSAPP_PHONE_NUMBER_ID
        ? {
            apiUrl: e.WHATSAPP_API_URL,
            token: e.WHATSAPP_TOKEN,
            phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
            ...(e.WHATSAPP_TEMPLATE_NAME
              ? { template: { name: e.WHATSAPP_TEMPLATE_NAME, language: e.WHATSAPP_TEMPLATE_LANGUAGE } }
              : {}),
          }
        : undefined,
    dashboardUrl: e.DASHBOARD_URL,
    sentimentCron: e.SENTIMENT_CRON,
    seedDemo: e.SEED_DEMO,
    sessionTtlMs: e.SESSION_TTL_DAYS * 86_400_000,
    apiKeyRotationGraceMs: e.API_KEY_ROTATION_GRACE_HOURS * 3_600_000,
    subscriberRecheckMs: e.SUBSCRIPTION_RECHECK_SECONDS * 1000,
    maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    workerConcurrency: e.WORKER_CONCURRENCY,
    allowPrivateWebhooks: e.WEBHOOKS_ALLOW_PRIVATE === 'true',
  };
}

function describeIssue(issue: z.core.$ZodIssue, raw: string | undefined): string {
  const shown = raw === undefined ? '' : ` (got "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}")`;
  return `${issue.message.replace(/^Invalid input: /, '').toLowerCase()}${shown}`;
}

/** A short description of which adapter each part uses, for the start-up log. */
export function describeBackends(config: Config): Record<string, string> {
  return {
    database: config.databaseUrl ? 'postgres' : `embedded (PGlite in ${config.dataDir}/pglite)`,
    pubsub: config.redisUrl ? 'redis' : 'in-process',
    jobs: config.redisUrl ? 'bullmq (redis)' : 'in-process runner',
    languageModel: config.openai ? `openai (${config.openai.model})` : 'local classifier',
    email: config.smtp ? 'smtp' : 'not configured (deliveries recorded as skipped)',
    whatsapp: config.whatsapp ? 'whatsapp cloud api' : 'not configured (deliveries recorded as skipped)',
  };
}
