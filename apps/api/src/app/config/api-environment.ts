import { findRegion } from '@gcm/genesys-auth';
import { parseDatabaseUrl, parseStoreRetryBudget } from '@gcm/store';
import { IsIn, IsNotEmpty, IsOptional, registerDecorator, ValidateIf, type ValidationOptions } from 'class-validator';
import { parseApiKeys } from '../auth/api-key';
import { parseAgentlessFrom } from './agentless-from';
import { parseByteSize, parseDuration } from './units';

/** A custom rule: `check` returns the problem, or undefined when the value is fine. */
function Rule(check: (value: string) => string | undefined, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: `gcmApi${String(propertyName)}`,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        // a missing value is IsNotEmpty's (or IsOptional's) business: one message per problem
        validate: (value: unknown) => value === undefined || (typeof value === 'string' && check(value) === undefined),
        defaultMessage: (args) => (typeof args?.value === 'string' ? (check(args.value) ?? 'is invalid') : 'must be a string'),
      },
    });
  };
}

const wholeNumber = (min: number, max: number, what = 'a whole number') =>
  Rule((value) => (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max ? undefined : `must be ${what} from ${min} to ${max}`));

const flag = () => Rule((value) => (/^(true|false|1|0|yes|no|on|off)$/i.test(value) ? undefined : 'must be true or false'));

const duration = (min: number, max: number, example: string) =>
  Rule((value) => {
    const ms = parseDuration(value);
    if (ms === undefined) return `must be a duration such as ${example} (units ms, s, m, h, d)`;
    if (ms < min || ms > max) return `must be from ${min} ms to ${max} ms`;
    return undefined;
  });

const byteSize = (min: number, max: number) =>
  Rule((value) => {
    const bytes = parseByteSize(value);
    if (bytes === undefined) return 'must be a size such as 512kb or 2mb (units b, kb, mb)';
    if (bytes < min || bytes > max) return `must be from ${min} to ${max} bytes`;
    return undefined;
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

const origins = () =>
  Rule((value) => {
    const list = value.split(',').map((o) => o.trim()).filter(Boolean);
    if (list.length === 0) return 'must list at least one origin, e.g. https://app.example.com';
    const bad = list.filter((o) => {
      try {
        const url = new URL(o);
        return (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== o;
      } catch {
        return true;
      }
    });
    return bad.length === 0 ? undefined : `must be comma-separated origins such as https://app.example.com (scheme, host and port only); not usable: ${bad.join(', ')}`;
  });

const problemOf = (run: () => unknown) => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/**
 * The API's environment as class-validator rules. Every variable is checked at once, so
 * one start-up error lists everything that needs fixing. Names follow the workspace
 * configuration table (ARCHITECTURE.md); the GCM_API_* ones are this app's.
 */
export class ApiEnvironment {
  @ValidateIf((env: ApiEnvironment) => env.GENESYSCLOUD_REGION !== undefined || env.GENESYSCLOUD_API_BASE_URL === undefined)
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
  @Rule((value) => problemOf(() => parseStoreRetryBudget(value, 'GCM_STORE_RETRY')))
  GCM_STORE_RETRY?: string;

  @IsOptional()
  @IsNotEmpty()
  GCM_ARCHIVE_DIR?: string;

  @IsOptional()
  @IsNotEmpty()
  GCM_API_HOST?: string;

  @IsOptional()
  @wholeNumber(0, 65_535, 'a port number')
  GCM_API_PORT?: string;

  @IsNotEmpty({ message: 'is required: every request is refused without an API key (see apps/api/README.md, "API keys")' })
  @Rule((value) => {
    const { problems } = parseApiKeys(value);
    return problems.length === 0 ? undefined : problems.join('; ');
  })
  GCM_API_KEYS!: string;

  @IsOptional()
  @wholeNumber(1, 1_000_000, 'a whole number of requests per minute')
  GCM_API_RATE_LIMIT?: string;

  @IsOptional()
  @wholeNumber(1, 1_000_000, 'a whole number of requests per minute')
  GCM_API_ANONYMOUS_RATE_LIMIT?: string;

  @IsOptional()
  @byteSize(1_024, 64 * 1024 * 1024)
  GCM_API_BODY_LIMIT?: string;

  @IsOptional()
  @wholeNumber(2, 512, 'a whole number of levels')
  GCM_API_BODY_MAX_DEPTH?: string;

  @IsOptional()
  @wholeNumber(10, 1_000_000, 'a whole number of properties')
  GCM_API_BODY_MAX_KEYS?: string;

  @IsOptional()
  @duration(5 * 60_000, 30 * 86_400_000, '12h')
  GCM_API_REVIEW_SESSION_TTL?: string;

  @IsOptional()
  @origins()
  GCM_API_CORS_ORIGINS?: string;

  @IsOptional()
  @flag()
  GCM_API_TRUST_PROXY?: string;

  @IsOptional()
  @flag()
  GCM_API_DOCS?: string;

  @IsOptional()
  @IsNotEmpty()
  GCM_API_AUDIT_DIR?: string;

  @IsOptional()
  @IsIn(['filesystem', 'database'], { message: 'must be filesystem or database' })
  GCM_API_ARCHIVE_SINK?: string;

  @IsOptional()
  @Rule((value) => (value.length >= 16 ? undefined : 'must be at least 16 characters (the Open Messaging integration\'s outboundNotificationWebhookSignatureSecretToken)'))
  GCM_API_OPEN_MESSAGING_SECRET?: string;

  @IsOptional()
  @origins()
  GCM_API_GUEST_ORIGIN?: string;

  @IsOptional()
  @Rule((value) => (value.split(',').every((id) => /^[A-Za-z0-9-]{1,64}$/.test(id.trim())) ? undefined : 'must be comma-separated web messaging deployment ids'))
  GCM_API_DEPLOYMENT_IDS?: string;

  @IsOptional()
  @duration(1_000, 7 * 86_400_000, '15m')
  GCM_API_GUEST_IDLE_TIMEOUT?: string;

  @IsOptional()
  @wholeNumber(1, 100_000)
  GCM_API_GUEST_MAX_SESSIONS?: string;

  @IsOptional()
  @Rule((value) => problemOf(() => parseAgentlessFrom(value)))
  GCM_API_AGENTLESS_FROM?: string;

  @IsOptional()
  @wholeNumber(1, 1_000_000, 'a whole number of requests per minute')
  GCM_API_GENESYS_RATE_LIMIT?: string;

  @IsOptional()
  @wholeNumber(1, 256)
  GCM_API_GENESYS_CONCURRENCY?: string;

  @IsOptional()
  @duration(3_600_000, 3_660 * 86_400_000, '366d')
  GCM_API_SEARCH_MAX_WINDOW?: string;

  @IsOptional()
  @duration(60_000, 3_660 * 86_400_000, '31d')
  GCM_API_ARCHIVE_MAX_WINDOW?: string;

  @IsOptional()
  @Rule((value) =>
    value.split(',').every((id) => /^[A-Za-z0-9-]{1,64}$/.test(id.trim())) ? undefined : 'must be queue ids separated by commas, e.g. 3f5c…,9a1b…',
  )
  GCM_API_EVENTS_QUEUE_IDS?: string;

  @IsOptional()
  @duration(1_000, 300_000, '15s')
  GCM_API_EVENTS_HEARTBEAT?: string;

  @IsOptional()
  @IsIn(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' })
  GCM_API_LOG_LEVEL?: string;

  @IsOptional()
  @duration(0, 120_000, '10s')
  GCM_API_SHUTDOWN_GRACE?: string;
}

/** Variables whose values never appear in an error message or a log line. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(['GENESYSCLOUD_OAUTHCLIENT_SECRET', 'GCM_API_OPEN_MESSAGING_SECRET']);
