import { FaultOutcome } from '../faults/fault-profiles';

export type FaultCounterKey = FaultOutcome | 'latency' | 'tokenRevocation' | 'jobFailure' | 'rateLimited';

export interface SandboxStatsSnapshot {
  requests: { total: number; byRoute: Record<string, Record<string, number>> };
  tokensIssued: number;
  faultsInjected: Record<FaultCounterKey, number>;
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
  };
}

/** What the sandbox saw: requests by route pattern and status, tokens, injected faults. */
export class SandboxStats {
  private total = 0;
  private byRoute = new Map<string, Map<string, number>>();
  private faults = emptyFaults();

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

  recordFault(kind: FaultCounterKey): void {
    this.faults[kind]++;
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
      requests: { total: this.total, byRoute },
      tokensIssued: this.tokensIssued(),
      faultsInjected: { ...this.faults },
    };
  }

  reset(): void {
    this.total = 0;
    this.byRoute = new Map();
    this.faults = emptyFaults();
  }
}
