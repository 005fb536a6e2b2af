import { hostname } from 'node:os';
import type { AuditLog, WebhookDispatcher } from '@gcm/audit';
import { noopLogger, realSleep, systemClock, type Clock, type GenesysLogger, type RandomSource, type Sleep } from '@gcm/genesys-auth';
import type { ArchiveRecordOptions, HistorySource, SyncOptions } from '@gcm/history-timeline';
import type { ConversationSearch, SearchCriteriaInput } from '@gcm/search-stream';
import type { ArchiveSink, StoreRepositories } from '@gcm/store';
import { ArchiveError, ArchiveErrorCode } from './archive.error';
import type { ArchiveObserver } from './archive-observer';
import { localProcessGone, type OwnerGoneProbe } from './lease/owner-liveness';
import { realIntervals, type IntervalTimers } from './pipeline/heartbeat';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The parts of the Genesys transport the job reads: its request counter and its limiter. */
export interface ArchiveTransportInfo {
  /** HTTP exchanges so far (retries included): API calls are counted as deltas of it. */
  readonly requestCount: number;
  readonly limiter?: { readonly maxConcurrency: number };
  /** The budget Genesys last reported (`inin-ratelimit-*`): no more conversations are taken on than it can pay for. */
  readonly rateLimit?: { readonly remaining: number; readonly resetAt?: number };
}

/** Which conversations a window holds (the search's `match`). */
export type ArchiveMatch = 'activity' | 'started';

/**
 * Where the conversation envelope (start, end, state, divisions, external tag) of a record
 * comes from: the analytics row the search already returned (`search`, one GET saved per
 * conversation), or `GET /api/v2/conversations/{id}` (`api`).
 */
export type EnvelopeSource = 'search' | 'api';

export interface ArchiveRetryOptions {
  /** Attempts per conversation (the first included) before it is parked. */
  readonly maxAttempts: number;
  /** Full-jitter backoff between attempts: uniform in [0, min(max, base · 2^(attempt-1))). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface ArchiveJobOptions {
  readonly store: StoreRepositories;
  readonly sink: ArchiveSink;
  /** Usually `ConversationSearch` of `@gcm/search-stream` over the shared transport. */
  readonly search: Pick<ConversationSearch, 'search'>;
  /** Usually `MessagingClient` of `@gcm/messaging-client` over the same transport. */
  readonly messaging: HistorySource;
  /** The shared `GenesysTransport`: API calls are counted from it, and its limiter caps concurrency. */
  readonly transport?: ArchiveTransportInfo;
  /** `archive.completed` / `archive.failed` go through its outbox, in the index transaction. */
  readonly webhooks?: Pick<WebhookDispatcher, 'enqueue'>;
  readonly audit?: AuditLog;
  readonly observer?: ArchiveObserver;
  readonly logger?: GenesysLogger;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly random?: RandomSource;

  /** Names the checkpoint, the run lease and the work queues (default `archive`). */
  readonly jobName?: string;
  /**
   * Who holds leases: one id per replica (default `archive@<host>:<pid>`). An id of the
   * form `<name>@<host>:<pid>` lets a process on the same host take over at once when
   * that process is gone, instead of waiting for its leases to expire.
   */
  readonly owner?: string;
  /** Whether the process behind a lease owner is known to be gone (default: a local pid check). */
  readonly isOwnerGone?: OwnerGoneProbe;
  /** The heartbeat's interval timers (default Node's, unref'd). */
  readonly timers?: IntervalTimers;
  /** Windows end this long before now, so late data has arrived (default 10 min). */
  readonly settleDelayMs?: number;
  /** Where the very first window starts (default: `initialLookbackMs` before now). */
  readonly startAt?: number;
  /** Used when there is no watermark and no `startAt` (default 24 h). */
  readonly initialLookbackMs?: number;
  /** A window spans at most this long; a run that is behind works through several (default 1 day). */
  readonly maxWindowMs?: number;
  /** Shorter windows are left for a later run (default 1 min). */
  readonly minWindowMs?: number;
  /** Windows one run works through at most (default 48). */
  readonly maxWindowsPerRun?: number;
  /** Default `activity`: a conversation is archived again when it changed, until it is over. */
  readonly match?: ArchiveMatch;
  /** Extra search filters (media type, messenger types, queues, divisions). */
  readonly criteria?: Omit<SearchCriteriaInput, 'interval'>;
  /** Default `search`. */
  readonly envelope?: EnvelopeSource;
  /** Conversations archived at once (default 8, and never more than the transport's limiter allows). */
  readonly concurrency?: number;
  /**
   * Run lease, work-item lease and job-run heartbeat length (default 30 s): renewed every
   * third of it while work goes on, so a replica that dies hands its work over within it.
   */
  readonly leaseMs?: number;
  readonly retry?: Partial<ArchiveRetryOptions>;
  /** Search results enqueued (and the search position saved) per transaction (default 100). */
  readonly discoveryBatchSize?: number;
  /** How often to look again while other replicas hold the remaining work (default 1 s). */
  readonly pollIntervalMs?: number;
  /** After a stop request, in-flight conversations get this long to finish before being released (default 30 s). */
  readonly shutdownGraceMs?: number;
  /** When another replica runs the job, help with its current queue instead of returning (default true). */
  readonly assist?: boolean;
  /** Record options (redaction) for every archived conversation. */
  readonly record?: ArchiveRecordOptions;
  /** History sync options (bulk concurrency, integrity, SLA). */
  readonly sync?: Omit<SyncOptions, 'signal' | 'window' | 'retention'>;
}

export interface ResolvedArchiveJobOptions {
  readonly jobName: string;
  readonly owner: string;
  readonly settleDelayMs: number;
  readonly startAt?: number;
  readonly initialLookbackMs: number;
  readonly maxWindowMs: number;
  readonly minWindowMs: number;
  readonly maxWindowsPerRun: number;
  readonly match: ArchiveMatch;
  readonly criteria: Omit<SearchCriteriaInput, 'interval'>;
  readonly envelope: EnvelopeSource;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly retry: ArchiveRetryOptions;
  readonly discoveryBatchSize: number;
  readonly pollIntervalMs: number;
  readonly shutdownGraceMs: number;
  readonly assist: boolean;
  readonly record: ArchiveRecordOptions;
  readonly sync: Omit<SyncOptions, 'signal' | 'window' | 'retention'>;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: RandomSource;
  readonly logger: GenesysLogger;
  readonly isOwnerGone: OwnerGoneProbe;
  readonly timers: IntervalTimers;
}

export const DEFAULT_ARCHIVE_RETRY: ArchiveRetryOptions = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
});

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function resolveArchiveJobOptions(options: ArchiveJobOptions): ResolvedArchiveJobOptions {
  const invalid = (name: string, problem: string): never => {
    throw new ArchiveError(ArchiveErrorCode.InvalidOptions, `ArchiveJob option ${name} ${problem}.`);
  };
  for (const dependency of ['store', 'sink', 'search', 'messaging'] as const) {
    if (!options?.[dependency]) invalid(dependency, 'is required');
  }
  const whole = (name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min || v > max) invalid(name, `must be a whole number from ${min} to ${max}, got ${String(value)}`);
    return v;
  };
  const jobName = options.jobName ?? 'archive';
  if (!JOB_NAME.test(jobName)) invalid('jobName', `must be 1-63 letters, digits, ".", "_" or "-", got "${jobName}"`);
  const owner = options.owner ?? `archive@${hostname()}:${process.pid}`;
  if (typeof owner !== 'string' || owner.trim() === '') invalid('owner', 'must be a non-empty string');
  const match = options.match ?? 'activity';
  if (match !== 'activity' && match !== 'started') invalid('match', `must be "activity" or "started", got "${String(match)}"`);
  const envelope = options.envelope ?? 'search';
  if (envelope !== 'search' && envelope !== 'api') invalid('envelope', `must be "search" or "api", got "${String(envelope)}"`);
  if (options.startAt !== undefined && !Number.isFinite(options.startAt)) invalid('startAt', 'must be epoch milliseconds');

  const limiterCap = options.transport?.limiter?.maxConcurrency ?? Infinity;
  const concurrency = Math.max(1, Math.min(whole('concurrency', options.concurrency, 8, 1, 256), limiterCap));
  const retry = { ...DEFAULT_ARCHIVE_RETRY, ...options.retry };
  whole('retry.maxAttempts', retry.maxAttempts, 5, 1, 100);
  whole('retry.baseDelayMs', retry.baseDelayMs, 0, 0);
  whole('retry.maxDelayMs', retry.maxDelayMs, 0, 0);
  const minWindowMs = whole('minWindowMs', options.minWindowMs, MINUTE, 1);
  const maxWindowMs = whole('maxWindowMs', options.maxWindowMs, DAY, 1);
  if (maxWindowMs < minWindowMs) invalid('maxWindowMs', `(${maxWindowMs}) must not be below minWindowMs (${minWindowMs})`);
  return {
    jobName,
    owner,
    settleDelayMs: whole('settleDelayMs', options.settleDelayMs, 10 * MINUTE, 0),
    startAt: options.startAt,
    initialLookbackMs: whole('initialLookbackMs', options.initialLookbackMs, DAY, 1),
    maxWindowMs,
    minWindowMs,
    maxWindowsPerRun: whole('maxWindowsPerRun', options.maxWindowsPerRun, 48, 1, 10_000),
    match,
    criteria: options.criteria ?? {},
    envelope,
    concurrency,
    leaseMs: whole('leaseMs', options.leaseMs, 30_000, 1_000),
    retry,
    discoveryBatchSize: whole('discoveryBatchSize', options.discoveryBatchSize, 100, 1, 500),
    pollIntervalMs: whole('pollIntervalMs', options.pollIntervalMs, 1_000, 1),
    shutdownGraceMs: whole('shutdownGraceMs', options.shutdownGraceMs, 30_000, 0),
    assist: options.assist ?? true,
    record: options.record ?? {},
    sync: options.sync ?? {},
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    logger: options.logger ?? noopLogger,
    isOwnerGone: options.isOwnerGone ?? localProcessGone,
    timers: options.timers ?? realIntervals,
  };
}

/** Full-jitter backoff before the next attempt of a conversation that failed `attempts` times. */
export function retryDelayMs(attempts: number, retry: ArchiveRetryOptions, random: RandomSource): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.min(Math.max(0, attempts - 1), 52));
  return Math.floor(random() * ceiling);
}
