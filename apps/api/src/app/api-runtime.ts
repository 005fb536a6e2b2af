import type { ArchiveJobOptions } from '@gcm/archive';
import type { Clock, RandomSource, RetryPolicy, Sleep } from '@gcm/genesys-auth';
import type { GuestSessionOptions } from '@gcm/messaging-client';
import type { ConversationSearchOptions } from '@gcm/search-stream';
import type { LogSink } from '@gcm/logging';

/** Injection token of the ApiRuntime. */
export const API_RUNTIME = Symbol('API_RUNTIME');

/**
 * What the process supplies beyond configuration: time, randomness and log output, plus
 * tuning that is not an operator setting (tests and benchmarks pass fake clocks, faster
 * job polling, a quieter log). Production uses the defaults.
 */
export interface ApiRuntime {
  readonly clock?: Clock;
  /** Timers: the Genesys transport's backoff and the SSE heartbeat of GET /v1/events (cancelled through its signal). */
  readonly sleep?: Sleep;
  readonly random?: RandomSource;
  readonly logSink?: LogSink;
  /** Extra options for every guest session (e.g. a test's rate limit). */
  readonly guest?: Partial<GuestSessionOptions>;
  readonly search?: Partial<Omit<ConversationSearchOptions, 'transport'>>;
  readonly archive?: Partial<Omit<ArchiveJobOptions, 'store' | 'sink' | 'search' | 'messaging'>>;
  readonly genesysRetry?: Partial<RetryPolicy>;
}
