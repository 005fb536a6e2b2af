import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AuditOutcome } from '@gcm/audit';
import type { JobRun, StoreRepositories } from '@gcm/store';
import { ArchiveError, ArchiveErrorCode } from './archive.error';
import { resolveArchiveJobOptions, type ArchiveJobOptions, type ResolvedArchiveJobOptions } from './archive-job.options';
import {
  OutcomeTally,
  type ArchiveRunKind,
  type ArchiveRunRole,
  type ArchiveRunStatus,
  type ArchiveRunSummary,
  type ArchiveWindowReport,
} from './archive-run-summary';
import { RunLease, type RunLeaseState } from './lease/run-lease';
import { ConversationArchiver } from './pipeline/conversation-archiver';
import { Pulse } from './pipeline/pulse';
import { WindowDiscovery, type StateSlot } from './pipeline/window-discovery';
import { WorkDispatcher, type DrainEnd } from './pipeline/work-dispatcher';
import {
  checkpointNames,
  iso,
  nextScheduledWindow,
  parseArchiveWindow,
  queueNames,
  readWindowState,
  type ArchiveWindow,
  type WindowState,
} from './window/archive-window';

export interface ArchiveRunOptions {
  /** Aborting stops the run: no new conversations, in-flight ones finish or are handed back. */
  readonly signal?: AbortSignal;
}

export interface BackfillOptions extends ArchiveRunOptions {
  /** When another replica holds the run lease, wait for it instead of returning `skipped` (default false). */
  readonly waitForLease?: boolean;
}

/** Where the job stands, for status pages and health checks. */
export interface ArchiveJobStatus {
  /** Conversation time archived up to (ISO-8601), once a first window completed or started. */
  readonly watermark?: string;
  /** The scheduled window in progress, if one is. */
  readonly window?: { readonly start: string; readonly end: string; readonly queue: string; readonly searchDone: boolean };
  /** The replica holding the run lease, while one does. */
  readonly runningOn?: string;
}

interface RunContext {
  readonly runId: string;
  readonly kind: ArchiveRunKind;
  readonly startedAt: number;
  readonly callsAtStart: number;
  readonly tally: OutcomeTally;
  readonly windows: ArchiveWindowReport[];
  jobRun?: JobRun;
}

interface WindowResult {
  readonly report: ArchiveWindowReport;
  readonly end: DrainEnd;
  readonly error?: unknown;
}

/**
 * The archive job: each run takes the window from the watermark to now minus a settle
 * delay and archives every conversation in it — search → work items → lease → history
 * sync → sink → index + webhook event (one transaction) → audit — then moves the
 * watermark, only once every conversation of the window is archived, unchanged or parked.
 *
 * It survives being killed anywhere: the window, the search position and each
 * conversation's state are in the database, so the next run (here or on another replica)
 * continues where this one stopped, and the sink and the index are idempotent by content
 * hash, so nothing is archived twice. One replica runs the job at a time (the run lease);
 * the others help with its queue. Framework-free; `ArchiveModule` wires it for Nest.
 */
export class ArchiveJob {
  private readonly options: ResolvedArchiveJobOptions;
  private readonly store: StoreRepositories;
  private readonly dispatcher: WorkDispatcher;
  private readonly discovery: WindowDiscovery;

  constructor(private readonly deps: ArchiveJobOptions) {
    this.options = resolveArchiveJobOptions(deps);
    this.store = deps.store;
    const archiver = new ConversationArchiver(deps, this.options);
    this.dispatcher = new WorkDispatcher(this.store, archiver, this.options, deps.transport);
    this.discovery = new WindowDiscovery(this.store, deps.search, this.options);
  }

  get jobName(): string {
    return this.options.jobName;
  }

  get owner(): string {
    return this.options.owner;
  }

  /**
   * One scheduled run: works through the windows that are due (several when the job is
   * behind), or helps the replica that holds the run lease.
   */
  async run(options: ArchiveRunOptions = {}): Promise<ArchiveRunSummary> {
    const context = this.begin('scheduled');
    const signal = options.signal ?? new AbortController().signal;
    const lease = this.lease();
    if (!(await lease.tryAcquire())) return this.assist(context, lease, signal);

    let status: ArchiveRunStatus = 'idle';
    let error: unknown;
    try {
      for (let index = 0; index < this.options.maxWindowsPerRun && !signal.aborted; index++) {
        const slot = await this.scheduledSlot();
        if (!slot) break;
        const result = await this.processWindow(context, slot, lease, signal);
        if (!result.report.complete) {
          status = this.incompleteStatus(result);
          error = result.error;
          break;
        }
        await this.advanceWatermark(slot);
        status = 'succeeded';
      }
    } catch (caught) {
      status = 'failed';
      error = caught;
    } finally {
      await lease.release().catch((caught: unknown) => this.options.logger.warn?.(`Cannot release the run lease: ${message(caught)}`));
    }
    const watermark = (await this.store.checkpoints.get(checkpointNames.scheduled(this.options.jobName)))?.watermark;
    return this.finish(context, 'coordinator', status, error, watermark ?? undefined);
  }

  /**
   * Archives an explicit window again, without touching the watermark: every conversation
   * in it is synced, and only content that changed is written. Resumable like a scheduled
   * window: a backfill of the same window that was interrupted continues where it stopped.
   */
  async backfill(window: string | { start: number | string | Date; end: number | string | Date }, options: BackfillOptions = {}): Promise<ArchiveRunSummary> {
    const target = parseArchiveWindow(window);
    const context = this.begin('backfill');
    const signal = options.signal ?? new AbortController().signal;
    const lease = this.lease();
    while (!(await lease.tryAcquire())) {
      if (!options.waitForLease || signal.aborted) {
        const holder = await lease.peek();
        return this.finish(context, 'none', 'skipped', new Error(`Replica ${holder?.owner ?? 'unknown'} is running ${this.options.jobName}; backfill again when it is done.`));
      }
      await this.options.sleep(this.options.pollIntervalMs * 5, signal).catch(() => undefined);
    }

    let status: ArchiveRunStatus;
    let error: unknown;
    try {
      const slot = await this.backfillSlot(target);
      const result = await this.processWindow(context, slot, lease, signal);
      if (result.report.complete) {
        await this.saveState(slot, { ...slot.state, completed: true });
        status = 'succeeded';
      } else {
        status = this.incompleteStatus(result);
        error = result.error;
      }
    } catch (caught) {
      status = 'failed';
      error = caught;
    } finally {
      await lease.release().catch((caught: unknown) => this.options.logger.warn?.(`Cannot release the run lease: ${message(caught)}`));
    }
    return this.finish(context, 'coordinator', status, error);
  }

  async status(): Promise<ArchiveJobStatus> {
    const name = checkpointNames.scheduled(this.options.jobName);
    const checkpoint = await this.store.checkpoints.get(name);
    const state = readWindowState(checkpoint?.resumeToken, name);
    const lease = await this.lease().peek();
    return {
      ...(checkpoint?.watermark != null ? { watermark: iso(checkpoint.watermark) } : {}),
      ...(state ? { window: { start: iso(state.start), end: iso(state.end), queue: state.queue, searchDone: state.searchDone } } : {}),
      ...(lease?.owner && lease.expiresAt > this.options.clock.now() ? { runningOn: lease.owner } : {}),
    };
  }

  // ── windows ──────────────────────────────────────────────────────────────

  /** The scheduled window in progress, or the next one when it is due. */
  private async scheduledSlot(): Promise<(StateSlot & { resumed: boolean }) | undefined> {
    const name = checkpointNames.scheduled(this.options.jobName);
    const checkpoint = await this.store.checkpoints.get(name);
    const stored = readWindowState(checkpoint?.resumeToken, name);
    if (checkpoint && stored) {
      return { checkpoint: name, watermark: checkpoint.watermark, revision: checkpoint.revision, state: stored, resumed: true };
    }
    const now = this.options.clock.now();
    const watermark = checkpoint?.watermark ?? this.options.startAt ?? now - this.options.initialLookbackMs;
    const window = nextScheduledWindow(watermark, now, this.options);
    const state: WindowState | null = window
      ? { v: 1, kind: 'scheduled', ...window, queue: queueNames.scheduled(this.options.jobName, window), searchDone: false }
      : null;
    if (!state && checkpoint) return undefined;
    // the first run fixes the starting watermark, so later runs do not drift with "now"
    const written = await this.store.checkpoints.compareAndSet(name, checkpoint?.revision ?? null, { watermark, resumeToken: state });
    if (!written) throw this.stateRace(name);
    return state ? { checkpoint: name, watermark, revision: written.revision, state, resumed: false } : undefined;
  }

  private async backfillSlot(window: ArchiveWindow): Promise<StateSlot & { resumed: boolean }> {
    const name = checkpointNames.backfill(this.options.jobName, window);
    const checkpoint = await this.store.checkpoints.get(name);
    const stored = readWindowState(checkpoint?.resumeToken, name);
    if (checkpoint && stored && !stored.completed) {
      return { checkpoint: name, watermark: null, revision: checkpoint.revision, state: stored, resumed: true };
    }
    const generation = (stored?.generation ?? 0) + 1;
    const state: WindowState = {
      v: 1,
      kind: 'backfill',
      ...window,
      queue: queueNames.backfill(this.options.jobName, window, generation),
      searchDone: false,
      generation,
    };
    const written = await this.store.checkpoints.compareAndSet(name, checkpoint?.revision ?? null, { watermark: null, resumeToken: state });
    if (!written) throw this.stateRace(name);
    return { checkpoint: name, watermark: null, revision: written.revision, state, resumed: false };
  }

  /** Search and archive concurrently until the window is complete, the run is stopped, or the lease is lost. */
  private async processWindow(
    context: RunContext,
    slot: StateSlot & { resumed: boolean },
    lease: RunLease,
    signal: AbortSignal,
  ): Promise<WindowResult> {
    const { logger } = this.options;
    const { queue } = slot.state;
    const window: ArchiveWindow = { start: slot.state.start, end: slot.state.end };
    context.jobRun ??= await this.store.jobRuns.start(context.kind === 'scheduled' ? this.options.jobName : `${this.options.jobName}:backfill`);
    logger.info?.(`Archiving window ${iso(window.start)}/${iso(window.end)}${slot.resumed ? ' (resumed)' : ''}`, {
      runId: context.runId,
      queue,
      resumed: slot.resumed,
    });
    // helpers look for the queue in the lease: publish it before the work starts
    if (!(await lease.renew({ queue, searching: !slot.state.searchDone }))) {
      throw new ArchiveError(ArchiveErrorCode.RunLeaseLost, `Replica ${this.options.owner} lost the run lease before archiving ${queue}.`);
    }
    await this.reclaimOwnOrphans(queue);

    const stop = new AbortController();
    const runSignal = AbortSignal.any([signal, stop.signal]);
    // the search, the dispatcher and its pauses all listen on it
    setMaxListeners(0, runSignal);
    const arrivals = new Pulse();
    let searching = !slot.state.searchDone;
    let searchError: unknown;
    const search = searching
      ? this.discovery
          .discover(slot, { signal: runSignal, onBatch: () => arrivals.fire() })
          .catch((caught: unknown) => {
            searchError = caught;
            if (!runSignal.aborted) logger.error?.(`Searching window ${iso(window.start)}/${iso(window.end)} failed: ${message(caught)}`, { runId: context.runId, queue });
          })
          .finally(() => {
            searching = false;
            arrivals.fire();
          })
      : Promise.resolve();

    let end: DrainEnd;
    try {
      end = await this.dispatcher.drain({
        queue,
        runId: context.runId,
        window,
        signal: runSignal,
        moreMayArrive: () => searching,
        arrivals,
        keepAlive: () => lease.keepAlive({ queue, searching }),
        onOutcome: (outcome) => context.tally.add(outcome),
      });
    } finally {
      stop.abort(new Error('the window is no longer being archived'));
      await search;
    }

    const counts = await this.store.workItems.countByStatus(queue);
    const found = counts.pending + counts['in-flight'] + counts.done + counts.dead;
    const complete = end === 'drained' && searchError === undefined && slot.state.searchDone;
    const report: ArchiveWindowReport = { start: iso(window.start), end: iso(window.end), queue, found, complete, resumed: slot.resumed };
    context.windows.push(report);
    const error =
      end === 'lease-lost'
        ? new ArchiveError(ArchiveErrorCode.RunLeaseLost, `Replica ${this.options.owner} lost the run lease while archiving ${queue}; another replica continues it.`)
        : end === 'stopped'
          ? new ArchiveError(ArchiveErrorCode.Cancelled, `The run was stopped before ${queue} was complete; the next run continues it.`)
          : searchError !== undefined
            ? searchError instanceof ArchiveError
              ? searchError
              : new ArchiveError(ArchiveErrorCode.DiscoveryFailed, `Searching ${queue} failed: ${message(searchError)}. The next run resumes the search.`, { cause: searchError })
            : undefined;
    return { report, end, error };
  }

  /**
   * Helps the replica holding the run lease: works its current queue (and the next ones
   * while it keeps going) without searching or moving the watermark.
   */
  private async assist(context: RunContext, lease: RunLease, signal: AbortSignal): Promise<ArchiveRunSummary> {
    if (!this.options.assist) return this.finish(context, 'none', 'skipped', new Error('another replica holds the run lease'));
    const helped = new Set<string>();
    let end: DrainEnd = 'drained';
    for (let index = 0; index < this.options.maxWindowsPerRun && !signal.aborted; index++) {
      const holder = await this.publishedQueue(lease, signal);
      if (!holder?.queue || !this.isHeldByOther(holder) || helped.has(holder.queue)) break;
      const queue = holder.queue;
      helped.add(queue);
      context.jobRun ??= await this.store.jobRuns.start(this.options.jobName);
      this.options.logger.info?.(`Helping ${holder.owner} with ${queue}`, { runId: context.runId, queue });
      await this.reclaimOwnOrphans(queue);
      const window = windowOfQueue(queue);
      end = await this.dispatcher.drain({
        queue,
        runId: context.runId,
        window,
        signal,
        moreMayArrive: async () => {
          const current = await lease.peek();
          return !!current && this.isHeldByOther(current) && current.queue === queue && current.searching === true;
        },
        onOutcome: (outcome) => context.tally.add(outcome),
      });
      const counts = await this.store.workItems.countByStatus(queue);
      context.windows.push({
        start: iso(window.start),
        end: iso(window.end),
        queue,
        found: counts.pending + counts['in-flight'] + counts.done + counts.dead,
        // the holder decides when its window is complete; this is what the helper saw
        complete: end === 'drained' && counts.pending + counts['in-flight'] === 0,
        resumed: true,
      });
      if (end !== 'drained') break;
    }
    if (helped.size === 0) return this.finish(context, 'none', 'skipped', new Error('another replica holds the run lease and has no queue to help with'));
    const status: ArchiveRunStatus = end === 'stopped' ? 'cancelled' : context.tally.parked > 0 ? 'partial' : 'succeeded';
    return this.finish(context, 'helper', status);
  }

  /**
   * The holder's lease once it names a queue: a replica that just took the lease needs a
   * moment to pick its window. Gives up after a few polls (it may have nothing to do).
   */
  private async publishedQueue(lease: RunLease, signal: AbortSignal): Promise<RunLeaseState | undefined> {
    for (let poll = 0; ; poll++) {
      const holder = await lease.peek();
      if (!holder || !this.isHeldByOther(holder) || holder.queue || poll >= 10 || signal.aborted) return holder;
      await this.options.sleep(this.options.pollIntervalMs, signal).catch(() => undefined);
    }
  }

  // ── state ────────────────────────────────────────────────────────────────

  private async advanceWatermark(slot: StateSlot): Promise<void> {
    const written = await this.store.checkpoints.compareAndSet(slot.checkpoint, slot.revision, { watermark: slot.state.end, resumeToken: null });
    if (!written) throw this.stateRace(slot.checkpoint);
    this.options.logger.info?.(`Watermark moved to ${iso(slot.state.end)}`, { watermark: iso(slot.state.end) });
  }

  private async saveState(slot: StateSlot, state: WindowState): Promise<void> {
    const written = await this.store.checkpoints.compareAndSet(slot.checkpoint, slot.revision, { watermark: slot.watermark, resumeToken: state });
    if (!written) throw this.stateRace(slot.checkpoint);
    slot.revision = written.revision;
    slot.state = state;
  }

  /**
   * Items this replica held when it last stopped without handing them back (kill -9):
   * their leases would block them until they expire. Replica ids are unique per running
   * process, so these are orphans; failing them makes them due at once and counts the
   * crash as an attempt, so a conversation that crashes the process is parked eventually.
   */
  private async reclaimOwnOrphans(queue: string): Promise<void> {
    const { owner, logger } = this.options;
    const orphans = (await this.store.workItems.list(queue, 'in-flight', 1_000)).filter((item) => item.leaseOwner === owner);
    for (const item of orphans) {
      await this.store.workItems.fail(item.id, owner, `Replica ${owner} stopped while archiving it (crash or kill); trying again.`, { retryDelayMs: 0 });
    }
    if (orphans.length > 0) logger.warn?.(`Took back ${orphans.length} conversations this replica was archiving when it stopped`, { queue });
  }

  // ── bookkeeping ──────────────────────────────────────────────────────────

  private lease(): RunLease {
    return new RunLease(this.store, checkpointNames.lease(this.options.jobName), this.options.owner, this.options.leaseMs, this.options.clock);
  }

  private isHeldByOther(state: RunLeaseState): boolean {
    return !!state.owner && state.owner !== this.options.owner && state.expiresAt > this.options.clock.now();
  }

  private begin(kind: ArchiveRunKind): RunContext {
    const context: RunContext = {
      runId: randomUUID(),
      kind,
      startedAt: this.options.clock.now(),
      callsAtStart: this.deps.transport?.requestCount ?? 0,
      tally: new OutcomeTally(),
      windows: [],
    };
    this.deps.observer?.runStarted?.({ runId: context.runId, kind });
    return context;
  }

  private incompleteStatus(result: WindowResult): ArchiveRunStatus {
    return result.end === 'stopped' ? 'cancelled' : 'failed';
  }

  private async finish(
    context: RunContext,
    role: ArchiveRunRole,
    status: ArchiveRunStatus,
    error?: unknown,
    watermark?: number,
  ): Promise<ArchiveRunSummary> {
    const { logger, clock } = this.options;
    const finalStatus: ArchiveRunStatus = status === 'succeeded' && context.tally.parked > 0 ? 'partial' : status;
    const summary: ArchiveRunSummary = {
      runId: context.runId,
      ...(context.jobRun ? { jobRunId: context.jobRun.id } : {}),
      kind: context.kind,
      role,
      status: finalStatus,
      windows: context.windows,
      found: context.windows.reduce((sum, window) => sum + window.found, 0),
      ...context.tally.counts(),
      apiCalls: (this.deps.transport?.requestCount ?? 0) - context.callsAtStart,
      durationMs: clock.now() - context.startedAt,
      ...(watermark !== undefined ? { watermark: iso(watermark) } : {}),
      ...(error !== undefined ? { error: message(error) } : {}),
    };
    if (context.jobRun) {
      await this.store.jobRuns
        .end(context.jobRun.id, {
          status: finalStatus === 'succeeded' || finalStatus === 'partial' || finalStatus === 'failed' || finalStatus === 'cancelled' ? finalStatus : 'succeeded',
          counts: {
            found: summary.found,
            archived: summary.archived,
            unchanged: summary.unchanged,
            failed: summary.failed,
            parked: summary.parked,
            apiCalls: summary.apiCalls,
            durationMs: summary.durationMs,
            windows: summary.windows.length,
          },
          errors: summary.error ? [summary.error] : [],
        })
        .catch((caught: unknown) => logger.warn?.(`Cannot record the end of job run ${context.jobRun?.id}: ${message(caught)}`));
      await this.deps.audit
        ?.append({
          actor: this.options.owner,
          action: `archive.run.${context.kind}`,
          target: context.runId,
          outcome: auditOutcome(finalStatus),
          latencyMs: summary.durationMs,
          details: { ...summary, windows: summary.windows.map((w) => `${w.start}/${w.end}${w.complete ? '' : ' (incomplete)'}`) },
        })
        .catch((caught: unknown) => logger.error?.(`Cannot write the audit record of run ${context.runId}: ${message(caught)}`));
    }
    const level = finalStatus === 'failed' ? 'error' : finalStatus === 'partial' || finalStatus === 'cancelled' ? 'warn' : 'info';
    logger[level]?.(`Archive run ${finalStatus}`, { ...summary });
    this.deps.observer?.runFinished?.(summary);
    return summary;
  }

  private stateRace(checkpoint: string): ArchiveError {
    return new ArchiveError(
      ArchiveErrorCode.RunLeaseLost,
      `Checkpoint ${checkpoint} was changed by another process; replica ${this.options.owner} no longer runs ${this.options.jobName}.`,
    );
  }
}

function auditOutcome(status: ArchiveRunStatus): AuditOutcome {
  return status === 'succeeded' || status === 'idle' ? 'success' : status === 'partial' || status === 'cancelled' ? 'partial' : 'failure';
}

/** The window a queue name describes (`<job>[:backfill]:<start>/<end>[#n]`). */
function windowOfQueue(queue: string): ArchiveWindow {
  const match = /(\d{4}-[^/]+Z)\/(\d{4}-[^/#]+Z)(#\d+)?$/.exec(queue);
  const start = match ? Date.parse(match[1]) : NaN;
  const end = match ? Date.parse(match[2]) : NaN;
  return Number.isFinite(start) && Number.isFinite(end) ? { start, end } : { start: 0, end: 0 };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
