import { FaultOutcome } from '../faults/fault-profiles';

export type FaultCounterKey = FaultOutcome | 'latency' | 'tokenRevocation' | 'jobFailure' | 'rateLimited' | 'notificationDrop';

/** Outbound Open Messaging webhook POSTs. */
export interface WebhookStats {
  /** Every POST made, retries included. */
  attempts: number;
  /** Messages whose webhook answered 2xx. */
  delivered: number;
  /** Attempts that will be (or were) retried: timeout, connection error, 429, 5xx. */
  retried: number;
  /** Messages given up on: a non-retryable answer or retries exhausted. */
  failed: number;
}

/** WebSocket traffic: connections accepted and frames, per socket kind. */
export interface SocketStats {
  connections: number;
  framesIn: number;
  framesOut: number;
}

export type SocketKind = 'guest' | 'notifications';

export interface SandboxStatsSnapshot {
  /** byClient: authenticated API requests per OAuth client id, by status (e.g. `{"200": 290, "429": 3}`). */
  requests: { total: number; byRoute: Record<string, Record<string, number>>; byClient: Record<string, Record<string, number>> };
  tokensIssued: number;
  faultsInjected: Record<FaultCounterKey, number>;
  webhooks: WebhookStats;
  sockets: Record<SocketKind, SocketStats>;
  /** Guest frames answered with an error, by code (e.g. "4029"). */
  guestErrors: Record<string, number>;
  /**
   * Requests that used a deprecated place Genesys ignores, by what it was (e.g.
   * `webmessaging.channel.metadata`: custom attributes beside the message, not inside it).
   */
  deprecatedUsage: Record<string, number>;
}

function sortedCounts(counts: Map<string, Map<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const key of [...counts.keys()].sort()) out[key] = Object.fromEntries([...counts.get(key)!.entries()].sort());
  return out;
}

function emptyWebhooks(): WebhookStats {
  return { attempts: 0, delivered: 0, retried: 0, failed: 0 };
}

function emptySockets(): Record<SocketKind, SocketStats> {
  return { guest: { connections: 0, framesIn: 0, framesOut: 0 }, notifications: { connections: 0, framesIn: 0, framesOut: 0 } };
}

function emptyFaults(): Record<FaultCounterKey, number> {
  return {
    http429: 0,
    http500: 0,
    http502: 0,
    http503: 0,
    http504: 0,
    reset: 0,
    truncate: 0,
    html: 0,
    latency: 0,
    tokenRevocation: 0,
    jobFailure: 0,
    rateLimited: 0,
    notificationDrop: 0,
  };
}

/** What the sandbox saw: requests by route pattern and status, tokens, injected faults. */
export class SandboxStats {
  private total = 0;
  private byRoute = new Map<string, Map<string, number>>();
  private byClient = new Map<string, Map<string, number>>();
  private faults = emptyFaults();
  private webhooks = emptyWebhooks();
  private sockets = emptySockets();
  private guestErrors = new Map<string, number>();
  private deprecatedUsage = new Map<string, number>();

  constructor(private readonly tokensIssued: () => number) {}

  /** `status` is the HTTP status, or 'reset' when the socket was dropped. */
  recordRequest(routeKey: string, status: number | 'reset'): void {
    this.total++;
    let statuses = this.byRoute.get(routeKey);
    if (!statuses) {
      statuses = new Map();
      this.byRoute.set(routeKey, statuses);
    }
    const key = String(status);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  }

  /** An authenticated API request of an OAuth client, by the status it was answered with. */
  recordClientRequest(clientId: string, status: number): void {
    let statuses = this.byClient.get(clientId);
    if (!statuses) {
      statuses = new Map();
      this.byClient.set(clientId, statuses);
    }
    const key = String(status);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  }

  recordFault(kind: FaultCounterKey): void {
    this.faults[kind]++;
  }

  recordWebhook(kind: keyof WebhookStats): void {
    this.webhooks[kind]++;
  }

  recordSocket(kind: SocketKind, what: keyof SocketStats): void {
    this.sockets[kind][what]++;
  }

  recordGuestError(code: number): void {
    const key = String(code);
    this.guestErrors.set(key, (this.guestErrors.get(key) ?? 0) + 1);
  }

  recordDeprecatedUsage(what: string): void {
    this.deprecatedUsage.set(what, (this.deprecatedUsage.get(what) ?? 0) + 1);
  }

  /** Requests answered with `status` on a route (method and pattern, e.g. "GET /api/v2/tokens/me"). */
  count(routeKey: string, status?: number | 'reset'): number {
    const statuses = this.byRoute.get(routeKey);
    if (!statuses) return 0;
    if (status !== undefined) return statuses.get(String(status)) ?? 0;
    let sum = 0;
    for (const n of statuses.values()) sum += n;
    return sum;
  }

  snapshot(): SandboxStatsSnapshot {
    const byRoute: Record<string, Record<string, number>> = {};
    for (const key of [...this.byRoute.keys()].sort()) {
      byRoute[key] = Object.fromEntries([...this.byRoute.get(key)!.entries()].sort());
    }
    return {
      requests: { total: this.total, byRoute, byClient: sortedCounts(this.byClient) },
      tokensIssued: this.tokensIssued(),
      faultsInjected: { ...this.faults },
      webhooks: { ...this.webhooks },
      sockets: { guest: { ...this.sockets.guest }, notifications: { ...this.sockets.notifications } },
      guestErrors: Object.fromEntries([...this.guestErrors.entries()].sort()),
      deprecatedUsage: Object.fromEntries([...this.deprecatedUsage.entries()].sort()),
    };
  }

  reset(): void {
    this.total = 0;
    this.byRoute = new Map();
    this.byClient = new Map();
    this.faults = emptyFaults();
    this.deprecatedUsage = new Map();
    this.webhooks = emptyWebhooks();
    this.sockets = emptySockets();
    this.guestErrors = new Map();
  }
}
