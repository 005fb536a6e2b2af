import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { noopLogger, realSleep, systemClock, type Clock, type GenesysLogger, type RandomSource, type Sleep } from './clock';
import { GenesysApiError, GenesysAuthError, GenesysConnectionError, header } from './errors';
import { toConnectionError } from './http-failure';
import { ClientPool, type PoolClientStats, type PooledClient } from './client-pool';
import { readRateLimitHeaders, type RateLimitBudget } from './rate-limiter';
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
  /** The OAuth client whose token the exchange carried (a pool's client id; never a secret). */
  clientId?: string;
}

export interface GenesysTransportOptions {
  apiBaseUrl: string;
  /**
   * One client's token source, or one per OAuth client of a pool (same org): each client
   * then has its own token, its own limiter and its own 429 pause, and every request goes
   * to the client with the most budget left.
   */
  tokens: TokenSource | readonly TokenSource[];
  retry?: Partial<RetryPolicy>;
  /** Per client: Genesys counts requests per minute per OAuth client (default limit 300). */
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
 * re-login, the retry policy applied, and every call paced by the limiter of the OAuth
 * client it goes out with (one client, or a pool of clients of one org).
 */
export class GenesysTransport {
  readonly apiBaseUrl: string;
  /** The clients' limiters: `maxConcurrency` and `requestsPerMinute` are the pool's totals. */
  readonly limiter: ClientPool;
  readonly policy: RetryPolicy;
  private readonly http: AxiosInstance;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly logger: GenesysLogger;
  private readonly origin: string;
  private readonly tokenSources: readonly TokenSource[];
  private exchanges = 0;

  constructor(private readonly options: GenesysTransportOptions) {
    this.apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.apiBaseUrl).origin;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? noopLogger;
    this.policy = resolveRetryPolicy(options.retry);
    this.tokenSources = isTokenList(options.tokens) ? [...options.tokens] : [options.tokens];
    this.limiter = new ClientPool({ tokens: this.tokenSources, rateLimit: options.rateLimit, clock: this.clock, sleep: this.sleep });
    this.http =
      options.httpClient ??
      axios.create({
        baseURL: this.apiBaseUrl,
        headers: { 'User-Agent': options.userAgent ?? 'gcm (+https://github.com/gcm)' },
      });
  }

  /**
   * The budget Genesys last reported in `inin-ratelimit-*` headers, if it sends them. For a
   * pool: what all clients have left together (a client whose window has reset counts
   * with its whole allowance) and the earliest reset still ahead.
   */
  get rateLimit(): RateLimitBudget | undefined {
    const clients = this.limiter.clients;
    if (clients.length === 1) return clients[0].budget;
    const reported = clients.filter((client) => client.budget).map((client) => client.budget as RateLimitBudget);
    if (reported.length === 0) return undefined;
    const now = this.clock.now();
    const typical = Math.max(...reported.map((budget) => budget.allowed));
    const total: RateLimitBudget = { allowed: 0, used: 0, remaining: 0, observedAt: Math.max(...reported.map((budget) => budget.observedAt)) };
    for (const { budget } of clients) {
      if (budget && (budget.resetAt === undefined || budget.resetAt > now)) {
        total.allowed += budget.allowed;
        total.used += budget.used;
        total.remaining += budget.remaining;
        if (budget.resetAt !== undefined) total.resetAt = Math.min(total.resetAt ?? Infinity, budget.resetAt);
      } else {
        // never reported, or its window has reset since: a fresh allowance
        const allowed = budget?.allowed ?? typical;
        total.allowed += allowed;
        total.remaining += allowed;
      }
    }
    return total;
  }

  /** Requests and 429s per OAuth client (metrics); client ids only, never a secret. */
  clientStats(): PoolClientStats[] {
    return this.limiter.stats();
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
    // the client the latest attempt went out with: a 429 holds that client only
    const last: { client?: PooledClient; token?: string } = {};
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
          // a throttled client throttles every caller sharing it, and only that client
          if (error.status === 429 && last.client) this.limiter.pauseClient(last.client, this.clock.now() + delayMs);
        },
        // after a 429, another client of the pool with budget takes the retry at once
        delayFor: (error, delayMs) => (error.status === 429 && last.client && this.limiter.hasOtherReady(last.client) ? 0 : delayMs),
        attempt: async (attempt) => {
          try {
            return await this.attemptWithRelogin<T>(request, path, attempt, last);
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

  private async attemptWithRelogin<T>(request: GenesysRequest, path: string, attempt: number, last: { client?: PooledClient; token?: string }) {
    let response = await this.exchange(request, path, attempt, last);
    if (response.status === 401 && last.client) {
      // The token expired or was revoked early: one fresh grant of that client, then give up.
      const client = last.client;
      client.tokens.invalidate(last.token);
      response = await this.exchange(request, path, attempt, last, client);
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

  private async token(client: PooledClient, signal?: AbortSignal): Promise<string> {
    try {
      return await client.tokens.getToken(signal);
    } catch (error) {
      // the token provider ran its own retries already
      if (error instanceof GenesysApiError) throw new FinalFailure(error);
      throw error;
    }
  }

  /** One HTTP exchange with the chosen client's token (`only`: that client, for the retry after its re-login). */
  private async exchange(
    request: GenesysRequest,
    path: string,
    attempt: number,
    last: { client?: PooledClient; token?: string },
    only?: PooledClient,
  ) {
    const client = await this.limiter.acquire(request.signal, only).catch((reason) => {
      throw toConnectionError(reason, request.method, path, request.signal);
    });
    last.client = client;
    let token: string;
    try {
      token = await this.token(client, request.signal);
    } catch (error) {
      this.limiter.release(client);
      throw error;
    }
    last.token = token;
    const started = this.clock.now();
    this.exchanges++;
    client.requests++;
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
      if (budget) this.limiter.observe(client, budget);
      if (response.status === 429) client.throttled++;
      this.options.onResponse?.({
        method: request.method,
        path,
        status: response.status,
        durationMs: this.clock.now() - started,
        attempt,
        contextId: header(response.headers as Record<string, unknown>, 'inin-correlation-id'),
        clientId: client.clientId,
      });
      return response;
    } catch (error) {
      const failure = toConnectionError(error, request.method, path, request.signal);
      this.options.onResponse?.({ method: request.method, path, status: 0, durationMs: this.clock.now() - started, attempt, clientId: client.clientId });
      throw failure;
    } finally {
      this.limiter.release(client);
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

  /** What a log line or `JSON.stringify` shows: the host and per-client counters, never a secret or a token. */
  toJSON(): Record<string, unknown> {
    return { apiBaseUrl: this.apiBaseUrl, requestCount: this.exchanges, clients: this.clientStats() };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `GenesysTransport ${JSON.stringify(this.toJSON())}`;
  }

  private scrub<E extends GenesysApiError>(error: E): E {
    if (!(error instanceof GenesysApiError)) return error;
    const secrets = this.tokenSources.flatMap((tokens) => tokens.secrets());
    error.message = redactSecrets(error.message, secrets);
    if (error.body) {
      (error as { body?: unknown }).body = JSON.parse(redactSecrets(JSON.stringify(error.body), secrets));
    }
    return error;
  }
}

function isTokenList(tokens: TokenSource | readonly TokenSource[]): tokens is readonly TokenSource[] {
  return Array.isArray(tokens);
}

function flattenHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
