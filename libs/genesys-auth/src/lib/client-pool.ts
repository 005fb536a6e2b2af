import { abortReason, type Clock, type Sleep } from './clock';
import { GenesysConfigError } from './errors';
import { RateLimiter, type RateLimitBudget } from './rate-limiter';
import type { TokenSource } from './token-provider';

/** Per-client counters of a pool (metrics): never a secret, only the client id. */
export interface PoolClientStats {
  clientId: string;
  /** HTTP exchanges made with this client's token, retries and re-logins included. */
  requests: number;
  /** 429 answers this client got. */
  throttled: number;
  inFlight: number;
  /** Epoch ms until which the client is held after a 429 or a spent budget (absent when it is not). */
  pausedUntil?: number;
  /** The budget Genesys last reported for this client (`inin-ratelimit-*`). */
  rateLimit?: RateLimitBudget;
}

/**
 * One OAuth client of a pool: its own token source (cache, re-login on 401), its own
 * limiter (requests per minute, concurrency, pause after a 429 or a spent budget), and
 * its own counters. Genesys counts the Platform API rate per client, so each client
 * brings its own budget.
 */
export class PooledClient {
  requests = 0;
  throttled = 0;
  budget?: RateLimitBudget;
  /** Sequence of the last time it was picked: the tie-break, so equal clients take turns. */
  lastPick = 0;

  constructor(
    readonly clientId: string,
    readonly tokens: TokenSource,
    readonly limiter: RateLimiter,
  ) {}

  stats(now: number): PoolClientStats {
    const paused = this.limiter.pausedUntilMs;
    return {
      clientId: this.clientId,
      requests: this.requests,
      throttled: this.throttled,
      inFlight: this.limiter.activeRequests,
      ...(paused > now ? { pausedUntil: paused } : {}),
      ...(this.budget ? { rateLimit: { ...this.budget } } : {}),
    };
  }
}

export interface ClientPoolOptions {
  /** One token source per client; at least one, each client id once. */
  tokens: readonly TokenSource[];
  /** Applies to each client: Genesys' default is 300 requests per minute per client. */
  rateLimit?: { requestsPerMinute?: number; maxConcurrency?: number };
  clock: Clock;
  sleep: Sleep;
}

interface Waiter {
  only?: PooledClient;
  grant(client: PooledClient): void;
  reject(reason: unknown): void;
}

/**
 * Chooses a client for every request: of the clients that may start a request now (a free
 * concurrency slot, a place in their rate window, not paused), the one with the most budget
 * left (`RateLimiter.headroom`), then the one with the fewest requests in flight, then the
 * one picked longest ago. When none may start, requests queue in arrival order until a
 * client frees a slot or its window opens, so no client idles while requests wait on a
 * busy one, and a 429 holds only the client it hit. With one client this is exactly that
 * client's limiter.
 */
export class ClientPool {
  readonly clients: readonly PooledClient[];
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private wake?: () => void;
  private picks = 0;

  constructor(options: ClientPoolOptions) {
    if (options.tokens.length === 0) throw new GenesysConfigError('a client pool needs at least one OAuth client', 'clients');
    this.clock = options.clock;
    this.sleep = options.sleep;
    const seen = new Set<string>();
    this.clients = options.tokens.map((tokens, index) => {
      const clientId = tokens.clientId ?? (options.tokens.length === 1 ? 'default' : `client-${index + 1}`);
      if (seen.has(clientId)) {
        throw new GenesysConfigError(
          `OAuth client ${clientId} is in the pool twice: Genesys counts the rate per client, so a second entry adds no budget`,
          'clients',
        );
      }
      seen.add(clientId);
      return new PooledClient(clientId, tokens, new RateLimiter({ ...options.rateLimit, clock: this.clock, sleep: this.sleep }));
    });
  }

  /** Requests in flight at once, over all clients (each client's cap, summed). */
  get maxConcurrency(): number {
    return this.clients.reduce((sum, client) => sum + client.limiter.maxConcurrency, 0);
  }

  /** Requests per rolling minute, over all clients. */
  get requestsPerMinute(): number {
    return this.clients.reduce((sum, client) => sum + client.limiter.requestsPerMinute, 0);
  }

  get activeRequests(): number {
    return this.clients.reduce((sum, client) => sum + client.limiter.activeRequests, 0);
  }

  /** Holds every client until `until` (epoch ms). */
  pauseUntil(until: number): void {
    for (const client of this.clients) client.limiter.pauseUntil(until);
  }

  stats(): PoolClientStats[] {
    const now = this.clock.now();
    return this.clients.map((client) => client.stats(now));
  }

  /**
   * Waits for a client that may start a request now and takes its slot; `release` it when
   * the exchange is over. `only` pins the request to one client (a retry after its re-login).
   */
  acquire(signal?: AbortSignal, only?: PooledClient): Promise<PooledClient> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.queue.length === 0) {
      const client = this.take(only);
      if (client) return Promise.resolve(client);
    }
    return new Promise<PooledClient>((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        if (signal) reject(abortReason(signal));
        this.wake?.();
      };
      const waiter: Waiter = {
        only,
        grant: (client) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(client);
        },
        reject,
      };
      this.queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.pump();
    });
  }

  release(client: PooledClient): void {
    client.limiter.release();
    this.wake?.();
  }

  /** Applies a client's `inin-ratelimit-*` budget (a spent one holds that client until the reset). */
  observe(client: PooledClient, budget: RateLimitBudget): void {
    client.budget = budget;
    client.limiter.observe(budget);
  }

  /** True when a client other than `client` may start a request now (not paused, room in its window). */
  hasOtherReady(client: PooledClient): boolean {
    return this.clients.some((other) => other !== client && other.limiter.readyInMs() <= 0);
  }

  /** Holds one client until `until` (a 429 it got); the others carry on. */
  pauseClient(client: PooledClient, until: number): void {
    client.limiter.pauseUntil(until);
  }

  /** Grants queued requests, in order, as clients become free; sleeps on the clock in between. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        const client = this.take(head.only);
        if (client) {
          this.queue.shift();
          head.grant(client);
          continue;
        }
        await this.waitForChange(this.nextReadyInMs(head.only));
      }
    } catch (error) {
      for (const waiter of this.queue.splice(0)) waiter.reject(error);
    } finally {
      this.pumping = false;
    }
  }

  /** Sleeps `ms` on the clock (forever when Infinity), or less when a slot frees or a waiter leaves. */
  private async waitForChange(ms: number): Promise<void> {
    const woken = new AbortController();
    this.wake = () => woken.abort();
    try {
      if (Number.isFinite(ms)) {
        await this.sleep(ms, woken.signal).catch(() => undefined);
      } else {
        await new Promise<void>((resolve) => woken.signal.addEventListener('abort', () => resolve(), { once: true }));
      }
    } finally {
      this.wake = undefined;
    }
  }

  /** Time until a client with a free slot may start (Infinity when every slot is taken: a release wakes the pump). */
  private nextReadyInMs(only?: PooledClient): number {
    let wait = Infinity;
    for (const client of only ? [only] : this.clients) {
      if (client.limiter.hasFreeSlot) wait = Math.min(wait, Math.max(1, client.limiter.readyInMs()));
    }
    return wait;
  }

  private take(only?: PooledClient): PooledClient | undefined {
    let best: PooledClient | undefined;
    let bestHeadroom = -1;
    for (const client of only ? [only] : this.clients) {
      const { limiter } = client;
      if (!limiter.hasFreeSlot || limiter.readyInMs() > 0) continue;
      const headroom = limiter.headroom();
      if (
        !best ||
        headroom > bestHeadroom ||
        (headroom === bestHeadroom &&
          (limiter.activeRequests < best.limiter.activeRequests ||
            (limiter.activeRequests === best.limiter.activeRequests && client.lastPick < best.lastPick)))
      ) {
        best = client;
        bestHeadroom = headroom;
      }
    }
    if (!best || !best.limiter.tryAcquire()) return undefined;
    best.lastPick = ++this.picks;
    return best;
  }
}
