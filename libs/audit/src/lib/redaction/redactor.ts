export interface RedactionOptions {
  /** keys whose values are personal data (e.g. email, phoneNumber); matched like secret keys */
  readonly piiKeys?: readonly string[];
  /** more secret-bearing key names, on top of the built-in ones */
  readonly secretKeys?: readonly string[];
  /** literal secret values to scrub wherever they appear (client secrets, webhook secrets) */
  readonly knownSecrets?: readonly string[];
  readonly replacement?: string;
  /** deeper structures are cut off (default 32) */
  readonly maxDepth?: number;
}

export const REDACTED = '[REDACTED]';

/*
 * Keys are compared after lower-casing and dropping everything but letters and digits,
 * so clientSecret, client_secret and Client-Secret are one key. A key is secret when it
 * contains one of these fragments (accessToken, x-api-key, outboundNotification
 * WebhookSignatureSecretToken …) or equals one of the short names.
 */
const SECRET_KEY_FRAGMENTS = [
  'secret',
  'password',
  'passwd',
  'passphrase',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'credential',
  'privatekey',
  'clientassertion',
];
const SECRET_KEY_NAMES = ['auth', 'pwd', 'pass', 'jwt', 'sessionid', 'signingkey'];

const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi;
const BASIC = /\b(Basic)\s+([A-Za-z0-9+/]{6,}={0,2})/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]+@/gi;
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9+/=]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

// key names as they appear in text: access_token, client-secret, apiKey, password…
const SECRET_NAME_IN_TEXT = `[A-Za-z0-9_-]*(?:${SECRET_KEY_FRAGMENTS.join('|')}|api[_-]?key)[A-Za-z0-9_-]*`;
const SECRET_PARAMETER = new RegExp(`(^|[?&;,\\s])(${SECRET_NAME_IN_TEXT})=[^&\\s;,]+`, 'gi');
const SECRET_JSON_MEMBER = new RegExp(`("${SECRET_NAME_IN_TEXT}")\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, 'gi');

const normalizeKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Removes secrets and configured personal data from anything about to be written
 * (audit records, error messages): values under secret or PII keys, at any depth, and
 * credentials embedded in strings (Bearer and Basic authorization values, passwords in
 * URLs, `token=` style parameters, JSON `"secret": "…"` members in response bodies,
 * webhook secrets, JWTs, and every configured literal secret).
 */
export class Redactor {
  private readonly piiKeys: ReadonlySet<string>;
  private readonly extraSecretKeys: ReadonlySet<string>;
  private readonly knownSecrets: string[];
  private readonly replacement: string;
  private readonly maxDepth: number;

  constructor(options: RedactionOptions = {}) {
    this.piiKeys = new Set((options.piiKeys ?? []).map(normalizeKey));
    this.extraSecretKeys = new Set((options.secretKeys ?? []).map(normalizeKey));
    this.knownSecrets = [];
    for (const secret of options.knownSecrets ?? []) this.addKnownSecret(secret);
    this.replacement = options.replacement ?? REDACTED;
    this.maxDepth = options.maxDepth ?? 32;
  }

  /** Scrubs this literal value from now on (e.g. a secret loaded after start-up). */
  addKnownSecret(secret: string): void {
    // very short values would shred ordinary text; they are not secrets worth the name
    if (secret.length >= 6 && !this.knownSecrets.includes(secret)) {
      this.knownSecrets.push(secret);
      // longest first, so a secret containing another is replaced whole
      this.knownSecrets.sort((a, b) => b.length - a.length);
    }
  }

  isSensitiveKey(key: string): boolean {
    const normalized = normalizeKey(key);
    return (
      SECRET_KEY_FRAGMENTS.some((fragment) => normalized.includes(fragment)) ||
      SECRET_KEY_NAMES.includes(normalized) ||
      this.extraSecretKeys.has(normalized) ||
      this.piiKeys.has(normalized)
    );
  }

  /** A deep copy with sensitive values replaced. Never mutates its input. */
  redact<T>(value: T): T {
    return this.walk(value, 0, new WeakSet<object>()) as T;
  }

  redactString(text: string): string {
    let result = text;
    for (const secret of this.knownSecrets) {
      if (result.includes(secret)) result = result.split(secret).join(this.replacement);
    }
    return result
      .replace(WEBHOOK_SECRET, `whsec_${this.replacement}`)
      .replace(BEARER, `$1 ${this.replacement}`)
      .replace(BASIC, (match, scheme: string, encoded: string) =>
        // only when it decodes to user:password, so prose like "Basic information" stays
        Buffer.from(encoded, 'base64').toString('latin1').includes(':') ? `${scheme} ${this.replacement}` : match,
      )
      .replace(URL_USERINFO, `$1:${this.replacement}@`)
      .replace(JWT, this.replacement)
      .replace(SECRET_PARAMETER, (_match, prefix: string, key: string) => `${prefix}${key}=${this.replacement}`)
      .replace(SECRET_JSON_MEMBER, (_match, key: string) => `${key}:"${this.replacement}"`);
  }

  private walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    if (depth >= this.maxDepth) return '[Truncated]';
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return {
        name: value.name,
        message: this.redactString(value.message),
        ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
      };
    }
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[binary ${value.byteLength} bytes]`;
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => this.walk(item, depth + 1, seen));
      if (value instanceof Map) {
        return this.walk(Object.fromEntries(value), depth, seen);
      }
      if (value instanceof Set) return this.walk([...value], depth, seen);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        out[key] = this.isSensitiveKey(key) ? this.replacement : this.walk(item, depth + 1, seen);
      }
      return out;
    } finally {
      seen.delete(value);
    }
  }
}
