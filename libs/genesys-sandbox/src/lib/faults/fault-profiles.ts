/**
 * Fault settings as data. A profile is a named preset; single settings override it, e.g.
 * `flaky,reset=0.02,latencyMs=50`. Probabilities are per eligible request (/oauth/token and
 * /api/v2/*) and are mutually exclusive outcomes, so they must sum to at most 1.
 */
export interface FaultSettings {
  /** Injected 429 (with Retry-After and the Platform API body). */
  http429: number;
  http500: number;
  /** 502 answered with an HTML page, as a load balancer does. */
  http502: number;
  http503: number;
  http504: number;
  /** Socket destroyed before any response byte. */
  reset: number;
  /** Response headers and half the body, then the socket is destroyed. */
  truncate: number;
  /** A 503 with an HTML body, like a proxy error page. */
  html: number;
  /** Added latency: latencyMs + uniform(0, latencyJitterMs). */
  latencyMs: number;
  latencyJitterMs: number;
  /** A token is revoked after this many authenticated requests (0 = never)... */
  revokeTokenAfterRequests: number;
  /** ...for at most this many tokens over the run. */
  revokeTokenLimit: number;
  /** Probability that an analytics details job ends FAILED. */
  jobFailure: number;
  /**
   * Probability, per frame the notifications socket is about to send (heartbeats and
   * events), that the socket is dropped instead, without a close frame.
   */
  notificationDrop: number;
  /** Retry-After seconds on injected 429 and 503. */
  retryAfterSeconds: number;
  /** Per-token requests per minute (0 = unlimited); enforced with the real headers. */
  rateLimitPerMinute: number;
}

export const OUTCOME_KEYS = ['http429', 'http500', 'http502', 'http503', 'http504', 'reset', 'truncate', 'html'] as const;
export type FaultOutcome = (typeof OUTCOME_KEYS)[number];

const NONE: FaultSettings = {
  http429: 0,
  http500: 0,
  http502: 0,
  http503: 0,
  http504: 0,
  reset: 0,
  truncate: 0,
  html: 0,
  latencyMs: 0,
  latencyJitterMs: 0,
  revokeTokenAfterRequests: 0,
  revokeTokenLimit: 0,
  jobFailure: 0,
  notificationDrop: 0,
  retryAfterSeconds: 1,
  rateLimitPerMinute: 0,
};

export const FAULT_PROFILES = {
  none: NONE,
  /** The everyday unreliable network: some throttling, some 5xx, a reset now and then, one revoked token. */
  flaky: {
    ...NONE,
    http429: 0.05,
    http500: 0.0125,
    http502: 0.0125,
    http503: 0.0125,
    http504: 0.0125,
    reset: 0.01,
    truncate: 0.005,
    revokeTokenAfterRequests: 50,
    revokeTokenLimit: 1,
    jobFailure: 0.1,
    notificationDrop: 0.01,
  },
  /** A tight per-token rate limit with the real headers, plus a little latency. */
  throttled: { ...NONE, rateLimitPerMinute: 60, latencyMs: 5, latencyJitterMs: 20 },
  /** Everything at once, often. */
  chaos: {
    ...NONE,
    http429: 0.1,
    http500: 0.03,
    http502: 0.03,
    http503: 0.03,
    http504: 0.03,
    reset: 0.03,
    truncate: 0.03,
    html: 0.03,
    latencyMs: 5,
    latencyJitterMs: 45,
    revokeTokenAfterRequests: 25,
    revokeTokenLimit: Number.MAX_SAFE_INTEGER,
    jobFailure: 0.25,
    notificationDrop: 0.05,
  },
} satisfies Record<string, FaultSettings>;

export type FaultProfileName = keyof typeof FAULT_PROFILES;
export const FAULT_PROFILE_NAMES = Object.keys(FAULT_PROFILES) as FaultProfileName[];

/** A profile name, a spec string (`flaky,reset=0.02`), or a profile plus overrides. */
export type FaultConfig = FaultProfileName | string | (Partial<FaultSettings> & { profile?: FaultProfileName });

export class FaultConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultConfigError';
  }
}

const SETTING_KEYS = Object.keys(NONE) as Array<keyof FaultSettings>;

export function resolveFaultSettings(config: FaultConfig | undefined): FaultSettings {
  if (config === undefined) return { ...NONE };
  if (typeof config === 'string') return parseFaultSpec(config);
  const { profile, ...overrides } = config;
  const base = profileSettings(profile ?? 'none');
  const merged: FaultSettings = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    setSetting(merged, key, value);
  }
  validate(merged);
  return merged;
}

/** Parses `profile[,key=value...]`; a spec may also be only `key=value` pairs. */
export function parseFaultSpec(spec: string): FaultSettings {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  let settings = { ...NONE };
  for (const [n, part] of parts.entries()) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (n !== 0) throw new FaultConfigError(`fault profile "${part}" must come first in "${spec}"`);
      settings = profileSettings(part);
      continue;
    }
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value)) throw new FaultConfigError(`fault setting ${key} needs a number, got "${raw}"`);
    setSetting(settings, key, value);
  }
  validate(settings);
  return settings;
}

function profileSettings(name: string): FaultSettings {
  if (!(name in FAULT_PROFILES)) {
    throw new FaultConfigError(`unknown fault profile "${name}"; known profiles: ${FAULT_PROFILE_NAMES.join(', ')}`);
  }
  return { ...FAULT_PROFILES[name as FaultProfileName] };
}

function setSetting(settings: FaultSettings, key: string, value: unknown): void {
  if (!(SETTING_KEYS as string[]).includes(key)) {
    throw new FaultConfigError(`unknown fault setting "${key}"; known settings: ${SETTING_KEYS.join(', ')}`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FaultConfigError(`fault setting ${key} needs a finite number`);
  }
  settings[key as keyof FaultSettings] = value;
}

function validate(settings: FaultSettings): void {
  let total = 0;
  for (const key of [...OUTCOME_KEYS, 'jobFailure', 'notificationDrop'] as const) {
    const p = settings[key];
    if (p < 0 || p > 1) throw new FaultConfigError(`fault probability ${key} must be between 0 and 1, got ${p}`);
    if (key !== 'jobFailure' && key !== 'notificationDrop') total += p;
  }
  if (total > 1 + 1e-9) throw new FaultConfigError(`fault outcome probabilities add up to ${total.toFixed(3)}; at most 1 is possible`);
  for (const key of ['latencyMs', 'latencyJitterMs', 'revokeTokenAfterRequests', 'revokeTokenLimit', 'rateLimitPerMinute'] as const) {
    if (settings[key] < 0) throw new FaultConfigError(`fault setting ${key} must not be negative, got ${settings[key]}`);
  }
  if (settings.retryAfterSeconds < 1) throw new FaultConfigError(`retryAfterSeconds must be at least 1, got ${settings.retryAfterSeconds}`);
}
