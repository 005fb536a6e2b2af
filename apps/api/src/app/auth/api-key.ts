import { createHash, randomBytes } from 'node:crypto';

/**
 * What a key may do. Scopes are independent (a key that sends messages need not read
 * timelines); `admin` grants every scope. `metrics` lets a Prometheus scraper read
 * /metrics and nothing else.
 */
export const API_SCOPES = ['read', 'write', 'admin', 'metrics'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKeyDefinition {
  /** Names the key in logs, audit records and rate-limit buckets; never secret. */
  readonly id: string;
  readonly scopes: ReadonlySet<ApiScope>;
  /** Lower-case hex SHA-256 of the key as the client sends it. */
  readonly sha256: string;
  /** Overrides GCM_API_RATE_LIMIT for this key. */
  readonly requestsPerMinute?: number;
}

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
export const API_KEY_PREFIX = 'gcm_';

/**
 * Keys are high-entropy random strings (256 bits), so one SHA-256 is the right hash: a
 * slow password hash would add latency to every request and no security, since nobody can
 * enumerate 2^256 candidates. The table holds only these hashes.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function grants(key: { readonly scopes: ReadonlySet<ApiScope> }, scope: ApiScope): boolean {
  return key.scopes.has('admin') || key.scopes.has(scope);
}

/** The GCM_API_KEYS entry of a key: `<id>:<scope>+<scope>:<sha256 hex>[:<requests per minute>]`. */
export function formatApiKeyEntry(definition: ApiKeyDefinition): string {
  const rate = definition.requestsPerMinute === undefined ? '' : `:${definition.requestsPerMinute}`;
  return `${definition.id}:${[...definition.scopes].join('+')}:${definition.sha256}${rate}`;
}

/**
 * Parses GCM_API_KEYS: comma-separated entries `<id>:<scope>+<scope>:<sha256 hex>[:<rpm>]`.
 * Returns the keys, or the problems (all of them) when some entry is unusable.
 */
export function parseApiKeys(text: string): { keys: ApiKeyDefinition[]; problems: string[] } {
  const keys: ApiKeyDefinition[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  const hashes = new Set<string>();
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) problems.push('lists no key');
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const parts = entry.split(':');
    if (parts.length < 3 || parts.length > 4) {
      problems.push(`${where} must look like <id>:<scope>+<scope>:<sha256 hex>[:<requests per minute>]`);
      return;
    }
    const [id, scopeText, hash, rate] = parts;
    const before = problems.length;
    if (!KEY_ID.test(id)) problems.push(`${where} has an id that is not 1-64 letters, digits, ".", "_" or "-"`);
    else if (ids.has(id)) problems.push(`${where} repeats the id "${id}"`);
    const scopes = scopeText.split('+').map((s) => s.trim());
    const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length > 0) problems.push(`${where} (${id}) has unknown scopes; use ${API_SCOPES.join(', ')} joined by "+"`);
    const sha256 = hash.trim().toLowerCase();
    if (!SHA256_HEX.test(sha256)) problems.push(`${where} (${id}) needs the key's SHA-256 as 64 hex digits (never the key itself)`);
    else if (hashes.has(sha256)) problems.push(`${where} (${id}) repeats the hash of another key`);
    let requestsPerMinute: number | undefined;
    if (rate !== undefined) {
      requestsPerMinute = Number(rate);
      if (!/^\d+$/.test(rate) || requestsPerMinute < 1 || requestsPerMinute > 1_000_000) {
        problems.push(`${where} (${id}) has a rate limit that is not a whole number of requests per minute from 1 to 1000000`);
      }
    }
    if (problems.length > before) return;
    ids.add(id);
    hashes.add(sha256);
    keys.push({ id, scopes: new Set(scopes as ApiScope[]), sha256, ...(requestsPerMinute !== undefined ? { requestsPerMinute } : {}) });
  });
  return { keys, problems };
}
