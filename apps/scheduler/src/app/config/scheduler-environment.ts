import { findRegion } from '@gcm/genesys-auth';
import { parseArchiveWindow } from '@gcm/archive';
import { parseDatabaseUrl, parseStoreRetryBudget } from '@gcm/store';
import { IsIn, IsNotEmpty, IsOptional, registerDecorator, ValidateIf, type ValidationOptions } from 'class-validator';
import { validateCronExpression } from 'cron';
import { parseDuration } from './duration';

/** A custom rule: `check` returns the problem, or undefined when the value is fine. */
function Rule(check: (value: string) => string | undefined, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    const name = `gcm${String(propertyName)}`;
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        // an unset variable is IsOptional's or IsNotEmpty's business: one problem per variable
        validate: (value: unknown) => value === undefined || (typeof value === 'string' && check(value) === undefined),
        defaultMessage: (args) => (typeof args?.value === 'string' ? (check(args.value) ?? 'is invalid') : 'must be a string'),
      },
    });
  };
}

const duration = (min: number, example: string) =>
  Rule((value) => {
    const ms = parseDuration(value);
    if (ms === undefined) return `must be a duration such as ${example} (units ms, s, m, h, d)`;
    if (ms < min) return `must be at least ${min} ms`;
    return undefined;
  });

const wholeNumber = (min: number, max: number, what = 'a whole number') =>
  Rule((value) => (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max ? undefined : `must be ${what} from ${min} to ${max}`));

const flag = () => Rule((value) => (/^(true|false|1|0|yes|no)$/i.test(value) ? undefined : 'must be true or false'));

const cron = () =>
  Rule((value) => {
    if (value === 'off') return undefined;
    const result = validateCronExpression(value);
    return result.valid ? undefined : `must be a cron expression such as "*/15 * * * *" (or "off"): ${result.error?.message ?? 'unreadable'}`;
  });

const httpUrl = () =>
  Rule((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'must be an http(s) URL';
    } catch {
      return 'must be an absolute http(s) URL';
    }
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Genesys ids (UUIDs) separated by commas. */
const uuidList = (what: string) =>
  Rule((value) => {
    const bad = value.split(',').map((id) => id.trim()).find((id) => !UUID.test(id));
    return bad === undefined ? undefined : `must be ${what} ids (UUIDs) separated by commas; ${JSON.stringify(bad.slice(0, 40))} is not one`;
  });

const instant = () =>
  Rule((value) => (/(Z|[+-]\d\d:?\d\d)$/i.test(value) && Number.isFinite(Date.parse(value)) ? undefined : 'must be an ISO-8601 instant with a zone, e.g. 2026-01-01T00:00:00Z'));

const problemOf = (run: () => unknown) => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/**
 * The scheduler's environment as class-validator rules. Every variable is checked at
 * once, so one start-up error lists everything that needs fixing. Names follow
 * the README ("Configuration"), the same in every program; the GCM_SCHEDULER_* ones are this app's.
 */
export class SchedulerEnvironment {
  @ValidateIf((env: SchedulerEnvironment) => env.GENESYSCLOUD_REGION !== undefined || env.GENESYSCLOUD_API_BASE_URL === undefined)
  @IsNotEmpty({ message: 'is required unless GENESYSCLOUD_API_BASE_URL is set: a region such as us-east-1 or eu-west-1' })
  @Rule((value) => (findRegion(value) ? undefined : 'is not a Genesys Cloud region (e.g. us-east-1, eu-west-1, ap-southeast-2) or domain'))
  GENESYSCLOUD_REGION?: string;

  @IsNotEmpty({ message: 'is required: the OAuth client id (client credentials grant)' })
  GENESYSCLOUD_OAUTHCLIENT_ID!: string;

  @IsNotEmpty({ message: 'is required: the OAuth client secret' })
  GENESYSCLOUD_OAUTHCLIENT_SECRET!: string;

  @IsOptional()
  @httpUrl()
  GENESYSCLOUD_API_BASE_URL?: string;

  @IsOptional()
  @httpUrl()
  GENESYSCLOUD_LOGIN_BASE_URL?: string;

  @IsOptional()
  @Rule((value) => problemOf(() => parseDatabaseUrl(value, 'GCM_DATABASE_URL')))
  GCM_DATABASE_URL?: string;

  @IsOptional()
  @IsNotEmpty()
  GCM_ARCHIVE_DIR?: string;

  @IsOptional()
  @IsIn(['filesystem', 'database'], { message: 'must be filesystem or database' })
  GCM_SCHEDULER_ARCHIVE_SINK?: string;

  @IsOptional()
  @IsNotEmpty()
  GCM_SCHEDULER_AUDIT_DIR?: string;

  @IsOptional()
  @wholeNumber(0, 65_535, 'a port number')
  GCM_SCHEDULER_PORT?: string;

  @IsOptional()
  @IsNotEmpty()
  GCM_SCHEDULER_HOST?: string;

  @IsOptional()
  @cron()
  GCM_SCHEDULER_CRON?: string;

  @IsOptional()
  @flag()
  GCM_SCHEDULER_RUN_AT_START?: string;

  @IsOptional()
  @Rule((value) => problemOf(() => parseArchiveWindow(value)))
  GCM_SCHEDULER_BACKFILL?: string;

  @IsOptional()
  @Rule((value) => (/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(value) ? undefined : 'must be 1-100 letters, digits, ".", "_", ":" or "-"'))
  GCM_SCHEDULER_REPLICA_ID?: string;

  @IsOptional()
  @duration(0, '10m')
  GCM_SCHEDULER_SETTLE_DELAY?: string;

  @IsOptional()
  @instant()
  GCM_SCHEDULER_START_AT?: string;

  @IsOptional()
  @duration(1, '24h')
  GCM_SCHEDULER_INITIAL_LOOKBACK?: string;

  @IsOptional()
  @duration(60_000, '1d')
  GCM_SCHEDULER_MAX_WINDOW?: string;

  @IsOptional()
  @wholeNumber(1, 256)
  GCM_SCHEDULER_CONCURRENCY?: string;

  @IsOptional()
  @wholeNumber(1, 1_000_000)
  GCM_SCHEDULER_RATE_LIMIT?: string;

  @IsOptional()
  @duration(1_000, '5m')
  GCM_SCHEDULER_LEASE?: string;

  @IsOptional()
  @Rule((value) => {
    try {
      parseStoreRetryBudget(value, 'GCM_STORE_RETRY');
      return undefined;
    } catch {
      return 'must be a duration from 0 to 1h such as 60s (units ms, s, m, h)';
    }
  })
  GCM_STORE_RETRY?: string;

  @IsOptional()
  @wholeNumber(1, 100)
  GCM_SCHEDULER_MAX_ATTEMPTS?: string;

  @IsOptional()
  @IsIn(['activity', 'started'], { message: 'must be activity or started' })
  GCM_SCHEDULER_MATCH?: string;

  @IsOptional()
  @cron()
  GCM_SCHEDULER_RETENTION_CRON?: string;

  @IsOptional()
  @wholeNumber(1, 1_000_000)
  GCM_SCHEDULER_RETENTION_KEEP_VERSIONS?: string;

  @IsOptional()
  @duration(60_000, '365d')
  GCM_SCHEDULER_RETENTION_MAX_AGE?: string;

  @ValidateIf((env: SchedulerEnvironment) => env.GCM_SCHEDULER_WEBHOOK_URL !== undefined || env.GCM_SCHEDULER_WEBHOOK_SECRET !== undefined)
  @IsNotEmpty({ message: 'is required when GCM_SCHEDULER_WEBHOOK_SECRET is set' })
  @httpUrl()
  GCM_SCHEDULER_WEBHOOK_URL?: string;

  @ValidateIf((env: SchedulerEnvironment) => env.GCM_SCHEDULER_WEBHOOK_URL !== undefined || env.GCM_SCHEDULER_WEBHOOK_SECRET !== undefined)
  @IsNotEmpty({ message: 'is required when GCM_SCHEDULER_WEBHOOK_URL is set: a whsec_ secret (Standard Webhooks)' })
  @Rule((value) => (/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/.test(value) ? undefined : 'must look like whsec_<base64 of at least 16 random bytes>'))
  GCM_SCHEDULER_WEBHOOK_SECRET?: string;

  @ValidateIf((env: SchedulerEnvironment) => env.GCM_SCHEDULER_CRM_URL !== undefined || env.GCM_SCHEDULER_CRM_SECRET !== undefined)
  @IsNotEmpty({ message: 'is required when GCM_SCHEDULER_CRM_SECRET is set' })
  @httpUrl()
  GCM_SCHEDULER_CRM_URL?: string;

  @IsOptional()
  @Rule((value) => (/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/.test(value) ? undefined : 'must look like whsec_<base64 of at least 16 random bytes>'))
  GCM_SCHEDULER_CRM_SECRET?: string;

  @IsOptional()
  @cron()
  GCM_SCHEDULER_CRM_CRON?: string;

  @IsOptional()
  @duration(100, '10s')
  GCM_SCHEDULER_CRM_TIMEOUT?: string;

  @IsOptional()
  @uuidList('queue')
  GCM_SCHEDULER_LIVE_QUEUE_IDS?: string;

  @IsOptional()
  @uuidList('user')
  GCM_SCHEDULER_LIVE_USER_IDS?: string;

  @IsOptional()
  @duration(3_000, '30s')
  GCM_SCHEDULER_LIVE_LEASE?: string;

  @IsOptional()
  @cron()
  GCM_SCHEDULER_QA_CRON?: string;

  @IsOptional()
  @Rule((value) => (/^[A-Za-z0-9_.-]{1,64}$/.test(value) ? undefined : 'must be 1 to 64 letters, digits, ".", "_" or "-"'))
  GCM_SCHEDULER_QA_NAME?: string;

  @IsOptional()
  @Rule((value) =>
    value.split(',').every((id) => /^[A-Za-z0-9-]{1,64}$/.test(id.trim())) ? undefined : 'must be queue ids separated by commas, e.g. 3f5c…,9a1b…',
  )
  GCM_SCHEDULER_QA_QUEUE_IDS?: string;

  @IsOptional()
  @IsIn(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' })
  GCM_SCHEDULER_LOG_LEVEL?: string;

  @IsOptional()
  @duration(0, '30s')
  GCM_SCHEDULER_SHUTDOWN_GRACE?: string;
}

/** Variables whose values never appear in an error message or a log line. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(['GENESYSCLOUD_OAUTHCLIENT_SECRET', 'GCM_SCHEDULER_WEBHOOK_SECRET', 'GCM_SCHEDULER_CRM_SECRET']);
