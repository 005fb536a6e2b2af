import type { RandomSource } from '../clock';
import { fullJitterDelayMs, type RetryPolicy } from '../repositories/retry-policy';
import { StoreError, StoreErrorCode } from '../store.error';
import { faultOf, storageFaultOf, StoreFaultError, TRANSIENT_FAULTS, type StoreFaultClass } from './store-fault';

/** How long transient database failures are retried before an operation gives up. */
export interface StoreRetryOptions {
  /** Total time one operation is retried for (default 60 s; 0: never retried). */
  readonly budgetMs?: number;
  /** First backoff ceiling (default 100 ms); doubles per attempt, full jitter. */
  readonly baseDelayMs?: number;
  /** Backoff cap (default 5 s). */
  readonly maxDelayMs?: number;
  /** Waits between attempts (default a timer); tests pass a fake that moves `now`. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Monotonic milliseconds the budget is measured on (default `performance.now()`). */
  readonly now?: () => number;
}

export const DEFAULT_STORE_RETRY_BUDGET_MS = 60_000;

/** A store failure with a fault class, as it happened. */
export interface StoreFaultEvent {
  readonly faultClass: StoreFaultClass;
  /** ECONNREFUSED, 57P01, SQLITE_BUSY, ENOSPC … */
  readonly code: string;
  /** true when the operation is tried again */
  readonly retrying: boolean;
}

/** Told about the database's health: every classified failure, and when an outage begins and ends. */
export interface StoreHealthObserver {
  /** Every failed attempt with a fault class (for a counter by class). */
  fault?(event: StoreFaultEvent): void;
  /** The first transient failure after a success: the database is unreachable or locked. Once per outage. */
  unavailable?(event: { readonly faultClass: StoreFaultClass; readonly code: string; readonly message: string }): void;
  /** The first success after `unavailable`. */
  recovered?(event: { readonly downMs: number; readonly message: string }): void;
}

/**
 * Retries one store operation (a statement, or a whole transaction: a statement inside a
 * transaction cannot be retried alone) while it fails with a transient fault
 * (`connection`, `busy`), with full-jitter backoff, for at most the budget; then throws a
 * StoreFaultError `UNAVAILABLE` saying where, why and for how long. Global conditions
 * (disk full, read-only …) are turned into a StoreFaultError `STORAGE_FAULT` at once.
 * Also keeps the database's up/down state, so an outage is reported once, not per failure.
 */
export class StoreRetry {
  private readonly budgetMs: number;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private downSince: number | undefined;

  constructor(
    /** "the database at 127.0.0.1:5432": where, for messages (never with credentials) */
    private readonly where: string,
    options: StoreRetryOptions,
    private readonly random: RandomSource,
    private readonly observer: StoreHealthObserver = {},
  ) {
    this.budgetMs = Math.max(0, options.budgetMs ?? DEFAULT_STORE_RETRY_BUDGET_MS);
    this.policy = { maxAttempts: Number.MAX_SAFE_INTEGER, baseDelayMs: options.baseDelayMs ?? 100, maxDelayMs: options.maxDelayMs ?? 5_000 };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether the last operation failed with a transient fault (and none succeeded since). */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  /**
   * Runs `operation` (its first attempt may already be under way: `first`) until it
   * succeeds, fails otherwise, or the outage has lasted the budget. `budgetMs: 0` tries
   * once (probes).
   */
  async run<T>(operation: () => Promise<T>, first?: Promise<T>, budgetMs = this.budgetMs): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await (attempt === 1 && first ? first : operation());
        this.up();
        return result;
      } catch (error) {
        const fault = faultOf(error);
        if (!fault) throw error;
        const transient = TRANSIENT_FAULTS.has(fault.faultClass);
        if (!transient) {
          this.observer.fault?.({ faultClass: fault.faultClass, code: fault.code, retrying: false });
          throw storageFaultOf(error, this.where) ?? error;
        }
        const since = this.wentDown(fault.faultClass, fault.code);
        // the budget is the outage's, not each operation's: once the database has been
        // gone for the budget, every operation fails at its first attempt (a run that
        // gave up does not wait a budget again for each write on its way out)
        const now = this.now();
        const delay = fullJitterDelayMs(attempt, this.policy, this.random);
        const retrying = now + delay <= since + budgetMs;
        this.observer.fault?.({ faultClass: fault.faultClass, code: fault.code, retrying });
        if (!retrying) throw this.unavailable(fault.faultClass, fault.code, error, budgetMs > 0 ? now - since : undefined);
        await this.sleep(delay);
      }
    }
  }

  private up(): void {
    if (this.downSince === undefined) return;
    const downMs = Math.round(this.now() - this.downSince);
    this.downSince = undefined;
    this.observer.recovered?.({ downMs, message: `${capitalize(this.where)} is reachable again (after ${seconds(downMs)})` });
  }

  private wentDown(faultClass: StoreFaultClass, code: string): number {
    if (this.downSince !== undefined) return this.downSince;
    const since = (this.downSince = this.now());
    this.observer.unavailable?.({ faultClass, code, message: `${capitalize(this.where)} ${plain(faultClass)} (${code}); retrying for up to ${seconds(this.budgetMs)}` });
    return since;
  }

  private unavailable(faultClass: StoreFaultClass, code: string, cause: unknown, elapsedMs: number | undefined): StoreFaultError {
    const retried = elapsedMs === undefined ? '' : `; retried for ${seconds(elapsedMs)}`;
    return new StoreFaultError(StoreErrorCode.Unavailable, faultClass, code, `${this.where} ${plain(faultClass)} (${code})${retried}`, { cause });
  }
}

function plain(faultClass: StoreFaultClass): string {
  return faultClass === 'busy' ? 'stayed locked by another writer' : 'is unreachable';
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1_000)} s`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Wraps every method of a repository that returns a promise so the call is retried as a
 * whole by `retry` (async iterables and plain values pass through).
 */
export function retrying<T extends object>(repository: T, retry: StoreRetry): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const call = () => (value as (...a: unknown[]) => unknown).apply(target, args);
        const first = call();
        return isPromise(first) ? retry.run(call as () => Promise<unknown>, first) : first;
      };
    },
  });
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * `GCM_STORE_RETRY`-style text: `250ms`, `30s`, `2m`, or whole milliseconds, between 0 and
 * one hour. Throws an error naming `variable` and the limit otherwise.
 */
export function parseStoreRetryBudget(text: string | undefined, variable = 'GCM_STORE_RETRY'): number {
  if (text === undefined || text.trim() === '') return DEFAULT_STORE_RETRY_BUDGET_MS;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const units: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const ms = match ? Math.round(Number(match[1]) * (units[match[2] ?? 'ms'] ?? NaN)) : NaN;
  if (!Number.isFinite(ms) || ms > 3_600_000) {
    throw new StoreError(StoreErrorCode.InvalidArgument, `${variable} must be a duration from 0 to 1h (e.g. 60s, 2m, 500ms); got "${text}"`);
  }
  return ms;
}
