import { resolve } from 'node:path';
import { DEFAULT_DATABASE_URL, parseStoreRetryBudget } from '@gcm/store';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parseApiKeys, type ApiKeyDefinition } from '../auth/api-key';
import { parseAgentlessFrom, type AgentlessFrom } from './agentless-from';
import { ApiEnvironment, SECRET_VARIABLES } from './api-environment';
import { ApiConfigError } from './api-config.error';
import { parseByteSize, parseDuration } from './units';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const DAY = 86_400_000;

/** Everything the API needs, typed and validated; built from the environment by `loadApiConfig`. */
export interface ApiConfig {
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    /** The deepest nesting of objects and arrays a JSON body may have (the body itself is level 1). */
    readonly bodyMaxDepth: number;
    /** The most object properties a JSON body may have, counted over every level. */
    readonly bodyMaxKeys: number;
    /** Allowed CORS origins; undefined: CORS is off (no Access-Control-* headers at all). */
    readonly corsOrigins?: readonly string[];
    readonly trustProxy: boolean;
    readonly docs: boolean;
    readonly shutdownGraceMs: number;
  };
  readonly auth: {
    readonly keys: readonly ApiKeyDefinition[];
    readonly requestsPerMinute: number;
    readonly anonymousRequestsPerMinute: number;
    /** How long a review session lasts after sign-in. */
    readonly reviewSessionTtlMs: number;
  };
  readonly genesys: {
    readonly region?: string;
    readonly apiBaseUrl?: string;
    readonly loginBaseUrl?: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly requestsPerMinute: number;
    readonly maxConcurrency: number;
  };
  /** `retryMs`: GCM_STORE_RETRY, how long a database outage is retried through before a request fails. */
  readonly database: { readonly url: string; readonly retryMs: number };
  readonly archive: {
    readonly sink: 'filesystem' | 'database';
    readonly dir: string;
    /** The longest window one POST /archives may backfill. */
    readonly maxWindowMs: number;
  };
  /** The longest window one search may cover: every day of it costs Genesys requests. */
  readonly search: { readonly maxWindowMs: number };
  /** Queues `GET /v1/events` follows when a request names none; how often an idle stream gets a `: heartbeat` comment. */
  readonly events: { readonly queueIds: readonly string[]; readonly heartbeatMs: number };
  readonly audit: { readonly dir: string };
  readonly guest: {
    readonly origin?: string;
    /** Deployments a session may be opened for; undefined: any. */
    readonly deploymentIds?: readonly string[];
    readonly idleTimeoutMs: number;
    readonly maxSessions: number;
  };
  readonly agentlessFrom?: AgentlessFrom;
  readonly openMessaging: { readonly secret?: string };
  readonly logLevel: LogLevel;
}

const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
const isTrue = (value: string | undefined, fallback: boolean) => (value === undefined ? fallback : /^(true|1|yes|on)$/i.test(value));

/**
 * Validates the environment (empty strings count as unset) and builds the config, or
 * throws ApiConfigError listing every variable that needs fixing — values of secret
 * variables are never shown.
 */
export function loadApiConfig(rawEnv: Readonly<Record<string, string | undefined>>): ApiConfig {
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const instance = plainToInstance(ApiEnvironment, env);
  const errors = validateSync(instance, { forbidUnknownValues: false });
  if (errors.length > 0) throw new ApiConfigError(errors.map((error) => describe(error, env)));

  const e = instance;
  return {
    http: {
      host: e.GCM_API_HOST ?? '127.0.0.1',
      port: e.GCM_API_PORT === undefined ? 3000 : Number(e.GCM_API_PORT),
      bodyLimitBytes: e.GCM_API_BODY_LIMIT === undefined ? 1024 * 1024 : (parseByteSize(e.GCM_API_BODY_LIMIT) as number),
      bodyMaxDepth: e.GCM_API_BODY_MAX_DEPTH === undefined ? 32 : Number(e.GCM_API_BODY_MAX_DEPTH),
      bodyMaxKeys: e.GCM_API_BODY_MAX_KEYS === undefined ? 1_000 : Number(e.GCM_API_BODY_MAX_KEYS),
      ...(e.GCM_API_CORS_ORIGINS !== undefined ? { corsOrigins: list(e.GCM_API_CORS_ORIGINS) } : {}),
      trustProxy: isTrue(e.GCM_API_TRUST_PROXY, false),
      docs: isTrue(e.GCM_API_DOCS, true),
      shutdownGraceMs: e.GCM_API_SHUTDOWN_GRACE === undefined ? 10_000 : (parseDuration(e.GCM_API_SHUTDOWN_GRACE) as number),
    },
    auth: {
      keys: parseApiKeys(e.GCM_API_KEYS).keys,
      requestsPerMinute: e.GCM_API_RATE_LIMIT === undefined ? 600 : Number(e.GCM_API_RATE_LIMIT),
      anonymousRequestsPerMinute: e.GCM_API_ANONYMOUS_RATE_LIMIT === undefined ? 600 : Number(e.GCM_API_ANONYMOUS_RATE_LIMIT),
      reviewSessionTtlMs: e.GCM_API_REVIEW_SESSION_TTL === undefined ? 12 * 3_600_000 : (parseDuration(e.GCM_API_REVIEW_SESSION_TTL) as number),
    },
    genesys: {
      ...(e.GENESYSCLOUD_REGION !== undefined ? { region: e.GENESYSCLOUD_REGION } : {}),
      ...(e.GENESYSCLOUD_API_BASE_URL !== undefined ? { apiBaseUrl: e.GENESYSCLOUD_API_BASE_URL } : {}),
      ...(e.GENESYSCLOUD_LOGIN_BASE_URL !== undefined ? { loginBaseUrl: e.GENESYSCLOUD_LOGIN_BASE_URL } : {}),
      clientId: e.GENESYSCLOUD_OAUTHCLIENT_ID,
      clientSecret: e.GENESYSCLOUD_OAUTHCLIENT_SECRET,
      requestsPerMinute: e.GCM_API_GENESYS_RATE_LIMIT === undefined ? 300 : Number(e.GCM_API_GENESYS_RATE_LIMIT),
      maxConcurrency: e.GCM_API_GENESYS_CONCURRENCY === undefined ? 8 : Number(e.GCM_API_GENESYS_CONCURRENCY),
    },
    database: { url: e.GCM_DATABASE_URL ?? DEFAULT_DATABASE_URL, retryMs: parseStoreRetryBudget(e.GCM_STORE_RETRY) },
    archive: {
      sink: (e.GCM_API_ARCHIVE_SINK as 'filesystem' | 'database' | undefined) ?? 'filesystem',
      dir: resolve(e.GCM_ARCHIVE_DIR ?? './var/archive'),
      maxWindowMs: e.GCM_API_ARCHIVE_MAX_WINDOW === undefined ? 31 * DAY : (parseDuration(e.GCM_API_ARCHIVE_MAX_WINDOW) as number),
    },
    events: {
      queueIds: e.GCM_API_EVENTS_QUEUE_IDS?.split(',').map((id) => id.trim()) ?? [],
      heartbeatMs: e.GCM_API_EVENTS_HEARTBEAT === undefined ? 15_000 : (parseDuration(e.GCM_API_EVENTS_HEARTBEAT) as number),
    },
    search: { maxWindowMs: e.GCM_API_SEARCH_MAX_WINDOW === undefined ? 366 * DAY : (parseDuration(e.GCM_API_SEARCH_MAX_WINDOW) as number) },
    audit: { dir: resolve(e.GCM_API_AUDIT_DIR ?? './var/audit/api') },
    guest: {
      ...(e.GCM_API_GUEST_ORIGIN !== undefined ? { origin: e.GCM_API_GUEST_ORIGIN.trim() } : {}),
      ...(e.GCM_API_DEPLOYMENT_IDS !== undefined ? { deploymentIds: list(e.GCM_API_DEPLOYMENT_IDS) } : {}),
      idleTimeoutMs: e.GCM_API_GUEST_IDLE_TIMEOUT === undefined ? 15 * 60_000 : (parseDuration(e.GCM_API_GUEST_IDLE_TIMEOUT) as number),
      maxSessions: e.GCM_API_GUEST_MAX_SESSIONS === undefined ? 500 : Number(e.GCM_API_GUEST_MAX_SESSIONS),
    },
    ...(e.GCM_API_AGENTLESS_FROM !== undefined ? { agentlessFrom: parseAgentlessFrom(e.GCM_API_AGENTLESS_FROM) } : {}),
    openMessaging: { ...(e.GCM_API_OPEN_MESSAGING_SECRET !== undefined ? { secret: e.GCM_API_OPEN_MESSAGING_SECRET } : {}) },
    logLevel: (e.GCM_API_LOG_LEVEL as LogLevel | undefined) ?? 'info',
  };
}

function describe(error: ValidationError, env: Record<string, string | undefined>): string {
  const name = error.property;
  const value = env[name];
  const shown = value === undefined ? '' : SECRET_VARIABLES.has(name) ? ' (value hidden)' : ` ("${value.length > 80 ? `${value.slice(0, 80)}…` : value}")`;
  const reasons = [...new Set(Object.values(error.constraints ?? {}))];
  return `${name}${shown} ${reasons.join('; ')}`;
}

/** The secrets of a config: scrubbed from every log line and error the API writes. */
export function configSecrets(config: ApiConfig): string[] {
  return [config.genesys.clientSecret, config.openMessaging.secret].filter((s): s is string => typeof s === 'string' && s !== '');
}
