import { hostname } from 'node:os';
import { parseArchiveWindow, type ArchiveMatch, type ArchiveWindow, type RetentionPolicy } from '@gcm/archive';
import { readOAuthClientVariables, type OAuthClientCredentials } from '@gcm/genesys-auth';
import { MAX_CHANNELS, MAX_TOPICS_PER_CHANNEL } from '@gcm/messaging-client';
import { DEFAULT_DATABASE_URL, parseStoreRetryBudget, redactDatabaseUrl } from '@gcm/store';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parseDuration } from './duration';
import { SchedulerConfigError, type ConfigProblem } from './scheduler-config.error';
import { SECRET_VARIABLES, SchedulerEnvironment } from './scheduler-environment';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The scheduler's validated, typed configuration: what the libs are given (they never read process.env). */
export interface SchedulerConfig {
  readonly genesys: {
    readonly region?: string;
    readonly apiBaseUrl?: string;
    readonly loginBaseUrl?: string;
    readonly clientId: string;
    readonly clientSecret: string;
    /**
     * More client-credentials clients of the same org (`GENESYSCLOUD_OAUTHCLIENT_ID_2` /
     * `_SECRET_2` …): the transport becomes a client pool, each client with its own token
     * and rate budget.
     */
    readonly additionalClients: readonly OAuthClientCredentials[];
    /** Requests per minute per OAuth client (Genesys' default budget is 300 per client). */
    readonly requestsPerMinute: number;
  };
  readonly databaseUrl: string;
  /** GCM_STORE_RETRY: how long a database outage is retried through before an operation fails. */
  readonly storeRetryMs: number;
  readonly archive: { readonly sink: 'filesystem' | 'database'; readonly directory: string };
  readonly auditDirectory: string;
  readonly http: { readonly host: string; readonly port: number };
  /** Five- or six-field cron expression in UTC; `off` disables the schedule. */
  readonly cron: string;
  readonly runAtStart: boolean;
  /** One-shot mode: archive this window again, then exit. */
  readonly backfill?: ArchiveWindow;
  readonly replicaId: string;
  readonly job: {
    readonly settleDelayMs: number;
    readonly startAt?: number;
    readonly initialLookbackMs: number;
    readonly maxWindowMs: number;
    readonly concurrency: number;
    readonly leaseMs: number;
    readonly maxAttempts: number;
    readonly match: ArchiveMatch;
  };
  readonly retention?: { readonly cron: string; readonly policy: RetentionPolicy };
  readonly webhook?: { readonly url: string; readonly secret: string };
  /** CRM sync: set when GCM_SCHEDULER_CRM_URL is. */
  readonly crm?: { readonly url: string; readonly secret?: string; readonly cron: string; readonly timeoutMs: number };
  /**
   * The live feed (LiveEvents → CRM outbox), run by one replica at a time under a lease in
   * the database: set when the CRM endpoint and live queues or users are, except in a backfill.
   */
  readonly live?: { readonly queueIds: readonly string[]; readonly userIds: readonly string[]; readonly leaseMs: number };
  /** QA snapshots of the previous UTC day; cron `off` disables them. */
  readonly qa: { readonly cron: string; readonly name: string; readonly queueIds?: readonly string[] };
  readonly logLevel: LogLevel;
  readonly shutdownGraceMs: number;
  /** Every secret value in the configuration, for redaction. */
  readonly secrets: readonly string[];
}

export const DEFAULTS = {
  port: 9464,
  host: '0.0.0.0',
  cron: '*/15 * * * *',
  retentionCron: '30 3 * * *',
  crmCron: '*/30 * * * * *',
  crmTimeout: '10s',
  liveLease: '30s',
  qaCron: '15 0 * * *',
  qaName: 'daily',
  archiveDir: './var/archive',
  auditDir: './var/audit',
  settleDelay: '10m',
  initialLookback: '24h',
  maxWindow: '1d',
  concurrency: 8,
  requestsPerMinute: 300,
  lease: '30s',
  maxAttempts: 5,
  shutdownGrace: '30s',
} as const;

/**
 * Validates the environment (and the `--backfill <start>/<end>` flag) and returns the
 * typed configuration. Throws one SchedulerConfigError naming every bad variable.
 */
export function loadSchedulerConfig(source: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): SchedulerConfig {
  const env = blanksAsUnset(source);
  const problems: ConfigProblem[] = [];
  const backfillFlag = readFlag(argv, '--backfill', problems);
  if (backfillFlag !== undefined) env['GCM_SCHEDULER_BACKFILL'] = backfillFlag;

  const instance = plainToInstance(SchedulerEnvironment, pickKnown(env));
  problems.push(...validateSync(instance, { forbidUnknownValues: false }).flatMap((error) => toProblems(error, env)));
  problems.push(...liveFeedProblems(env));
  const pool = readOAuthClientVariables(env);
  // one problem per variable: a missing GENESYSCLOUD_OAUTHCLIENT_ID is reported once
  problems.push(...pool.problems.filter((problem) => !problems.some((known) => known.variable === problem.variable)));
  if (problems.length > 0) throw new SchedulerConfigError(problems);

  const ms = (name: string, fallback: string) => parseDuration(env[name] ?? fallback) as number;
  const int = (name: string, fallback: number) => (env[name] === undefined ? fallback : Number(env[name]));
  const keepVersions = env['GCM_SCHEDULER_RETENTION_KEEP_VERSIONS'];
  const maxAge = env['GCM_SCHEDULER_RETENTION_MAX_AGE'];
  const retentionCron = env['GCM_SCHEDULER_RETENTION_CRON'] ?? DEFAULTS.retentionCron;
  const clientSecret = env['GENESYSCLOUD_OAUTHCLIENT_SECRET'] as string;
  const webhookSecret = env['GCM_SCHEDULER_WEBHOOK_SECRET'];
  const crmUrl = env['GCM_SCHEDULER_CRM_URL'];
  const crmSecret = env['GCM_SCHEDULER_CRM_SECRET'];
  const qaQueueIds = env['GCM_SCHEDULER_QA_QUEUE_IDS']?.split(',').map((id) => id.trim());
  const liveQueueIds = idList(env['GCM_SCHEDULER_LIVE_QUEUE_IDS']);
  const liveUserIds = idList(env['GCM_SCHEDULER_LIVE_USER_IDS']);
  const databaseUrl = env['GCM_DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
  const databasePassword = passwordOf(databaseUrl);
  return {
    genesys: {
      region: env['GENESYSCLOUD_REGION'],
      apiBaseUrl: env['GENESYSCLOUD_API_BASE_URL'],
      loginBaseUrl: env['GENESYSCLOUD_LOGIN_BASE_URL'],
      clientId: env['GENESYSCLOUD_OAUTHCLIENT_ID'] as string,
      clientSecret,
      additionalClients: pool.additionalClients,
      requestsPerMinute: int('GCM_SCHEDULER_RATE_LIMIT', DEFAULTS.requestsPerMinute),
    },
    databaseUrl,
    storeRetryMs: parseStoreRetryBudget(env['GCM_STORE_RETRY']),
    archive: {
      sink: (env['GCM_SCHEDULER_ARCHIVE_SINK'] as 'filesystem' | 'database' | undefined) ?? 'filesystem',
      directory: env['GCM_ARCHIVE_DIR'] ?? DEFAULTS.archiveDir,
    },
    auditDirectory: env['GCM_SCHEDULER_AUDIT_DIR'] ?? DEFAULTS.auditDir,
    http: { host: env['GCM_SCHEDULER_HOST'] ?? DEFAULTS.host, port: int('GCM_SCHEDULER_PORT', DEFAULTS.port) },
    cron: env['GCM_SCHEDULER_CRON'] ?? DEFAULTS.cron,
    runAtStart: /^(true|1|yes)$/i.test(env['GCM_SCHEDULER_RUN_AT_START'] ?? 'false'),
    ...(env['GCM_SCHEDULER_BACKFILL'] ? { backfill: parseArchiveWindow(env['GCM_SCHEDULER_BACKFILL']) } : {}),
    replicaId: env['GCM_SCHEDULER_REPLICA_ID'] ?? hostname(),
    job: {
      settleDelayMs: ms('GCM_SCHEDULER_SETTLE_DELAY', DEFAULTS.settleDelay),
      ...(env['GCM_SCHEDULER_START_AT'] ? { startAt: Date.parse(env['GCM_SCHEDULER_START_AT']) } : {}),
      initialLookbackMs: ms('GCM_SCHEDULER_INITIAL_LOOKBACK', DEFAULTS.initialLookback),
      maxWindowMs: ms('GCM_SCHEDULER_MAX_WINDOW', DEFAULTS.maxWindow),
      concurrency: int('GCM_SCHEDULER_CONCURRENCY', DEFAULTS.concurrency),
      leaseMs: ms('GCM_SCHEDULER_LEASE', DEFAULTS.lease),
      maxAttempts: int('GCM_SCHEDULER_MAX_ATTEMPTS', DEFAULTS.maxAttempts),
      match: (env['GCM_SCHEDULER_MATCH'] as ArchiveMatch | undefined) ?? 'activity',
    },
    ...(keepVersions !== undefined || maxAge !== undefined
      ? {
          retention: {
            cron: retentionCron,
            policy: {
              ...(keepVersions !== undefined ? { keepVersions: Number(keepVersions) } : {}),
              ...(maxAge !== undefined ? { maxAgeMs: parseDuration(maxAge) } : {}),
            },
          },
        }
      : {}),
    ...(env['GCM_SCHEDULER_WEBHOOK_URL'] && webhookSecret ? { webhook: { url: env['GCM_SCHEDULER_WEBHOOK_URL'], secret: webhookSecret } } : {}),
    ...(crmUrl
      ? {
          crm: {
            url: crmUrl,
            ...(crmSecret ? { secret: crmSecret } : {}),
            cron: env['GCM_SCHEDULER_CRM_CRON'] ?? DEFAULTS.crmCron,
            timeoutMs: ms('GCM_SCHEDULER_CRM_TIMEOUT', DEFAULTS.crmTimeout),
          },
        }
      : {}),
    ...(crmUrl && !env['GCM_SCHEDULER_BACKFILL'] && liveQueueIds.length + liveUserIds.length > 0
      ? { live: { queueIds: liveQueueIds, userIds: liveUserIds, leaseMs: ms('GCM_SCHEDULER_LIVE_LEASE', DEFAULTS.liveLease) } }
      : {}),
    qa: { cron: env['GCM_SCHEDULER_QA_CRON'] ?? DEFAULTS.qaCron, name: env['GCM_SCHEDULER_QA_NAME'] ?? DEFAULTS.qaName, ...(qaQueueIds ? { queueIds: qaQueueIds } : {}) },
    logLevel: (env['GCM_SCHEDULER_LOG_LEVEL'] as LogLevel | undefined) ?? 'info',
    shutdownGraceMs: ms('GCM_SCHEDULER_SHUTDOWN_GRACE', DEFAULTS.shutdownGrace),
    secrets: [clientSecret, ...pool.additionalClients.map((client) => client.clientSecret), webhookSecret, crmSecret, databasePassword, ...urlCredentials(env['GCM_SCHEDULER_WEBHOOK_URL']), ...urlCredentials(crmUrl)].filter(
      (secret): secret is string => typeof secret === 'string' && secret.length > 0,
    ),
  };
}

/** Notification topics one OAuth client can follow: 1,000 per channel on 20 channels (genesys-api.md §5). */
export const MAX_LIVE_TOPICS = MAX_TOPICS_PER_CHANNEL * MAX_CHANNELS;

/** Distinct ids of a comma-separated list (empty when unset). */
function idList(value: string | undefined): string[] {
  return value === undefined ? [] : [...new Set(value.split(',').map((id) => id.trim().toLowerCase()))];
}

/**
 * What the per-variable rules cannot see: the live feed writes to the CRM outbox (so it
 * needs the CRM endpoint), and each queue and user is one notification topic, of which an
 * OAuth client may hold MAX_LIVE_TOPICS.
 */
function liveFeedProblems(env: Record<string, string | undefined>): ConfigProblem[] {
  const named = (['GCM_SCHEDULER_LIVE_QUEUE_IDS', 'GCM_SCHEDULER_LIVE_USER_IDS'] as const).filter((name) => env[name] !== undefined);
  if (named.length === 0) return [];
  const problems: ConfigProblem[] = [];
  if (env['GCM_SCHEDULER_CRM_URL'] === undefined) {
    problems.push({ variable: named.join(', '), problem: 'needs GCM_SCHEDULER_CRM_URL: the live feed writes its events to the CRM outbox' });
  }
  const topics = idList(env['GCM_SCHEDULER_LIVE_QUEUE_IDS']).length + idList(env['GCM_SCHEDULER_LIVE_USER_IDS']).length;
  if (topics > MAX_LIVE_TOPICS) {
    problems.push({
      variable: named.join(', '),
      problem: `name ${topics.toLocaleString('en-US')} queues and users together: at most ${MAX_LIVE_TOPICS.toLocaleString('en-US')} (one notification topic each; Genesys allows ${MAX_TOPICS_PER_CHANNEL.toLocaleString('en-US')} topics per channel and ${MAX_CHANNELS} channels per OAuth client)`,
    });
  }
  return problems;
}

/** An empty variable (`GCM_SCHEDULER_PORT=`) means "not set", as most tools read it. */
function blanksAsUnset(source: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(source)) env[key] = value === undefined || value.trim() === '' ? undefined : value.trim();
  return env;
}

function pickKnown(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => /^(GENESYSCLOUD_|GCM_)/.test(key)));
}

function readFlag(argv: readonly string[], name: string, problems: ConfigProblem[]): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === name) {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) {
        problems.push({ variable: name, problem: 'needs a window: --backfill <start>/<end>, e.g. --backfill 2026-01-01T00:00:00Z/2026-01-02T00:00:00Z' });
        return undefined;
      }
      return value;
    }
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

function toProblems(error: ValidationError, env: Record<string, string | undefined>): ConfigProblem[] {
  const variable = error.property;
  const value = env[variable];
  const shown = value === undefined ? undefined : displayValue(variable, value);
  return Object.values(error.constraints ?? {}).map((problem) => ({ variable, ...(shown !== undefined ? { value: shown } : {}), problem }));
}

function displayValue(variable: string, value: string): string | undefined {
  if (SECRET_VARIABLES.has(variable) || /^GENESYSCLOUD_OAUTHCLIENT_SECRET_/.test(variable)) return undefined;
  if (variable === 'GCM_DATABASE_URL') return redactDatabaseUrl(value);
  return value.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

function urlCredentials(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    return [parsed.password, parsed.password ? decodeURIComponent(parsed.password) : ''].filter(Boolean);
  } catch {
    return [];
  }
}
