import { setMaxListeners } from 'node:events';
import type { StoreFaultError, StoreRepositories, WorkItem } from '@gcm/store';
import type { ArchiveTransportInfo, ResolvedArchiveJobOptions } from '../archive-job.options';
import type { ConversationOutcome } from '../archive-observer';
import type { ArchiveWindow } from '../window/archive-window';
import type { ConversationArchiver } from './conversation-archiver';
import { Heartbeat } from './heartbeat';
import { Pulse, whenAborted } from './pulse';

export interface DrainOptions {
  readonly queue: string;
  readonly runId: string;
  readonly window: ArchiveWindow;
  /** Stop claiming; in-flight conversations get `shutdownGraceMs`, then are handed back. */
  readonly signal: AbortSignal;
  /** More items may still be enqueued (the search is running). */
  readonly moreMayArrive: () => boolean | Promise<boolean>;
  /** Fired when items were enqueued or the search ended. */
  readonly arrivals?: Pulse;
  /**
   * Called every round, and by the heartbeat with `force` (every third of the lease, on
   * wall-clock time); false stops the drain (the run lease was lost).
   */
  readonly keepAlive?: (force?: boolean) => Promise<boolean>;
  readonly onOutcome: (outcome: ConversationOutcome) => void;
  /** Told of the first global storage fault, which ends the drain `faulted`. */
  readonly onFault?: (fault: StoreFaultError) => void;
}

/** A conversation costs one GET and one bulk POST (per 1,000 messages). */
const CALLS_PER_CONVERSATION = 2;

/**
 * Why a drain ended: the queue is empty and nothing more will come, a stop request, a lost
 * run lease, or a global storage fault (full disk, database unreachable for the budget).
 */
export type DrainEnd = 'drained' | 'stopped' | 'lease-lost' | 'faulted';

/**
 * Works a queue with at most `concurrency` conversations at once. One loop claims as many
 * items as there are free slots (a lease each, `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
 * replicas share a queue without overlap) and waits:
 * - for a local conversation to finish, while any runs: never on the clock, so a fake
 *   clock cannot age the leases of work in progress;
 * - for the search, while it may still enqueue more;
 * - on the clock, until the next backoff is due or another replica's lease may have
 *   ended, when only those remain.
 * Every Genesys call goes through the one shared transport, whose limiter paces them.
 */
export class WorkDispatcher {
  constructor(
    private readonly store: StoreRepositories,
    private readonly archiver: ConversationArchiver,
    private readonly options: ResolvedArchiveJobOptions,
    private readonly transport?: ArchiveTransportInfo,
  ) {}

  async drain(options: DrainOptions): Promise<DrainEnd> {
    const { concurrency, owner, leaseMs, logger } = this.options;
    const running = new Map<number, Promise<void>>();
    const settled = new Pulse();
    const hardStop = new AbortController();
    // every request of every conversation in flight listens on it
    setMaxListeners(0, hardStop.signal);
    const stopRequested = whenAborted(options.signal);
    let faulted = false;
    const onFault = (fault: StoreFaultError) => {
      if (faulted) return;
      faulted = true;
      logger.error?.(`Stopping the run: ${fault.message}`, { queue: options.queue, runId: options.runId });
      options.onFault?.(fault);
      settled.fire();
    };
    const start = (item: WorkItem) => {
      const task = this.archiver
        .archive(item, { runId: options.runId, queue: options.queue, window: options.window, signal: hardStop.signal, onFault })
        .then(options.onOutcome, (error: unknown) => {
          // the archiver turns failures into outcomes; this is a bug or a broken database
          logger.error?.(`Archiving conversation ${item.key} failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, {
            conversationId: item.key,
            runId: options.runId,
          });
        })
        .finally(() => {
          running.delete(item.id);
          settled.fire();
        });
      running.set(item.id, task);
    };

    // item leases are short: renewed every third of a lease, on the loop's rounds and by
    // a wall-clock heartbeat while the loop waits
    let itemsRenewedAt = this.options.clock.now();
    let leaseLost = false;
    const renewItems = async (force: boolean) => {
      if (running.size === 0 || (!force && this.options.clock.now() - itemsRenewedAt < leaseMs / 3)) return;
      itemsRenewedAt = this.options.clock.now();
      const lost = await this.store.workItems.renewMany([...running.keys()], owner, leaseMs);
      if (lost.length > 0) logger.warn?.(`Lost the lease on ${lost.length} conversations being archived (they expired and were taken over)`, { queue: options.queue });
    };
    const heartbeat = new Heartbeat(
      this.options.timers,
      leaseMs / 3,
      async () => {
        await renewItems(true);
        if (options.keepAlive && !(await options.keepAlive(true))) {
          leaseLost = true;
          settled.fire();
        }
      },
      (error) => logger.warn?.(`Lease heartbeat failed (retrying at the next beat): ${(error as Error)?.message ?? String(error)}`, { queue: options.queue }),
    ).start();

    let end: DrainEnd = 'drained';
    try {
      for (;;) {
        if (faulted) {
          end = 'faulted';
          break;
        }
        if (options.signal.aborted) {
          end = 'stopped';
          break;
        }
        await renewItems(false);
        if (leaseLost || (options.keepAlive && !(await options.keepAlive()))) {
          end = 'lease-lost';
          break;
        }
        const budget = this.budget();
        const free = Math.min(concurrency - running.size, budget.conversations);
        if (free > 0) {
          const items = await this.store.workItems.claim(options.queue, { owner, limit: free, leaseMs });
          for (const item of items) start(item);
          if (items.length > 0) continue;
        } else if (running.size === 0 && budget.resetAt !== undefined) {
          // the budget is spent: taking conversations now would only hold their leases
          // while the transport waits for the reset
          await this.pause(budget.resetAt - this.options.clock.now(), options.signal, undefined);
          continue;
        }
        const arrivals = options.arrivals?.wait();
        if (running.size > 0) {
          await Promise.race([settled.wait(), stopRequested, ...(arrivals ? [arrivals] : [])]);
          continue;
        }
        const counts = await this.store.workItems.countByStatus(options.queue);
        const more = await options.moreMayArrive();
        const open = counts.pending + counts['in-flight'];
        if (open === 0 && !more) break;
        if (open === 0 && arrivals) {
          await Promise.race([arrivals, stopRequested]);
          continue;
        }
        await this.pause(await this.nextPollMs(options.queue, counts['in-flight'] > 0 || more), options.signal, arrivals);
      }
    } finally {
      if (running.size > 0) {
        if (end !== 'drained') {
          const grace = new AbortController();
          await Promise.race([
            Promise.allSettled(running.values()),
            this.options.sleep(this.options.shutdownGraceMs, grace.signal).catch(() => undefined),
          ]);
          grace.abort();
          hardStop.abort(new Error('the archive run is stopping'));
        }
        await Promise.allSettled(running.values());
      }
      // the heartbeat kept the leases of the conversations finishing in the grace period
      await heartbeat.stop();
    }
    return end;
  }

  /**
   * How many more conversations the Genesys rate budget can pay for (about two calls
   * each), while Genesys reports one that has not reset yet.
   */
  private budget(): { conversations: number; resetAt?: number } {
    const budget = this.transport?.rateLimit;
    if (!budget || budget.resetAt === undefined || budget.resetAt <= this.options.clock.now()) return { conversations: Infinity };
    return { conversations: Math.floor(budget.remaining / CALLS_PER_CONVERSATION), resetAt: budget.resetAt };
  }

  /** Until the earliest backoff ends, or a poll interval when other replicas hold work. */
  private async nextPollMs(queue: string, othersHoldWork: boolean): Promise<number> {
    const { pollIntervalMs, clock } = this.options;
    const pending = await this.store.workItems.list(queue, 'pending', 100);
    const due = pending.length > 0 ? Math.min(...pending.map((item) => item.nextAttemptAt)) - clock.now() : Infinity;
    const wait = othersHoldWork || pending.length === 100 ? Math.min(due, pollIntervalMs) : due;
    return Math.max(1, Math.min(wait, pollIntervalMs * 60));
  }

  private async pause(ms: number, signal: AbortSignal, arrivals: Promise<void> | undefined): Promise<void> {
    const done = new AbortController();
    try {
      await Promise.race([
        this.options.sleep(ms, AbortSignal.any([signal, done.signal])).catch(() => undefined),
        ...(arrivals ? [arrivals] : []),
      ]);
    } finally {
      done.abort();
    }
  }
}
