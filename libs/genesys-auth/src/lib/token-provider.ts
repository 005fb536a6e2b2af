import axios, { type AxiosInstance } from 'axios';
import { noopLogger, realSleep, systemClock, type Clock, type GenesysLogger, type RandomSource, type Sleep } from './clock';
import { GenesysApiError, GenesysAuthError, GenesysConfigError } from './errors';
import { toConnectionError } from './http-failure';
import { redactSecrets } from './redact';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy';
import { runWithRetry, type RetryEvent } from './retry-runner';

/** Anything that hands out bearer tokens to the transport. */
export interface TokenSource {
  /** The OAuth client the tokens belong to (a pool's per-client counters are labelled with it). */
  readonly clientId?: string;
  getToken(signal?: AbortSignal): Promise<string>;
  /** Drops `token` (or the cached token) so the next call fetches a new one. */
  invalidate(token?: string): void;
  /** Values to scrub from any text that leaves the process. */
  secrets(): string[];
}

export interface ClientCredentialsOptions {
  loginBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /**
   * Where the credentials come from, named in the error when Genesys rejects them
   * (default `GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET`).
   */
  credentialsSource?: string;
  /** Refresh this long before expiry (default 60 s, scaled down for short-lived tokens). */
  refreshSkewMs?: number;
  /** HTTP timeout of one token request (default 16 s, as the official SDK). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  sleep?: Sleep;
  random?: RandomSource;
  logger?: GenesysLogger;
  onRetry?: (event: RetryEvent) => void;
  /** Called after every successful token request (metrics, tests). */
  onTokenIssued?: (info: { expiresAt: number; lifetimeMs: number }) => void;
  httpClient?: AxiosInstance;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
  refreshAt: number;
}

const TOKEN_PATH = '/oauth/token';

/**
 * OAuth client-credentials grant (`POST {login}/oauth/token`, Basic auth, form body).
 * Caches the token, refreshes it ahead of expiry, and lets N concurrent callers share
 * one token request (single flight). Client credentials have no refresh token: a new
 * grant is the only way to renew.
 */
export class ClientCredentialsTokenProvider implements TokenSource {
  private cached?: CachedToken;
  private inflight?: Promise<CachedToken>;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly logger: GenesysLogger;
  private readonly http: AxiosInstance;
  private readonly policy: RetryPolicy;
  private readonly refreshSkewMs: number;
  private readonly tokenUrl: string;
  private readonly authorization: string;
  private requests = 0;

  constructor(private readonly options: ClientCredentialsOptions) {
    if (!options.clientId) throw new GenesysConfigError('clientId is required for client credentials', 'clientId');
    if (!options.clientSecret) {
      throw new GenesysConfigError('clientSecret is required for client credentials', 'clientSecret');
    }
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? noopLogger;
    this.policy = resolveRetryPolicy({ totalTimeoutMs: 60_000, ...options.retry });
    this.refreshSkewMs = options.refreshSkewMs ?? 60_000;
    this.tokenUrl = options.loginBaseUrl.replace(/\/+$/, '') + TOKEN_PATH;
    this.authorization =
      'Basic ' + Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
    this.http = options.httpClient ?? axios.create();
  }

  get clientId(): string {
    return this.options.clientId;
  }

  /** How many token requests were sent (for metrics and tests). */
  get tokenRequests(): number {
    return this.requests;
  }

  /** When the cached token expires (epoch ms), if any. */
  get expiresAt(): number | undefined {
    return this.cached?.expiresAt;
  }

  secrets(): string[] {
    return [this.options.clientSecret, this.authorization.slice(6), this.cached?.accessToken ?? ''].filter(Boolean);
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    const now = this.clock.now();
    const cached = this.cached;
    if (cached && now < cached.refreshAt) return cached.accessToken;
    try {
      return (await this.refresh(signal)).accessToken;
    } catch (error) {
      // A refresh ahead of expiry that fails transiently keeps the still-valid token.
      if (cached && now < cached.expiresAt && this.cached === cached && error instanceof GenesysApiError && error.retryable) {
        this.logger.warn?.('Genesys token refresh failed; using the current token until it expires', {
          error: error.toJSON(),
          expiresInMs: cached.expiresAt - now,
        });
        return cached.accessToken;
      }
      throw error;
    }
  }

  invalidate(token?: string): void {
    // A caller holding an older token must not throw away one fetched since.
    if (token === undefined || this.cached?.accessToken === token) this.cached = undefined;
  }

  private refresh(signal?: AbortSignal): Promise<CachedToken> {
    if (!this.inflight) {
      this.inflight = this.requestToken(signal).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async requestToken(signal?: AbortSignal): Promise<CachedToken> {
    const token = await runWithRetry({
      policy: this.policy,
      method: 'POST',
      path: TOKEN_PATH,
      // a client-credentials grant has no side effect worth protecting: repeat it freely
      retrySafe: true,
      clock: this.clock,
      sleep: this.sleep,
      random: this.random,
      signal,
      onRetry: this.options.onRetry,
      attempt: () => this.attemptTokenRequest(signal),
    });
    this.cached = token;
    return token;
  }

  private async attemptTokenRequest(signal?: AbortSignal): Promise<CachedToken> {
    this.requests++;
    const sentAt = this.clock.now();
    let response;
    try {
      response = await this.http.request({
        method: 'POST',
        url: this.tokenUrl,
        data: 'grant_type=client_credentials',
        headers: {
          Authorization: this.authorization,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        timeout: this.options.timeoutMs ?? 16_000,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        signal,
      });
    } catch (error) {
      throw this.scrub(toConnectionError(error, 'POST', TOKEN_PATH, signal));
    }
    const body = parseJson(response.data);
    if (response.status >= 200 && response.status < 300) {
      const accessToken = body && typeof body.access_token === 'string' ? body.access_token : undefined;
      const expiresIn = body ? Number(body.expires_in) : NaN;
      if (!accessToken || !(expiresIn > 0)) {
        throw new GenesysAuthError({
          status: response.status,
          code: 'invalid.token.response',
          method: 'POST',
          path: TOKEN_PATH,
          retryable: true,
          message: `Genesys login answered ${response.status} without access_token/expires_in; the login host may be wrong (check the region or loginBaseUrl).`,
        });
      }
      const lifetimeMs = expiresIn * 1000;
      const skew = Math.min(this.refreshSkewMs, lifetimeMs * 0.2);
      const expiresAt = sentAt + lifetimeMs;
      this.options.onTokenIssued?.({ expiresAt, lifetimeMs });
      return { accessToken, expiresAt, refreshAt: expiresAt - skew };
    }
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      const code = (body && typeof body.error === 'string' && body.error) || (body && body.code) || 'invalid_client';
      const description =
        (body && (body.error_description || body.description || body.message)) || 'the credentials were rejected';
      throw this.scrub(
        new GenesysAuthError({
          status: response.status,
          code: String(code),
          method: 'POST',
          path: TOKEN_PATH,
          message:
            `Genesys rejected the OAuth client credentials (${code}: ${description}). ` +
            `Check ${this.options.credentialsSource ?? 'GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET'}, that the client uses the ` +
            'Client Credentials grant, and that GENESYSCLOUD_REGION is the org\'s region.',
        }),
      );
    }
    throw this.scrub(
      GenesysApiError.fromResponse({
        status: response.status,
        statusText: response.statusText,
        headers: response.headers as Record<string, unknown>,
        body: body ?? response.data,
        method: 'POST',
        path: TOKEN_PATH,
        now: this.clock.now(),
      }),
    );
  }

  private scrub<E extends GenesysApiError>(error: E): E {
    error.message = redactSecrets(error.message, this.secrets());
    return error;
  }

  /** What a log line or `JSON.stringify` shows of it: the client id, never the secret or a token. */
  toJSON(): Record<string, unknown> {
    return { clientId: this.options.clientId, tokenUrl: this.tokenUrl, expiresAt: this.cached?.expiresAt, tokenRequests: this.requests };
  }

  /** `util.inspect` (console.log, a Nest error dump) shows the same as toJSON. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ClientCredentialsTokenProvider ${JSON.stringify(this.toJSON())}`;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function parseJson(data: unknown): any {
  if (typeof data !== 'string') return data && typeof data === 'object' ? data : undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
