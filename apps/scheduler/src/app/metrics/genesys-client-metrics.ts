import type { PoolClientStats, ResponseEvent } from '@gcm/genesys-auth';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Genesys traffic per OAuth client of the transport's client pool (labelled with the client
 * id, never a secret), on the scheduler's registry:
 * - gcm_genesys_requests_total{client_id}: HTTP exchanges with Genesys, retries and re-logins included
 * - gcm_genesys_rate_limited_total{client_id}: of them, answered 429
 * - gcm_genesys_rate_limit_remaining{client_id}: the budget Genesys last reported (`inin-ratelimit-*`), while its window lasts
 * - gcm_genesys_client_paused{client_id}: 1 while the client is held after a 429 or a spent budget
 * Requests per minute per client: `rate(gcm_genesys_requests_total[1m]) * 60`.
 */
export class GenesysClientMetrics {
  private readonly requests: Counter<'client_id'>;
  private readonly rateLimited: Counter<'client_id'>;

  constructor(private readonly registry: Registry) {
    this.requests = new Counter({
      name: 'gcm_genesys_requests_total',
      help: 'Genesys API exchanges (retries and re-logins included), by OAuth client id',
      labelNames: ['client_id'],
      registers: [registry],
    });
    this.rateLimited = new Counter({
      name: 'gcm_genesys_rate_limited_total',
      help: 'Genesys API answers 429 (rate limited), by OAuth client id',
      labelNames: ['client_id'],
      registers: [registry],
    });
  }

  /** The transport's onResponse hook. */
  readonly exchange = (event: ResponseEvent): void => {
    const labels = { client_id: event.clientId ?? 'default' };
    this.requests.inc(labels);
    if (event.status === 429) this.rateLimited.inc(labels);
  };

  /** The pool's per-client gauges, read at every scrape. Call once. */
  observeClients(stats: () => readonly PoolClientStats[], now: () => number = Date.now): void {
    new Gauge({
      name: 'gcm_genesys_rate_limit_remaining',
      help: 'Requests left in the current Genesys rate window (inin-ratelimit-*), by OAuth client id; absent until Genesys reports one',
      labelNames: ['client_id'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const client of stats()) {
          const budget = client.rateLimit;
          if (budget && (budget.resetAt === undefined || budget.resetAt > now())) this.set({ client_id: client.clientId }, budget.remaining);
        }
      },
    });
    new Gauge({
      name: 'gcm_genesys_client_paused',
      help: '1 while an OAuth client of the pool is held after a 429 or a spent budget, by client id',
      labelNames: ['client_id'],
      registers: [this.registry],
      collect() {
        for (const client of stats()) this.set({ client_id: client.clientId }, client.pausedUntil !== undefined ? 1 : 0);
      },
    });
  }
}
