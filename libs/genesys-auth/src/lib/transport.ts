import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { noopLogger, realSleep, systemClock, type Clock, type GenesysLogger, type RandomSource, type Sleep } from './clock';
import { GenesysApiError, GenesysAuthError, GenesysConnectionError, header } from './errors';
import { toConnectionError } from './http-failure';
import { RateLimiter, readRateLimitHeaders, type RateLimitBudget } from './rate-limiter';
import { redactSecrets } from './redact';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy';
import { runWithRetry, type RetryEvent } from './retry-runner';
import type { TokenSource } from './token-provider';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface GenesysRequest {
  method: HttpMethod;
  /** `/api/v2/...`, or an absolute URL on the API origin (e.g. a `selfUri`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined | Array<string | number>>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Marks a non-idempotent request (POST, PATCH) as safe to repeat after a 5xx or a
   * dropped connection, e.g. the read-only POSTs (bulk messages, analytics queries).
   */
  retrySafe?: boolean;
  timeoutMs?: number;
}

export interface GenesysResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
  /** Attempts it took, the successful one included. */
  attempts: number;
  contextId?: string;
}

export interface ResponseEvent {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  attempt: number;
  contextId?: string;
}

export interface GenesysTransportOptions {
  apiBaseUrl: string;
  tokens: TokenSource;
  retry?: Partial<RetryPolicy>;
  rateLimit?: { requestsPerMinute?: number; maxConcurrency?: number };
  /** HTTP timeout of one attempt (default 16 s, as the official SDK). */
  timeoutMs?: number;
  clock?: Clock;
  sleep?: Sleep;
  random?: RandomSource;
  logger?: GenesysLogger;
  onRetry?: (event: RetryEvent) => void;
  /** Every HTTP exchange, successful or not (metrics). */
  onResponse?: (event: ResponseEvent) => void;
  userAgent?: string;
  httpClient?: AxiosInstance;
}

/** Thrown from an attempt to end the call without a retry. */
class FinalFailure {
  constructor(readonly error: GenesysApiError) {}
}

/**
 * The one way gcm talks to Genesys Cloud: bearer token attached, a 401 answered by one
 * re-login, the retry policy applied, and every call paced by one shared limiter.
 */
export class GenesysTransport {
  readonly apiBaseUrl: string;
  readonly limiter: RateLimiter;
  readonly policy: RetryPolicy;
  private readonly http: AxiosInstance;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly logger: GenesysLogger;
  private readonly origin: string;
  private budget?: RateLimitBudget;
  private exchanges = 0;

  constructor(private readonly options: GenesysTransportOptions) {
    this.apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.apiBaseUrl).origin;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? noopLogger;
    this.policy = resolveRetryPolicy(options.retry);
    this.limiter = new RateLimiter({ ...options.rateLimit, clock: this.clock, sleep: this.sleep });
    this.http =
      options.httpClient ??
      axios.create({
        baseURL: this.apiBaseUrl,
        headers: { 'User-Agent': options.userAgent ?? 'gcm (+https://github.com/gcm)' },
      });
  }

  /** The budget Genesys last reported in `inin-ratelimit-*` headers, if it sends them. */
  get rateLimit(): RateLimitBudget | undefined {
    return this.budget;
  }

  /** HTTP exchanges made so far, retries and re-logins included. */
  get requestCount(): number {
    return this.exchanges;
  }

  get<T>(path: string, init: Omit<GenesysRequest, 'method' | 'path' | 'body'> = {}): Promise<GenesysResponse<T>> {
    return this.request<T>({ ...init, method: 'GET', path });
  }

  post<T>(path: string, body?: unknown, init: Omit<GenesysRequest, 'method' | 'path' | 'body'> = {}) {
    return this.request<T>({ ...init, method: 'POST', path, body });
  }

  put<T>(path: string, body?: unknown, init: Omit<GenesysRequest, 'method' | 'path' | 'body'> = {}) {
    return this.request<T>({ ...init, method: 'PUT', path, body });
  }

  patch<T>(path: string, body?: unknown, init: Omit<GenesysRequest, 'method' | 'path' | 'body'> = {}) {
    return this.request<T>({ ...init, method: 'PATCH', path, body });
  }

  delete<T>(path: string, init: Omit<GenesysRequest, 'method' | 'path' | 'body'> = {}) {
    return this.request<T>({ ...init, method: 'DELETE', path });
  }

  async request<T>(request: GenesysRequest): Promise<GenesysResponse<T>> {
    const path = this.relativePath(request.path);
    const method = request.method;
    try {
      return await runWithRetry({
        policy: this.policy,
        method,
        path,
        retrySafe: request.retrySafe ?? false,
        clock: this.clock,
        sleep: this.sleep,
        random: this.random,
        signal: request.signal,
        onRetry: (event) => {
          this.logger.debug?.('Retrying Genesys request', { ...event });
          this.options.onRetry?.(event);
        },
        beforeWait: (error, delayMs) => {
          // a throttled token throttles every caller sharing it
          if (error.status === 429) this.limiter.pauseUntil(this.clock.now() + delayMs);
        },
        attempt: async (attempt) => {
          try {
            return await this.attemptWithRelogin<T>(request, path, attempt);
          } catch (error) {
            if (error instanceof FinalFailure) throw error;
            throw this.scrub(error as GenesysApiError);
          }
        },
      });
    } catch (error) {
      if (error instanceof FinalFailure) throw this.scrub(error.error);
      throw error;
    }
  }

  private async attemptWithRelogin<T>(request: GenesysRequest, path: string, attempt: number) {
    let token = await this.token(request.signal);
    let response = await this.exchange(request, path, token, attempt);
    if (response.status === 401) {
      // The token expired or was revoked early: one fresh grant, then give up.
      this.options.tokens.invalidate(token);
      token = await this.token(request.signal);
      response = await this.exchange(request, path, token, attempt);
      if (response.status === 401) {
        const error = this.toError(response, request.method, path);
        throw new FinalFailure(
          new GenesysAuthError({
            status: 401,
            code: error.code,
            method: request.method,
            path,
            contextId: error.contextId,
            body: error.body,
            message:
              `Genesys ${request.method} ${path} answered 401 even with a freshly issued token (${error.code}). ` +
              'The OAuth client may have been deleted or deactivated, or the API host belongs to another region.' +
              (error.contextId ? ` (contextId ${error.contextId})` : ''),
          }),
        );
      }
    }
    if (response.status >= 200 && response.status < 300) return this.success<T>(response, request.method, path, attempt);
    throw this.toError(response, request.method, path);
  }

  private async token(signal?: AbortSignal): Promise<string> {
    try {
      return await this.options.tokens.getToken(signal);
    } catch (error) {
      // the token provider ran its own retries already
      if (error instanceof GenesysApiError) throw new FinalFailure(error);
      throw error;
    }
  }

  private async exchange(request: GenesysRequest, path: string, token: string, attempt: number) {
    await this.limiter.acquire(request.signal).catch((reason) => {
      throw toConnectionError(reason, request.method, path, request.signal);
    });
    const started = this.clock.now();
    this.exchanges++;
    try {
      const response = await this.http.request<string>({
        method: request.method,
        url: path,
        params: request.query,
        data: request.body === undefined ? undefined : JSON.stringify(request.body),
        headers: {
          Accept: 'application/json',
          ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...request.headers,
          Authorization: `Bearer ${token}`,
        },
        timeout: request.timeoutMs ?? this.options.timeoutMs ?? 16_000,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
        signal: request.signal,
      });
      const budget = readRateLimitHeaders(response.headers as Record<string, unknown>, this.clock.now());
      if (budget) {
        this.budget = budget;
        this.limiter.observe(budget);
      }
      this.options.onResponse?.({
        method: request.method,
        path,
        status: response.status,
        durationMs: this.clock.now() - started,
        attempt,
        contextId: header(response.headers as Record<string, unknown>, 'inin-correlation-id'),
      });
      return response;
    } catch (error) {
      const failure = toConnectionError(error, request.method, path, request.signal);
      this.options.onResponse?.({ method: request.method, path, status: 0, durationMs: this.clock.now() - started, attempt });
      throw failure;
    } finally {
      this.limiter.release();
    }
  }

  private success<T>(response: AxiosResponse<string>, method: string, path: string, attempt: number): GenesysResponse<T> {
    const headers = flattenHeaders(response.headers as Record<string, unknown>);
    const text = response.data ?? '';
    let data: unknown = undefined;
    if (text !== '') {
      const contentType = headers['content-type'] ?? '';
      if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
        try {
          data = JSON.parse(text);
        } catch {
          // a proxy or a dropped connection cut the body short
          throw new GenesysConnectionError({
            status: response.status,
            code: 'EBADBODY',
            method,
            path,
            contextId: headers['inin-correlation-id'],
            message: `Genesys ${method} ${path} returned ${response.status} with a truncated or malformed JSON body (${text.length} bytes).`,
          });
        }
      } else if (/html/i.test(contentType)) {
        throw new GenesysConnectionError({
          status: response.status,
          code: 'EBADBODY',
          method,
          path,
          message: `Genesys ${method} ${path} returned ${response.status} with an HTML page instead of JSON; a proxy may be in the way.`,
        });
      } else {
        data = text;
      }
    }
    return { status: response.status, data: data as T, headers, attempts: attempt, contextId: headers['inin-correlation-id'] };
  }

  private toError(response: AxiosResponse<string>, method: string, path: string): GenesysApiError {
    return GenesysApiError.fromResponse({
      status: response.status,
      statusText: response.statusText,
      headers: response.headers as Record<string, unknown>,
      body: response.data,
      method,
      path,
      now: this.clock.now(),
    });
  }

  private relativePath(path: string): string {
    if (/^https?:\/\//i.test(path)) {
      const url = new URL(path);
      if (url.origin !== this.origin) {
        throw new RangeError(`Refusing to send Genesys credentials to ${url.origin}: only ${this.origin} is allowed`);
      }
      return url.pathname + url.search;
    }
    if (!path.startsWith('/')) throw new RangeError(`Genesys path must start with "/", got "${path}"`);
    return path;
  }

  private scrub<E extends GenesysApiError>(error: E): E {
    if (!(error instanceof GenesysApiError)) return error;
    const secrets = this.options.tokens.secrets();
    error.message = redactSecrets(error.message, secrets);
    if (error.body) {
      (error as { body?: unknown }).body = JSON.parse(redactSecrets(JSON.stringify(error.body), secrets));
    }
    return error;
  }
}

function flattenHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
