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
  /** Fault profile name, spec string (`flaky,reset=0.02`) or settings. Default none. */
  faults?: FaultConfig;
  /** Per-token requests per minute, overriding the fault profile's. */
  rateLimitPerMinute?: number;
  /** Analytics job time from submission to FULFILLED, on the clock. Default 2,000 ms. */
  jobDelayMs?: number;
  /** How long job results stay available before EXPIRED. Default 24 h. */
  jobTtlMs?: number;
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
  /** Extra route modules / WebSocket handlers (part 2 plugs in here). */
  plugins?: SandboxPlugin[];
}

/** Limits the options are checked against (also used by the CLI). */
export const SANDBOX_LIMITS = {
  conversations: { min: 0, max: 1_000_000 },
  days: { min: 1, max: 3650 },
  messagesPerConversation: { min: 1, max: 10_000 },
  tokenLifetimeSeconds: { min: 1, max: 172_800 },
  rateLimitPerMinute: { min: 1, max: 1_000_000 },
  jobDelayMs: { min: 0, max: 3_600_000 },
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
  faults: FaultConfig | undefined;
  rateLimitPerMinute: number | undefined;
  jobDelayMs: number;
  jobTtlMs: number;
  messagesMin: number;
  messagesMax: number;
  uploadMaxBytes: number;
  attributeSearchPageSize: number;
  sleep: (ms: number) => Promise<void>;
  onError: (error: unknown, where: { method: string; path: string }) => void;
  plugins: SandboxPlugin[];
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
  return {
    port: integerIn('port', options.port, 0, SANDBOX_LIMITS.port),
    host: options.host ?? '127.0.0.1',
    seed,
    conversations: integerIn('conversations', options.conversations, 200, SANDBOX_LIMITS.conversations),
    days: integerIn('days', options.days, 30, SANDBOX_LIMITS.days),
    nowMs,
    clock,
    tokenLifetimeSeconds: integerIn('tokenLifetimeSeconds', options.tokenLifetimeSeconds, 86_400, SANDBOX_LIMITS.tokenLifetimeSeconds),
    clientId: options.clientId ?? seededUuid(seed, 'oauth-client-id'),
    clientSecret: options.clientSecret ?? secretStream.base64url(32),
    faults: options.faults,
    rateLimitPerMinute,
    jobDelayMs: integerIn('jobDelayMs', options.jobDelayMs, 2000, SANDBOX_LIMITS.jobDelayMs),
    jobTtlMs: integerIn('jobTtlMs', options.jobTtlMs, 24 * HOUR, { min: 1, max: 365 * 24 * HOUR }),
    messagesMin,
    messagesMax,
    uploadMaxBytes: integerIn('uploadMaxBytes', options.uploadMaxBytes, 10 * 1024 * 1024, { min: 1, max: 200 * 1024 * 1024 }),
    attributeSearchPageSize: integerIn('attributeSearchPageSize', options.attributeSearchPageSize, 25, { min: 1, max: 1000 }),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    onError: options.onError ?? (() => undefined),
    plugins: options.plugins ?? [],
  };
}
