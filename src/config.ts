import { z } from 'zod';
import type { RateLimitSettings, RateWindow } from './protection/rate-limits.js';
import type { ExportSettings } from './services/deps.js';

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

const onOff = z.enum(['on', 'off']);
const booleanText = z.enum(['true', 'false']);
const positiveInt = (fallback: number, max = 1_000_000_000) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** "5/20s": at most 5 in any 20 seconds (units s, m, h); "off" for no limit. */
const rateWindow = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((value, ctx): RateWindow | null => {
      if (value === 'off') return null;
      const match = /^(\d+)\/(\d+)(s|m|h)$/.exec(value);
      const points = Number(match?.[1]);
      const seconds =
        Number(match?.[2]) * ({ s: 1, m: 60, h: 3600 } as const)[(match?.[3] ?? 's') as 's' | 'm' | 'h'];
      if (!match || points < 1 || seconds < 1 || seconds > 86_400) {
        ctx.addIssue({ code: 'custom', message: 'must look like 5/20s, 100/1m or 10/1h (or off)' });
        return z.NEVER;
      }
      return { points, seconds };
    });

const envSchema = z.object({
  NODE_ENV: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  DATA_DIR: z.string().default('.data'),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl(['http:', 'https:']),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_DEADLINE_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
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
  // Delivery guarantees (src/jobs): the reconciler, and how soon a dead worker's jobs move on.
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(3600).default(15),
  RECONCILE_LEASE_SECONDS: z.coerce.number().min(0.1).max(86_400).default(60),
  JOB_LOCK_SECONDS: z.coerce.number().min(1).max(3600).default(15),
  JOB_STALLED_CHECK_SECONDS: z.coerce.number().min(1).max(3600).default(10),
  WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  // CSV exports (src/services/exports.ts): how long a finished export can be downloaded, and its job's batches.
  EXPORT_TTL_MINUTES: z.coerce.number().min(1).max(10_080).default(60),
  EXPORT_BATCH_SIZE: positiveInt(1000, 10_000),
  EXPORT_CHUNK_KIB: positiveInt(256, 16_384),
  WHATSAPP_TEMPLATE_NAME: optionalString,
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().default('en'),
  // Operation limits (src/graphql/operation-limits.ts).
  OPERATION_LIMITS: onOff.default('on'),
  MAX_QUERY_TOKENS: positiveInt(3000),
  MAX_QUERY_DEPTH: positiveInt(30, 1000),
  MAX_QUERY_COST: positiveInt(500_000),
  MAX_QUERY_ALIASES: positiveInt(30),
  MAX_QUERY_DIRECTIVES: positiveInt(50),
  MAX_INTROSPECTION_DEPTH: positiveInt(2, 100),
  MAX_REQUEST_BODY_BYTES: positiveInt(4 * 1024 * 1024),
  // Rate limits (src/protection/rate-limits.ts).
  RATE_LIMITS: onOff.default('on'),
  RATE_LIMIT_LOGIN_PER_IP: rateWindow('5/20s'),
  RATE_LIMIT_LOGIN_PER_EMAIL: rateWindow('5/20s'),
  RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL: rateWindow('10/15m'),
  RATE_LIMIT_SIGNUP_PER_IP: rateWindow('10/1h'),
  RATE_LIMIT_AUTH_FAILURES_PER_IP: rateWindow('30/1m'),
  RATE_LIMIT_API_KEY: rateWindow('18000/1m'),
  RATE_LIMIT_USER_COST: rateWindow('2000000/1h'),
  RATE_LIMIT_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/)
    .default('rl'),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w.-]{1,64}$/)
    .default('bull'),
  // Database and request guardrails.
  DATABASE_POOL_SIZE: positiveInt(10, 1000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  WORKER_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(120_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(120).optional(),
  // Observability (src/observability): /metrics, and OpenTelemetry traces over OTLP/HTTP.
  METRICS_TOKEN: optionalString.refine((value) => value === undefined || value.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(['http:', 'https:']),
  OTEL_SERVICE_NAME: z.string().default('conversation-intelligence'),
  // What the API shows about itself; the defaults depend on NODE_ENV=production.
  GRAPHIQL: booleanText.optional(),
  GRAPHQL_FIELD_SUGGESTIONS: booleanText.optional(),
  INTROSPECTION_ANONYMOUS: booleanText.optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Limits on the shape of an operation (src/graphql/operation-limits.ts checks them). */
export interface OperationLimits {
  /** Lexical tokens in the document. */
  maxTokens: number;
  /** Nesting of fields. */
  maxDepth: number;
  /** Cost: every field 1, connections multiply their selection by their page size. */
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
  /** Nested lists inside introspection (`types`, `fields`, `interfaces`, …) on one path. */
  maxIntrospectionDepth: number;
}

export interface Config {
  port: number;
  host: string;
  role: 'all' | 'api' | 'worker';
  logLevel: Env['LOG_LEVEL'];
  /** Postgres when set; embedded PGlite under `${dataDir}/pglite` otherwise. */
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  openai: { apiKey: string; baseUrl: string | undefined; model: string; deadlineMs: number } | undefined;
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
  /** The outbox reconciler and the queue's stalled-job recovery (src/jobs/reconciler.ts, bullmq-queue.ts). */
  jobs: { reconcileIntervalMs: number; reconcileLeaseMs: number; lockMs: number; stalledCheckMs: number };
  allowPrivateWebhooks: boolean;
  /** CSV exports: download window after READY, rows read per batch, bytes per stored chunk. */
  exports: ExportSettings;
  /** NODE_ENV=production. */
  production: boolean;
  /** Null when OPERATION_LIMITS=off. */
  operationLimits: OperationLimits | null;
  maxRequestBodyBytes: number;
  /** Null when RATE_LIMITS=off. */
  rateLimits: RateLimitSettings | null;
  /** Where the counters live in Redis, so deployments (or test runs) sharing a Redis do not share limits. */
  rateLimitPrefix: string;
  /** BullMQ's key prefix, so deployments sharing a Redis do not share queues. */
  queuePrefix: string;
  /** How many proxies in front of the api may be trusted to append to X-Forwarded-For (0: use the socket address). */
  trustProxyHops: number;
  database: {
    poolSize: number;
    /** statement_timeout of the api's connections (0: none). */
    statementTimeoutMs: number;
    /** statement_timeout of the workers' connections (0: none). */
    workerStatementTimeoutMs: number;
  };
  /** A request that has not started answering by then is cancelled, its SQL with it (0: no limit). */
  requestTimeoutMs: number;
  /** How long an accepted API key is trusted without a lookup (0: every request looks it up). */
  apiKeyCacheMs: number;
  /** On SIGTERM, how long /readyz answers 503 while requests are still served, before the api stops. */
  shutdownDrainMs: number;
  /** GET /metrics: open in development; with a token, only for `Authorization: Bearer <token>`; off in production without one. */
  metrics: { enabled: boolean; token: string | undefined };
  /** OpenTelemetry export; off when OTEL_EXPORTER_OTLP_ENDPOINT is unset. */
  tracing: { endpoint: string; serviceName: string } | undefined;
  graphiql: boolean;
  fieldSuggestions: boolean;
  anonymousIntrospection: boolean;
}

/** What the GraphQL API itself is configured with (limits, and what it shows about itself). */
export type ApiOptions = Pick<
  Config,
  | 'operationLimits'
  | 'maxRequestBodyBytes'
  | 'trustProxyHops'
  | 'requestTimeoutMs'
  | 'apiKeyCacheMs'
  | 'graphiql'
  | 'fieldSuggestions'
  | 'anonymousIntrospection'
>;

export function apiOptionsOf(config: Config): ApiOptions {
  return {
    operationLimits: config.operationLimits,
    maxRequestBodyBytes: config.maxRequestBodyBytes,
    trustProxyHops: config.trustProxyHops,
    requestTimeoutMs: config.requestTimeoutMs,
    apiKeyCacheMs: config.apiKeyCacheMs,
    graphiql: config.graphiql,
    fieldSuggestions: config.fieldSuggestions,
    anonymousIntrospection: config.anonymousIntrospection,
  };
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
  const production = e.NODE_ENV === 'production';
  // Unset: on while developing, off in production.
  const developmentOnly = (value: 'true' | 'false' | undefined) => (value ? value === 'true' : !production);
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
      ? {
          apiKey: e.OPENAI_API_KEY,
          baseUrl: e.OPENAI_BASE_URL,
          model: e.OPENAI_MODEL,
          deadlineMs: e.OPENAI_DEADLINE_MS,
        }
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
    jobs: {
      reconcileIntervalMs: e.RECONCILE_INTERVAL_SECONDS * 1000,
      reconcileLeaseMs: e.RECONCILE_LEASE_SECONDS * 1000,
      lockMs: e.JOB_LOCK_SECONDS * 1000,
      stalledCheckMs: e.JOB_STALLED_CHECK_SECONDS * 1000,
    },
    allowPrivateWebhooks: e.WEBHOOKS_ALLOW_PRIVATE === 'true',
    exports: {
      ttlMs: e.EXPORT_TTL_MINUTES * 60_000,
      batchSize: e.EXPORT_BATCH_SIZE,
      chunkBytes: e.EXPORT_CHUNK_KIB * 1024,
    },
    production,
    operationLimits:
      e.OPERATION_LIMITS === 'off'
        ? null
        : {
            maxTokens: e.MAX_QUERY_TOKENS,
            maxDepth: e.MAX_QUERY_DEPTH,
            maxCost: e.MAX_QUERY_COST,
            maxAliases: e.MAX_QUERY_ALIASES,
            maxDirectives: e.MAX_QUERY_DIRECTIVES,
            maxIntrospectionDepth: e.MAX_INTROSPECTION_DEPTH,
          },
    maxRequestBodyBytes: e.MAX_REQUEST_BODY_BYTES,
    rateLimits:
      e.RATE_LIMITS === 'off'
        ? null
        : {
            logInPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
            logInPerEmail: e.RATE_LIMIT_LOGIN_PER_EMAIL,
            logInFailuresPerEmail: e.RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL,
            signUpPerIp: e.RATE_LIMIT_SIGNUP_PER_IP,
            authFailuresPerIp: e.RATE_LIMIT_AUTH_FAILURES_PER_IP,
            apiKeyRequests: e.RATE_LIMIT_API_KEY,
            userCost: e.RATE_LIMIT_USER_COST,
          },
    rateLimitPrefix: e.RATE_LIMIT_PREFIX,
    queuePrefix: e.QUEUE_PREFIX,
    trustProxyHops: e.TRUST_PROXY,
    database: {
      poolSize: e.DATABASE_POOL_SIZE,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      workerStatementTimeoutMs: e.WORKER_STATEMENT_TIMEOUT_MS,
    },
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    apiKeyCacheMs: e.API_KEY_CACHE_SECONDS * 1000,
    // A load balancer needs a few health checks to take the process out; nothing waits for it in development.
    shutdownDrainMs: (e.SHUTDOWN_DRAIN_SECONDS ?? (production ? 5 : 0)) * 1000,
    metrics: { enabled: Boolean(e.METRICS_TOKEN) || !production, token: e.METRICS_TOKEN },
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME }
      : undefined,
    graphiql: developmentOnly(e.GRAPHIQL),
    fieldSuggestions: developmentOnly(e.GRAPHQL_FIELD_SUGGESTIONS),
    anonymousIntrospection: developmentOnly(e.INTROSPECTION_ANONYMOUS),
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
    metrics: !config.metrics.enabled
      ? 'off (set METRICS_TOKEN)'
      : config.metrics.token
        ? 'bearer token'
        : 'open',
    tracing: config.tracing ? `otlp (${new URL(config.tracing.endpoint).host})` : 'off',
  };
}
