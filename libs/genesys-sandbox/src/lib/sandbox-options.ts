import { SANDBOX_RECORD_DIR_VARIABLE } from './record/traffic-recorder';
import { SandboxClock, shiftedSystemClock, systemClock, toEpochMs } from './clock/sandbox-clock';
import { FaultConfig, FaultConfigError, resolveFaultSettings } from './faults/fault-profiles';
import { seededUuid, SeededRandom } from './random/seeded-random';
import type { SandboxPlugin } from './sandbox-plugin';

export interface SandboxOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Everything generated derives from it. Default 1. */
  seed?: number;
  /** Generated conversations. Default 200. */
  conversations?: number;
  /** Conversations start within this many days before `now`. Default 30. */
  days?: number;
  /**
   * The fixed "now" generation is anchored to. Default: the clock's time, rounded down to
   * the hour (so data stays the same within the hour).
   */
  now?: Date | string | number;
  /**
   * The runtime clock (token expiry, rate-limit windows, analytics jobs, timestamps of new
   * messages). Default: real time shifted to read `now` at start-up when `now` is given,
   * real time otherwise. Pass a ManualClock for byte-identical runs and fake-time tests.
   */
  clock?: SandboxClock;
  /** Access token lifetime. Default 86,400 s (the Genesys default). */
  tokenLifetimeSeconds?: number;
  /** Default: derived from the seed. */
  clientId?: string;
  clientSecret?: string;
  /**
   * Client-credentials OAuth clients of the org, 1 (default) to 64: the first is
   * `clientId`/`clientSecret`, the others' ids and secrets derive from the seed. Each has
   * its own rate budget, as in Genesys Cloud (a client pool multiplies the budget).
   */
  clients?: number;
  /** Fault profile name, spec string (`flaky,reset=0.02`) or settings. Default none. */
  faults?: FaultConfig;
  /**
   * Requests per minute per OAuth client (all its tokens together, as Genesys counts them),
   * overriding the fault profile's.
   */
  rateLimitPerMinute?: number;
  /** Analytics job time from submission to FULFILLED, on the clock. Default 2,000 ms. */
  jobDelayMs?: number;
  /** How long job results stay available before EXPIRED. Default 24 h. */
  jobTtlMs?: number;
  /**
   * How far analytics jobs lag behind now: `dataAvailabilityDate` is now minus this (to the
   * minute), and a job leaves out conversations that started after it, as the data lake of a
   * real org does. The details query is not affected. Default 300,000 ms (5 minutes).
   */
  availabilityLagMs?: number;
  /** Messages per generated conversation. Default 1–200. */
  messagesPerConversation?: { min: number; max: number };
  /** Largest accepted media upload. Default 10 MB. */
  uploadMaxBytes?: number;
  /** Hits per page of the participant attribute search. Default 25. */
  attributeSearchPageSize?: number;
  /** Used for injected latency. Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called with unexpected handler errors (they are answered with a 500). */
  onError?: (error: unknown, where: { method: string; path: string }) => void;
  /**
   * Delay, on the sandbox clock, before the simulated agent answers a web messaging guest's
   * text message (one reply per message). `false` turns the simulated agent off. Default 1,500 ms.
   */
  agentReplyMs?: number | false;
  /** The web messaging deployment's session settings (what SessionResponse announces and enforces). */
  webMessaging?: WebMessagingOptions;
  /** Notifications channels and their socket. */
  notifications?: NotificationsOptions;
  /**
   * Open Messaging integrations with an outbound webhook. An id of a catalog integration
   * gives it the webhook; a new id adds an integration. Secrets never leave the sandbox
   * except as the X-Hub-Signature-256 of each POST.
   */
  integrations?: OpenIntegrationOptions[];
  /** Delivery of outbound Open Messaging webhooks. */
  webhooks?: WebhookDeliveryOptions;
  /** Extra route modules / WebSocket handlers. */
  plugins?: SandboxPlugin[];
  /**
   * Records what the sandbox sends (REST bodies by route, notification and guest frames) as
   * JSON lines in this directory, for the contract check against the SDK's models. Default:
   * the `GCM_SANDBOX_RECORD_DIR` environment variable, else off.
   */
  recordDir?: string;
}

/** A client-credentials OAuth client of the emulated org. */
export interface SandboxOAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface WebMessagingOptions {
  /** SessionResponse.durationSeconds: a session expires this long after it started. Default 259,200 (72 h). */
  sessionDurationSeconds?: number;
  /** Longest guest text in characters (Unicode code points); longer gets 4011. Default 2,000. */
  maxTextLength?: number;
  /** SessionResponse.maxCustomDataBytes; larger custom attributes get 4013. Default 2,048. */
  maxCustomDataBytes?: number;
  /** onMessage requests per session per second; more get 4029. Default 2. */
  messagesPerSecond?: number;
  /** allowedMedia.inbound.fileTypes: MIME types; `image/*` style and the any-type wildcard are allowed. */
  allowedFileTypes?: string[];
  /** allowedMedia.inbound.maxFileSizeKB. Default 10,240. */
  maxFileSizeKB?: number;
  /** Refused file extensions, with the dot. */
  blockedExtensions?: string[];
  /** Lifetime of the guest JWT of getJwt. Default 3,600 s. */
  jwtLifetimeSeconds?: number;
}

export interface NotificationsOptions {
  /** Heartbeat interval of a connected channel socket, on the sandbox clock. Default 30,000 ms. */
  heartbeatIntervalMs?: number;
  /** Channel lifetime. Default 24 h. */
  channelLifetimeMs?: number;
  /** How long before expiry v2.system.socket_closing is sent. Default 60,000 ms (half the lifetime if that is shorter). */
  closingNoticeMs?: number;
  /** Channels per OAuth client; one more evicts the least recently used. Default 20. */
  channelsPerClient?: number;
}

export interface OpenIntegrationOptions {
  id: string;
  outboundNotificationWebhookUrl: string;
  /** outboundNotificationWebhookSignatureSecretToken. */
  secret: string;
  name?: string;
}

export interface WebhookDeliveryOptions {
  /** Wait between attempts, on the sandbox clock. Default 5,000 ms (the documented Genesys value). */
  retryDelayMs?: number;
  /** Retries after the first attempt on a timeout, 429 or 5xx. Default 5. */
  maxRetries?: number;
  /** Real-time limit for one POST. Default 10,000 ms (the documented Genesys value). */
  timeoutMs?: number;
}

export interface ResolvedWebMessagingOptions {
  sessionDurationSeconds: number;
  maxTextLength: number;
  maxCustomDataBytes: number;
  messagesPerSecond: number;
  allowedFileTypes: string[];
  maxFileSizeKB: number;
  blockedExtensions: string[];
  jwtLifetimeSeconds: number;
}

export interface ResolvedNotificationsOptions {
  heartbeatIntervalMs: number;
  channelLifetimeMs: number;
  closingNoticeMs: number;
  channelsPerClient: number;
}

export type ResolvedWebhookDeliveryOptions = Required<WebhookDeliveryOptions>;

export const DEFAULT_GUEST_FILE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'application/pdf', 'video/mp4', 'audio/mpeg'];
export const DEFAULT_BLOCKED_EXTENSIONS: readonly string[] = ['.exe', '.bat', '.cmd', '.com', '.msi', '.scr', '.vbs', '.js', '.jar', '.ps1'];

/** Limits the options are checked against (also used by the CLI). */
export const SANDBOX_LIMITS = {
  conversations: { min: 0, max: 1_000_000 },
  days: { min: 1, max: 3650 },
  messagesPerConversation: { min: 1, max: 10_000 },
  tokenLifetimeSeconds: { min: 1, max: 172_800 },
  rateLimitPerMinute: { min: 1, max: 1_000_000 },
  clients: { min: 1, max: 64 },
  jobDelayMs: { min: 0, max: 3_600_000 },
  availabilityLagMs: { min: 0, max: 7 * 86_400_000 },
  agentReplyMs: { min: 0, max: 86_400_000 },
  heartbeatIntervalMs: { min: 1, max: 3_600_000 },
  channelLifetimeMs: { min: 1_000, max: 7 * 86_400_000 },
  webhookRetryDelayMs: { min: 0, max: 3_600_000 },
  port: { min: 0, max: 65_535 },
  seed: { min: 0, max: 4_294_967_295 },
} as const;

export class SandboxOptionsError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxOptionsError';
  }
}

export interface ResolvedSandboxOptions {
  port: number;
  host: string;
  seed: number;
  conversations: number;
  days: number;
  nowMs: number;
  clock: SandboxClock;
  tokenLifetimeSeconds: number;
  clientId: string;
  clientSecret: string;
  /** Every OAuth client, the first being clientId/clientSecret. */
  clients: SandboxOAuthClient[];
  faults: FaultConfig | undefined;
  rateLimitPerMinute: number | undefined;
  jobDelayMs: number;
  jobTtlMs: number;
  availabilityLagMs: number;
  messagesMin: number;
  messagesMax: number;
  uploadMaxBytes: number;
  attributeSearchPageSize: number;
  sleep: (ms: number) => Promise<void>;
  onError: (error: unknown, where: { method: string; path: string }) => void;
  agentReplyMs: number | false;
  webMessaging: ResolvedWebMessagingOptions;
  notifications: ResolvedNotificationsOptions;
  integrations: OpenIntegrationOptions[];
  webhooks: ResolvedWebhookDeliveryOptions;
  plugins: SandboxPlugin[];
  recordDir: string | undefined;
}

function integerIn(option: string, value: number | undefined, fallback: number, range: { min: number; max: number }): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < range.min || v > range.max) {
    throw new SandboxOptionsError(option, `${option} must be an integer between ${range.min} and ${range.max}, got ${String(value)}`);
  }
  return v;
}

const HOUR = 3_600_000;

export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const seed = integerIn('seed', options.seed, 1, SANDBOX_LIMITS.seed);
  const messages = options.messagesPerConversation ?? { min: 1, max: 200 };
  const messagesMin = integerIn('messagesPerConversation.min', messages.min, 1, SANDBOX_LIMITS.messagesPerConversation);
  const messagesMax = integerIn('messagesPerConversation.max', messages.max, 200, SANDBOX_LIMITS.messagesPerConversation);
  if (messagesMax < messagesMin) {
    throw new SandboxOptionsError('messagesPerConversation', `messagesPerConversation.max (${messagesMax}) is below min (${messagesMin})`);
  }
  let nowMs: number;
  let clock = options.clock;
  try {
    if (options.now !== undefined) {
      nowMs = toEpochMs(options.now);
      clock ??= shiftedSystemClock(nowMs);
    } else {
      clock ??= systemClock;
      nowMs = Math.floor(clock.now() / HOUR) * HOUR;
    }
  } catch (error) {
    throw new SandboxOptionsError('now', (error as Error).message);
  }
  try {
    resolveFaultSettings(options.faults);
  } catch (error) {
    if (error instanceof FaultConfigError) throw new SandboxOptionsError('faults', error.message);
    throw error;
  }
  const rateLimitPerMinute =
    options.rateLimitPerMinute === undefined
      ? undefined
      : integerIn('rateLimitPerMinute', options.rateLimitPerMinute, 0, SANDBOX_LIMITS.rateLimitPerMinute);
  const secretStream = SeededRandom.derive(seed, 'oauth-client-secret');
  const clientId = options.clientId ?? seededUuid(seed, 'oauth-client-id');
  const clientSecret = options.clientSecret ?? secretStream.base64url(32);
  const clientCount = integerIn('clients', options.clients, 1, SANDBOX_LIMITS.clients);
  const clients: SandboxOAuthClient[] = [{ clientId, clientSecret }];
  for (let n = 2; n <= clientCount; n++) {
    clients.push({ clientId: seededUuid(seed, 'oauth-client-id', n), clientSecret: SeededRandom.derive(seed, 'oauth-client-secret', n).base64url(32) });
  }
  return {
    port: integerIn('port', options.port, 0, SANDBOX_LIMITS.port),
    host: options.host ?? '127.0.0.1',
    seed,
    conversations: integerIn('conversations', options.conversations, 200, SANDBOX_LIMITS.conversations),
    days: integerIn('days', options.days, 30, SANDBOX_LIMITS.days),
    nowMs,
    clock,
    tokenLifetimeSeconds: integerIn('tokenLifetimeSeconds', options.tokenLifetimeSeconds, 86_400, SANDBOX_LIMITS.tokenLifetimeSeconds),
    clientId,
    clientSecret,
    clients,
    faults: options.faults,
    rateLimitPerMinute,
    jobDelayMs: integerIn('jobDelayMs', options.jobDelayMs, 2000, SANDBOX_LIMITS.jobDelayMs),
    jobTtlMs: integerIn('jobTtlMs', options.jobTtlMs, 24 * HOUR, { min: 1, max: 365 * 24 * HOUR }),
    availabilityLagMs: integerIn('availabilityLagMs', options.availabilityLagMs, 5 * 60_000, SANDBOX_LIMITS.availabilityLagMs),
    messagesMin,
    messagesMax,
    uploadMaxBytes: integerIn('uploadMaxBytes', options.uploadMaxBytes, 10 * 1024 * 1024, { min: 1, max: 200 * 1024 * 1024 }),
    attributeSearchPageSize: integerIn('attributeSearchPageSize', options.attributeSearchPageSize, 25, { min: 1, max: 1000 }),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    onError: options.onError ?? (() => undefined),
    agentReplyMs:
      options.agentReplyMs === false ? false : integerIn('agentReplyMs', options.agentReplyMs, 1500, SANDBOX_LIMITS.agentReplyMs),
    webMessaging: resolveWebMessaging(options.webMessaging ?? {}),
    notifications: resolveNotifications(options.notifications ?? {}),
    integrations: resolveIntegrations(options.integrations ?? []),
    webhooks: {
      retryDelayMs: integerIn('webhooks.retryDelayMs', options.webhooks?.retryDelayMs, 5000, SANDBOX_LIMITS.webhookRetryDelayMs),
      maxRetries: integerIn('webhooks.maxRetries', options.webhooks?.maxRetries, 5, { min: 0, max: 100 }),
      timeoutMs: integerIn('webhooks.timeoutMs', options.webhooks?.timeoutMs, 10_000, { min: 1, max: 600_000 }),
    },
    plugins: options.plugins ?? [],
    // the one environment read of the sandbox: test instrumentation, so a whole suite records without each spec opting in
    recordDir: options.recordDir ?? (process.env[SANDBOX_RECORD_DIR_VARIABLE] || undefined),
  };
}

function resolveWebMessaging(o: WebMessagingOptions): ResolvedWebMessagingOptions {
  const fileTypes = o.allowedFileTypes ?? [...DEFAULT_GUEST_FILE_TYPES];
  for (const type of fileTypes) {
    if (typeof type !== 'string' || !/^(\*|[\w.+-]+)\/(\*|[\w.+-]+)$/.test(type)) {
      throw new SandboxOptionsError('webMessaging.allowedFileTypes', `webMessaging.allowedFileTypes entries must be MIME types such as image/png or image/*, got ${JSON.stringify(type)}`);
    }
  }
  const blocked = o.blockedExtensions ?? [...DEFAULT_BLOCKED_EXTENSIONS];
  for (const extension of blocked) {
    if (typeof extension !== 'string' || !/^\.[^./\\]+$/.test(extension)) {
      throw new SandboxOptionsError('webMessaging.blockedExtensions', `webMessaging.blockedExtensions entries look like .exe, got ${JSON.stringify(extension)}`);
    }
  }
  return {
    sessionDurationSeconds: integerIn('webMessaging.sessionDurationSeconds', o.sessionDurationSeconds, 259_200, { min: 1, max: 31_536_000 }),
    maxTextLength: integerIn('webMessaging.maxTextLength', o.maxTextLength, 2000, { min: 1, max: 1_000_000 }),
    maxCustomDataBytes: integerIn('webMessaging.maxCustomDataBytes', o.maxCustomDataBytes, 2048, { min: 0, max: 1_000_000 }),
    messagesPerSecond: integerIn('webMessaging.messagesPerSecond', o.messagesPerSecond, 2, { min: 1, max: 10_000 }),
    allowedFileTypes: fileTypes,
    maxFileSizeKB: integerIn('webMessaging.maxFileSizeKB', o.maxFileSizeKB, 10_240, { min: 1, max: 204_800 }),
    blockedExtensions: blocked.map((e) => e.toLowerCase()),
    jwtLifetimeSeconds: integerIn('webMessaging.jwtLifetimeSeconds', o.jwtLifetimeSeconds, 3600, { min: 1, max: 172_800 }),
  };
}

function resolveNotifications(o: NotificationsOptions): ResolvedNotificationsOptions {
  const channelLifetimeMs = integerIn('notifications.channelLifetimeMs', o.channelLifetimeMs, 24 * HOUR, SANDBOX_LIMITS.channelLifetimeMs);
  // a short lifetime (tests) gets a proportionally short notice unless one is given
  const closingNoticeMs = integerIn('notifications.closingNoticeMs', o.closingNoticeMs, Math.min(60_000, Math.floor(channelLifetimeMs / 2)), {
    min: 0,
    max: channelLifetimeMs,
  });
  return {
    heartbeatIntervalMs: integerIn('notifications.heartbeatIntervalMs', o.heartbeatIntervalMs, 30_000, SANDBOX_LIMITS.heartbeatIntervalMs),
    channelLifetimeMs,
    closingNoticeMs,
    channelsPerClient: integerIn('notifications.channelsPerClient', o.channelsPerClient, 20, { min: 1, max: 1000 }),
  };
}

function resolveIntegrations(list: OpenIntegrationOptions[]): OpenIntegrationOptions[] {
  const seen = new Set<string>();
  return list.map((integration, n) => {
    const where = `integrations[${n}]`;
    checkIntegration(integration, where);
    if (seen.has(integration.id)) throw new SandboxOptionsError(where, `${where}: integration id ${integration.id} appears twice`);
    seen.add(integration.id);
    return { ...integration };
  });
}

/** Throws SandboxOptionsError naming what is wrong; never repeats the secret. */
export function checkIntegration(integration: OpenIntegrationOptions, where = 'integration'): void {
  if (typeof integration?.id !== 'string' || !/^[\w.-]{1,128}$/.test(integration.id)) {
    throw new SandboxOptionsError(where, `${where}.id must be 1-128 letters, digits, dots, dashes or underscores`);
  }
  let url: URL | undefined;
  try {
    url = new URL(integration.outboundNotificationWebhookUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new SandboxOptionsError(where, `${where}.outboundNotificationWebhookUrl must be an http:// or https:// URL`);
  }
  if (typeof integration.secret !== 'string' || integration.secret.length === 0) {
    throw new SandboxOptionsError(where, `${where}.secret must be a non-empty string`);
  }
}
