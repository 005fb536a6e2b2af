import { checkIntegration, OpenIntegrationOptions, parseFaultSpec, SANDBOX_LIMITS, SandboxOptions, SandboxOptionsError } from '@gcm/genesys-sandbox';

/** A command-line mistake: the message names the flag and the limit, the process exits 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export const USAGE = `Usage: npm run sandbox -- [options]

  --port <n>             TCP port, 0 picks a free one (default 4010)
  --host <address>       listen address (default 127.0.0.1)
  --seed <n>             data seed (default 42)
  --conversations <n>    generated conversations (default 500)
  --days <n>             conversations start within this many days before now (default 30)
  --now <ISO-8601>       fixed "now" the data is anchored to (default: this hour)
  --messages <min-max>   messages per conversation (default 1-200)
  --faults <spec>        none | flaky | throttled | chaos, optionally with settings: flaky,reset=0.02
  --rate-limit <n>       requests per minute per OAuth client (all its tokens together, as Genesys
                         counts), with inin-ratelimit-* headers and 429s
  --clients <n>          client-credentials OAuth clients to seed, 1-64 (default 1): the first is
                         --client-id/--client-secret, the others derive from the seed; each has
                         its own --rate-limit budget
  --token-lifetime <s>   access token lifetime in seconds (default 86400)
  --job-delay-ms <ms>    analytics job time until FULFILLED (default 2000)
  --availability-lag <ms>  how far analytics jobs' data lags behind now: dataAvailabilityDate,
                         and jobs leave out conversations started after it (default 300000)
  --agent-reply-ms <ms>  simulated agent's reply delay to web messaging guests, or "off" (default 1500)
  --heartbeat-ms <ms>    notifications socket heartbeat interval (default 30000)
  --channel-lifetime-ms <ms>  notifications channel lifetime (default 86400000)
  --integration <id>=<url>,<secret>
                         an Open Messaging integration whose outbound messages are POSTed to <url>,
                         signed with <secret> (no commas in the secret); repeat for more
  --webhook-retry-ms <ms>  wait between webhook retries on the sandbox clock (default 5000)
  --client-id <id>       OAuth client id (default: derived from the seed)
  --client-secret <s>    OAuth client secret (default: derived from the seed)
  --help                 this text

When ready it prints one JSON line (clients lists every OAuth client, the first one first):
  {"event":"listening","apiBaseUrl":…,"clientId":…,"clientSecret":…,"clients":[{"clientId":…,"clientSecret":…},…],"webMessagingUrl":…,"deploymentId":…}`;

const FLAGS = [
  'port',
  'host',
  'seed',
  'conversations',
  'days',
  'now',
  'messages',
  'faults',
  'rate-limit',
  'clients',
  'token-lifetime',
  'job-delay-ms',
  'availability-lag',
  'agent-reply-ms',
  'heartbeat-ms',
  'channel-lifetime-ms',
  'integration',
  'webhook-retry-ms',
  'client-id',
  'client-secret',
] as const;
type Flag = (typeof FLAGS)[number];

function integer(flag: Flag, raw: string, range: { min: number; max: number }): number {
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new CliUsageError(`--${flag} must be an integer between ${range.min} and ${range.max} (got "${raw}")`);
  }
  return value;
}

/** Flags that may be given more than once. */
const REPEATABLE: ReadonlySet<Flag> = new Set(['integration']);

/** `<id>=<url>,<secret>`; errors never repeat the value, which holds a secret. */
function parseIntegration(raw: string): OpenIntegrationOptions {
  const eq = raw.indexOf('=');
  const comma = raw.lastIndexOf(',');
  if (eq <= 0 || comma < eq + 2 || comma === raw.length - 1) {
    throw new CliUsageError('--integration must look like <id>=<http(s) url>,<secret> (the value is not repeated here: it holds a secret)');
  }
  const integration = { id: raw.slice(0, eq), outboundNotificationWebhookUrl: raw.slice(eq + 1, comma), secret: raw.slice(comma + 1) };
  try {
    checkIntegration(integration, 'integration');
  } catch (error) {
    if (error instanceof SandboxOptionsError) throw new CliUsageError(`--integration ${integration.id}: ${error.message.replace(/^integration\./, '')}`);
    throw error;
  }
  return integration;
}

export type CliCommand = { kind: 'help' } | { kind: 'run'; options: SandboxOptions };

/** Turns argv (without node and script) into sandbox options, or explains what is wrong. */
export function parseSandboxArgs(argv: readonly string[]): CliCommand {
  const values = new Map<Flag, string>();
  const repeated = new Map<Flag, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--')) throw new CliUsageError(`unexpected argument "${arg}"; flags look like --port 4010 (see --help)`);
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(2, eq) : arg.slice(2)) as Flag;
    if (!FLAGS.includes(name)) throw new CliUsageError(`unknown flag --${name}; known flags: ${FLAGS.map((f) => `--${f}`).join(', ')}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined || value === '') throw new CliUsageError(`--${name} needs a value (see --help)`);
    if (REPEATABLE.has(name)) repeated.set(name, [...(repeated.get(name) ?? []), value]);
    else values.set(name, value);
  }

  const options: SandboxOptions = {
    port: 4010,
    seed: 42,
    conversations: 500,
  };
  for (const [flag, raw] of values) {
    switch (flag) {
      case 'port':
        options.port = integer(flag, raw, SANDBOX_LIMITS.port);
        break;
      case 'host':
        options.host = raw;
        break;
      case 'seed':
        options.seed = integer(flag, raw, SANDBOX_LIMITS.seed);
        break;
      case 'conversations':
        options.conversations = integer(flag, raw, SANDBOX_LIMITS.conversations);
        break;
      case 'days':
        options.days = integer(flag, raw, SANDBOX_LIMITS.days);
        break;
      case 'now': {
        if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || !Number.isFinite(Date.parse(raw))) {
          throw new CliUsageError(`--now must be an ISO-8601 instant such as 2025-03-01T12:00:00Z (got "${raw}")`);
        }
        options.now = raw;
        break;
      }
      case 'messages': {
        const match = /^(\d+)-(\d+)$/.exec(raw);
        const limits = SANDBOX_LIMITS.messagesPerConversation;
        const min = match ? Number(match[1]) : Number.NaN;
        const max = match ? Number(match[2]) : Number.NaN;
        if (!match || min < limits.min || max > limits.max || min > max) {
          throw new CliUsageError(`--messages must be <min>-<max> with ${limits.min} <= min <= max <= ${limits.max} (got "${raw}")`);
        }
        options.messagesPerConversation = { min, max };
        break;
      }
      case 'faults':
        try {
          parseFaultSpec(raw);
        } catch (error) {
          throw new CliUsageError(`--faults: ${(error as Error).message}`);
        }
        options.faults = raw;
        break;
      case 'rate-limit':
        options.rateLimitPerMinute = integer(flag, raw, SANDBOX_LIMITS.rateLimitPerMinute);
        break;
      case 'clients':
        options.clients = integer(flag, raw, SANDBOX_LIMITS.clients);
        break;
      case 'token-lifetime':
        options.tokenLifetimeSeconds = integer(flag, raw, SANDBOX_LIMITS.tokenLifetimeSeconds);
        break;
      case 'job-delay-ms':
        options.jobDelayMs = integer(flag, raw, SANDBOX_LIMITS.jobDelayMs);
        break;
      case 'availability-lag':
        options.availabilityLagMs = integer(flag, raw, SANDBOX_LIMITS.availabilityLagMs);
        break;
      case 'agent-reply-ms':
        if (raw === 'off') {
          options.agentReplyMs = false;
        } else {
          const { min, max } = SANDBOX_LIMITS.agentReplyMs;
          if (!/^\d+$/.test(raw) || Number(raw) > max) {
            throw new CliUsageError(`--agent-reply-ms must be "off" or an integer between ${min} and ${max} (got "${raw}")`);
          }
          options.agentReplyMs = Number(raw);
        }
        break;
      case 'heartbeat-ms':
        options.notifications = { ...options.notifications, heartbeatIntervalMs: integer(flag, raw, SANDBOX_LIMITS.heartbeatIntervalMs) };
        break;
      case 'channel-lifetime-ms':
        options.notifications = { ...options.notifications, channelLifetimeMs: integer(flag, raw, SANDBOX_LIMITS.channelLifetimeMs) };
        break;
      case 'webhook-retry-ms':
        options.webhooks = { ...options.webhooks, retryDelayMs: integer(flag, raw, SANDBOX_LIMITS.webhookRetryDelayMs) };
        break;
      case 'integration':
        break; // repeatable: handled below
      case 'client-id':
        options.clientId = raw;
        break;
      case 'client-secret':
        options.clientSecret = raw;
        break;
    }
  }
  const integrations = repeated.get('integration');
  if (integrations) {
    options.integrations = integrations.map(parseIntegration);
    const ids = options.integrations.map((i) => i.id);
    const twice = ids.find((id, n) => ids.indexOf(id) !== n);
    if (twice !== undefined) throw new CliUsageError(`--integration ${twice} is given twice`);
  }
  return { kind: 'run', options };
}
