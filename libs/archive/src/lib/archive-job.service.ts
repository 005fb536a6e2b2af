import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AuditOutcome } from '@gcm/audit';
import type { JobRun, StoreRepositories } from '@gcm/store';
import { ArchiveError, ArchiveErrorCode } from './archive.error';
import { faultReport, windowError } from './pipeline/run-errors';
import { resolveArchiveJobOptions, type ArchiveJobOptions, type ResolvedArchiveJobOptions } from './archive-job.options';
import {
  OutcomeTally,
  type ArchiveRunKind,
  type ArchiveRunRole,
  type ArchiveRunStatus,
  type ArchiveRunSummary,
  type ArchiveWindowReport,
} from './archive-run-summary';
import { describeLeaseHolder, RunLease, type LeaseTakeover, type RunLeaseState } from './lease/run-lease';
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
  readRequestWindow,
  readWindowState,
  describeWindow,
  type ArchiveWindow,
  type WindowState,
} from './window/archive-window';

export interface ArchiveRunOptions {
  /** Aborting stops the run: no new conversations, in-flight ones finish or are handed back. */
  readonly signal?: AbortSignal;
}

export interface BackfillOptions extends ArchiveRunOptions {
  /**
   * When another replica holds the run lease, help it and wait for it instead of returning
   * `skipped` (default false).
   */
  readonly waitForLease?: boolean;
  /**
   * Names the request, so that the same request after a crash continues the window it
   * resolved the first time (e.g. `gcm archive run --from 8d` names `from=8d,to=now`): while
   * that window is unfinished, `window` is ignored and the stored one is continued.
   */
  readonly request?: { readonly key: string; readonly restart?: boolean };
  /** Told what the backfill is about to do (resume, help, wait for a holder). */
  readonly onNotice?: (notice: BackfillNotice) => void;
}

/** What a backfill tells the person waiting for it. */
export type BackfillNotice =
  | { readonly kind: 'resuming'; readonly window: ArchiveWindow; readonly done: number; readonly found: number; readonly searchDone: boolean }
  | { readonly kind: 'restarting'; readonly previous: ArchiveWindow; readonly closed: number }
  | { readonly kind: 'waiting'; readonly holder: RunLeaseState; readonly message: string }
  | { readonly kind: 'helping'; readonly holder: string; readonly queue: string }
  | { readonly kind: 'took-over'; readonly takeover: LeaseTakeover };

/** Where the job stands, for status pages and health checks. */
export interface ArchiveJobStatus {
  /** Conversation time archived up to (ISO-8601), once a first window completed or started. */
  readonly watermark?: string;
  /** The scheduled window in progress, if one is. */
  readonly window?: { readonly start: string; readonly end: string; readonly queue: string; readonly searchDone: boolean };
  /** The replica holding the run lease, while one does. */
  readonly runningOn?: string;
  /** The run lease while a replica holds it: since when, and when it expires unless renewed. */
  readonly lease?: { readonly owner: string; readonly since?: string; readonly expiresAt: string; readonly queue?: string };
}

interface RunContext {
  readonly runId: string;
  readonly kind: ArchiveRunKind;
  readonly startedAt: number;
  readonly callsAtStart: number;
  readonly tally: OutcomeTally;
  readonly windows: ArchiveWindowReport[];
  jobRun?: JobRun;
  /** When the job run row last said this process is alive. */
  beatAt: number;
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
    // the run takes the windows due now and ends; the next run continues from the watermark
    const target = this.options.clock.now();
    const lease = this.lease();
    try {
      if (!(await this.acquire(lease, context))) {
        const helped = await this.assist(context, lease, signal);
        // the holder may have died while this replica helped (its lease expires unrenewed):
        // take over now rather than at the next tick
        if (signal.aborted || !(await this.holderStoppedRenewing(lease, signal)) || !(await this.acquire(lease, context))) {
          return await this.finish(context, helped.role, helped.status, helped.error);
        }
      }
      return await this.coordinateScheduled(context, lease, signal, target);
    } catch (caught) {
      await this.releaseQuietly(lease);
      return this.finish(context, 'coordinator', 'failed', caught);
    }
  }

  private async coordinateScheduled(context: RunContext, lease: RunLease, signal: AbortSignal, target: number): Promise<ArchiveRunSummary> {
    let status: ArchiveRunStatus = 'idle';
    let error: unknown;
    try {
      for (let index = 0; index < this.options.maxWindowsPerRun && !signal.aborted; index++) {
        const slot = await this.scheduledSlot(target);
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
      if ((status === 'idle' || status === 'succeeded') && !signal.aborted) {
        const adopted = await this.adoptOrphanedBackfills(context, lease, signal);
        if (adopted) ({ status, error } = { status: adopted.status === 'idle' ? status : adopted.status, error: adopted.error });
      }
    } catch (caught) {
      status = 'failed';
      error = caught;
    } finally {
      await this.releaseQuietly(lease);
    }
    const watermark = await this.store.checkpoints.get(checkpointNames.scheduled(this.options.jobName)).then(
      (checkpoint) => checkpoint?.watermark ?? undefined,
      () => undefined,
    );
    return this.finish(context, 'coordinator', status, error, watermark);
  }

  /**
   * Archives an explicit window again, without touching the watermark: every conversation
   * in it is synced, and only content that changed is written. Resumable like a scheduled
   * window: a backfill of the same window that was interrupted continues where it stopped.
   */
  async backfill(window: string | { start: number | string | Date; end: number | string | Date }, options: BackfillOptions = {}): Promise<ArchiveRunSummary> {
    const asked = parseArchiveWindow(window);
    const context = this.begin('backfill');
    const signal = options.signal ?? new AbortController().signal;
    const notice = options.onNotice ?? (() => undefined);
    const lease = this.lease();
    let role: ArchiveRunRole = 'none';
    let helperError: unknown;
    try {
      const target = options.request ? await this.resolveRequest(options.request, asked, notice) : asked;
      // a backfill of a window already being backfilled joins it; otherwise it wants a pass that starts after now
      const initial = await this.backfillState(target);
      let wanted = initial && !initial.completed ? (initial.generation ?? 1) : (initial?.generation ?? 0) + 1;
      if (initial && !initial.completed) await this.noticeResume(initial, notice);
      let waitingSaid = false;
      while (!signal.aborted) {
        const state = await this.backfillState(target);
        if (state?.completed && (state.generation ?? 1) >= wanted) {
          // another replica completed the pass this one joined
          return await this.finish(context, role === 'none' ? 'helper' : role, context.tally.parked > 0 ? 'partial' : 'succeeded', helperError);
        }
        if (state && !state.completed) wanted = Math.min(wanted, state.generation ?? 1);
        if (await this.acquire(lease, context, notice)) return await this.coordinateBackfill(context, lease, signal, target);
        const holder = await lease.peek();
        if (!options.waitForLease) {
          return await this.finish(context, 'none', 'skipped', new Error(`Replica ${holder?.owner ?? 'unknown'} is running ${this.options.jobName}; backfill again when it is done.`));
        }
        if (holder && lease.heldByOther(holder) && !waitingSaid) {
          waitingSaid = true;
          notice({ kind: 'waiting', holder, message: `${describeLeaseHolder(holder, this.options.clock.now())}; helping it meanwhile` });
        }
        const helped = await this.assist(context, lease, signal, notice);
        if (helped.role === 'helper') role = 'helper';
        helperError = helped.error;
        // the holder is finishing (or between windows): look again after a poll interval
        await this.options.sleep(this.options.pollIntervalMs, signal).catch(() => undefined);
      }
      return await this.finish(context, role, 'cancelled', new ArchiveError(ArchiveErrorCode.Cancelled, 'The backfill was stopped before its window was complete; the same request continues it.'));
    } catch (caught) {
      await this.releaseQuietly(lease);
      return this.finish(context, role === 'none' ? 'coordinator' : role, 'failed', caught);
    }
  }

  private async coordinateBackfill(context: RunContext, lease: RunLease, signal: AbortSignal, target: ArchiveWindow): Promise<ArchiveRunSummary> {
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
      await this.releaseQuietly(lease);
    }
    return this.finish(context, 'coordinator', status, error);
  }

  /**
   * Backfill windows left unfinished by a process that is gone (no live holder: the caller
   * holds the run lease) are adopted by the scheduled run once it is caught up, so no queue
   * stays pending forever. At most `maxWindowsPerRun` in one run.
   */
  private async adoptOrphanedBackfills(context: RunContext, lease: RunLease, signal: AbortSignal): Promise<{ status: ArchiveRunStatus; error?: unknown } | undefined> {
    const prefix = `${this.options.jobName}:backfill:`;
    let result: { status: ArchiveRunStatus; error?: unknown } | undefined;
    for (const checkpoint of await this.store.checkpoints.list(prefix)) {
      if (signal.aborted || context.windows.length >= this.options.maxWindowsPerRun) break;
      const state = readWindowState(checkpoint.resumeToken, checkpoint.jobName);
      if (!state || state.completed) continue;
      this.options.logger.warn?.(`Adopting the unfinished backfill ${describeWindow(state)}: the process that started it is gone`, { queue: state.queue });
      const slot = { checkpoint: checkpoint.jobName, watermark: null, revision: checkpoint.revision, state, resumed: true };
      const outcome = await this.processWindow(context, slot, lease, signal);
      if (!outcome.report.complete) return { status: this.incompleteStatus(outcome), error: outcome.error };
      await this.saveState(slot, { ...slot.state, completed: true });
      result = { status: 'succeeded' };
    }
    return result;
  }

  /**
   * The window a named request works on: the one it resolved before while that is
   * unfinished (a rerun after a crash continues it), else `asked`. `restart` drops the
   * unfinished one: its remaining work items are closed, never left pending.
   */
  private async resolveRequest(request: { key: string; restart?: boolean }, asked: ArchiveWindow, notice: (notice: BackfillNotice) => void): Promise<ArchiveWindow> {
    const name = checkpointNames.request(this.options.jobName, request.key);
    const stored = await this.store.checkpoints.get(name);
    const previous = readRequestWindow(stored?.resumeToken);
    if (previous) {
      const state = await this.backfillState(previous);
      const unfinished = !state || !state.completed;
      if (unfinished && !request.restart) return previous;
      if (unfinished && state) {
        const closed = await this.store.workItems.closeOpen(state.queue);
        const slotName = checkpointNames.backfill(this.options.jobName, previous);
        const checkpoint = await this.store.checkpoints.get(slotName);
        if (checkpoint) await this.store.checkpoints.compareAndSet(slotName, checkpoint.revision, { watermark: null, resumeToken: { ...state, completed: true, closed: true } });
        notice({ kind: 'restarting', previous, closed });
        this.options.logger.warn?.(`Restarting request ${request.key}: closed window ${describeWindow(previous)} with ${closed} conversations not archived`, { queue: state.queue });
      }
    }
    const written = await this.store.checkpoints.compareAndSet(name, stored?.revision ?? null, {
      watermark: null,
      resumeToken: { v: 1, start: asked.start, end: asked.end, resolvedAt: this.options.clock.now() },
    });
    if (!written) throw this.stateRace(name);
    return asked;
  }

  private async backfillState(window: ArchiveWindow): Promise<WindowState | undefined> {
    const name = checkpointNames.backfill(this.options.jobName, window);
    return readWindowState((await this.store.checkpoints.get(name))?.resumeToken, name);
  }

  private async noticeResume(state: WindowState, notice: (notice: BackfillNotice) => void): Promise<void> {
    const counts = await this.store.workItems.countByStatus(state.queue);
    notice({
      kind: 'resuming',
      window: { start: state.start, end: state.end },
      done: counts.done + counts.dead,
      found: counts.pending + counts['in-flight'] + counts.done + counts.dead,
      searchDone: state.searchDone,
    });
  }

  async status(): Promise<ArchiveJobStatus> {
    const name = checkpointNames.scheduled(this.options.jobName);
    const checkpoint = await this.store.checkpoints.get(name);
    const state = readWindowState(checkpoint?.resumeToken, name);
    const lease = await this.lease().peek();
    const held = lease?.owner && lease.expiresAt > this.options.clock.now() ? lease : undefined;
    return {
      ...(checkpoint?.watermark != null ? { watermark: iso(checkpoint.watermark) } : {}),
      ...(state ? { window: { start: iso(state.start), end: iso(state.end), queue: state.queue, searchDone: state.searchDone } } : {}),
      ...(held?.owner
        ? {
            runningOn: held.owner,
            lease: {
              owner: held.owner,
              ...(held.since !== undefined ? { since: iso(held.since) } : {}),
              expiresAt: iso(held.expiresAt),
              ...(held.queue ? { queue: held.queue } : {}),
            },
          }
        : {}),
    };
  }

  /**
   * Work items of the queue being archived now (the run lease holder's, else the scheduled
   * window in progress) by status, for queue-depth metrics. Undefined when none is open.
   */
  async queueDepth(): Promise<{ queue: string; counts: Awaited<ReturnType<StoreRepositories['workItems']['countByStatus']>> } | undefined> {
    const lease = await this.lease().peek();
    let queue = lease?.owner && lease.expiresAt > this.options.clock.now() ? lease.queue : undefined;
    if (!queue) {
      const name = checkpointNames.scheduled(this.options.jobName);
      queue = readWindowState((await this.store.checkpoints.get(name))?.resumeToken, name)?.queue;
    }
    return queue ? { queue, counts: await this.store.workItems.countByStatus(queue) } : undefined;
  }

  // ── windows ──────────────────────────────────────────────────────────────

  /** The scheduled window in progress, or the next one when it is due. */
  private async scheduledSlot(target: number): Promise<(StateSlot & { resumed: boolean }) | undefined> {
    const name = checkpointNames.scheduled(this.options.jobName);
    const checkpoint = await this.store.checkpoints.get(name);
    const stored = readWindowState(checkpoint?.resumeToken, name);
    if (checkpoint && stored) {
      return { checkpoint: name, watermark: checkpoint.watermark, revision: checkpoint.revision, state: stored, resumed: true };
    }
    const watermark = checkpoint?.watermark ?? this.options.startAt ?? target - this.options.initialLookbackMs;
    const window = nextScheduledWindow(watermark, target, this.options);
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
    await this.startJobRun(context, context.kind === 'scheduled' ? this.options.jobName : `${this.options.jobName}:backfill`);
    logger.info?.(`Archiving window ${iso(window.start)}/${iso(window.end)}${slot.resumed ? ' (resumed)' : ''}`, {
      runId: context.runId,
      queue,
      resumed: slot.resumed,
    });
    // helpers look for the queue in the lease: publish it before the work starts
    if (!(await lease.renew({ queue, window, searching: !slot.state.searchDone }))) {
      throw new ArchiveError(ArchiveErrorCode.RunLeaseLost, `Replica ${this.options.owner} lost the run lease before archiving ${queue}.`);
    }
    await this.reclaimOrphans(queue);

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
    let fault: unknown;
    try {
      end = await this.dispatcher.drain({
        queue,
        runId: context.runId,
        window,
        signal: runSignal,
        onFault: (caught) => {
          fault = caught;
          stop.abort(caught);
        },
        moreMayArrive: () => searching,
        arrivals,
        keepAlive: async (force) => {
          const held = force ? await lease.renew({ queue, window, searching }) : await lease.keepAlive({ queue, window, searching });
          if (held) await this.beat(context, force);
          return held;
        },
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
    const error = windowError({ end, fault, searchError, owner: this.options.owner, queue });
    return { report, end, error };
  }

  /**
   * Helps the replica holding the run lease: works its current queue (and the next ones
   * while it keeps going) without searching or moving the watermark.
   */
  private async assist(
    context: RunContext,
    lease: RunLease,
    signal: AbortSignal,
    notice: (notice: BackfillNotice) => void = () => undefined,
  ): Promise<{ role: ArchiveRunRole; status: ArchiveRunStatus; error?: unknown }> {
    if (!this.options.assist) return { role: 'none', status: 'skipped', error: new Error('another replica holds the run lease') };
    const helped = new Set<string>();
    let end: DrainEnd = 'drained';
    let fault: unknown;
    for (let index = 0; index < this.options.maxWindowsPerRun && !signal.aborted; index++) {
      const holder = await this.publishedQueue(lease, signal);
      if (!holder?.queue || !holder.window || !lease.heldByOther(holder) || helped.has(holder.queue)) break;
      const { queue, window } = holder;
      helped.add(queue);
      await this.startJobRun(context, this.options.jobName);
      this.options.logger.info?.(`Helping ${holder.owner} with ${queue}`, { runId: context.runId, queue });
      notice({ kind: 'helping', holder: holder.owner, queue });
      await this.reclaimOrphans(queue);
      end = await this.dispatcher.drain({
        queue,
        runId: context.runId,
        window,
        signal,
        moreMayArrive: async () => {
          const current = await lease.peek();
          return lease.heldByOther(current) && current.queue === queue && current.searching === true;
        },
        keepAlive: async (force) => {
          await this.beat(context, force);
          return true;
        },
        onOutcome: (outcome) => context.tally.add(outcome),
        onFault: (caught) => (fault = caught),
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
    if (helped.size === 0) return { role: 'none', status: 'skipped', error: new Error('another replica holds the run lease and has no queue to help with') };
    if (fault !== undefined) return { role: 'helper', status: 'failed', error: fault };
    const status: ArchiveRunStatus = end === 'stopped' ? 'cancelled' : context.tally.parked > 0 ? 'partial' : 'succeeded';
    return { role: 'helper', status };
  }

  /**
   * The holder's lease once it names a queue: a replica that just took the lease needs a
   * moment to pick its window. Gives up after a few polls (it may have nothing to do).
   */
  private async publishedQueue(lease: RunLease, signal: AbortSignal): Promise<RunLeaseState | undefined> {
    for (let poll = 0; ; poll++) {
      const holder = await lease.peek();
      if (!lease.heldByOther(holder) || holder.queue || poll >= 10 || signal.aborted) return holder;
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
   * Hands back the in-flight items of this replica's earlier life (same id, restarted)
   * and of processes known to be gone, instead of waiting for their leases to expire.
   * The crash counts as an attempt, so a conversation that kills its worker is parked eventually.
   */
  private async reclaimOrphans(queue: string): Promise<void> {
    const { owner, logger, isOwnerGone } = this.options;
    const holders = await this.store.workItems.holders(queue);
    const gone = holders.map((holder) => holder.owner).filter((holder) => holder === owner || isOwnerGone(holder));
    if (gone.length === 0) return;
    const count = await this.store.workItems.reclaim(queue, gone, `Replica ${gone.join(', ')} stopped while archiving it (crash or kill); trying again.`);
    if (count > 0) logger.warn?.(`Took back ${count} conversations that ${gone.join(', ')} was archiving when it stopped`, { queue });
  }

  // ── bookkeeping ──────────────────────────────────────────────────────────

  private lease(): RunLease {
    return new RunLease(this.store, checkpointNames.lease(this.options.jobName), this.options.owner, this.options.leaseMs, this.options.clock, this.options.isOwnerGone);
  }

  /**
   * Takes the run lease if it is free. Taking it over from a holder that stopped renewing
   * it is said (log, observer, notice), and the job runs such holders left `running` are
   * ended `abandoned`.
   */
  private async acquire(lease: RunLease, context: RunContext, notice: (notice: BackfillNotice) => void = () => undefined): Promise<boolean> {
    if (!(await lease.tryAcquire())) return false;
    const takeover = lease.lastTakeover;
    if (takeover) {
      const how = takeover.processGone
        ? `its process is gone (the lease would have expired at ${iso(takeover.expiresAt)})`
        : `its lease expired at ${iso(takeover.expiresAt)}`;
      this.options.logger.warn?.(`Took over the run lease from ${takeover.from}${takeover.since !== undefined ? ` (held since ${iso(takeover.since)})` : ''}: ${how}`, {
        runId: context.runId,
        from: takeover.from,
      });
      this.deps.observer?.leaseTakenOver?.({ ...takeover, by: this.options.owner, jobName: this.options.jobName });
      notice({ kind: 'took-over', takeover });
    }
    await this.abandonStaleRuns(context, takeover?.from);
    return true;
  }

  /** Ends `abandoned` the job runs whose holders stopped renewing them (or whose process is gone). */
  private async abandonStaleRuns(context: RunContext, leaseLostBy?: string): Promise<void> {
    const { jobName, owner, clock, leaseMs, isOwnerGone, logger } = this.options;
    const jobNames = [jobName, `${jobName}:backfill`];
    if (context.jobRun) await this.beat(context, true);
    const running = await this.store.jobRuns.running(jobNames);
    // dead whatever their last heartbeat: the holder whose lease this replica took over, a
    // process known to be gone, and this replica's own earlier life (one process per replica id)
    const deadOwners = [
      ...new Set(running.map((run) => run.owner).filter((holder): holder is string => !!holder && (holder === owner || holder === leaseLostBy || isOwnerGone(holder)))),
    ];
    const ended = await this.store.jobRuns.abandonStale({
      jobNames,
      staleBefore: clock.now() - leaseMs,
      deadOwners,
      noticedBy: owner,
      ...(context.jobRun ? { exceptIds: [context.jobRun.id] } : {}),
    });
    for (const run of ended) {
      logger.warn?.(`Job run ${run.id} of ${run.owner ?? 'an unknown holder'} (started ${iso(run.startedAt)}) was abandoned by its holder; ended it`, { jobRunId: run.id });
    }
    if (ended.length > 0) this.deps.observer?.runsAbandoned?.(ended.length);
  }

  private async startJobRun(context: RunContext, name: string): Promise<void> {
    if (context.jobRun) return;
    context.jobRun = await this.store.jobRuns.start(name, { owner: this.options.owner });
    context.beatAt = this.options.clock.now();
  }

  /** Says the job run is alive, every third of a lease (or now when forced). */
  private async beat(context: RunContext, force = false): Promise<void> {
    const now = this.options.clock.now();
    if (!context.jobRun || (!force && now - context.beatAt < this.options.leaseMs / 3)) return;
    context.beatAt = now;
    await this.store.jobRuns.heartbeat([context.jobRun.id]);
  }

  /**
   * After helping: whether the holder stopped renewing the run lease. A live holder renews
   * it every third of a lease, so this watches the stored lease (on wall-clock time, judged
   * by the job's clock) until it is renewed, released or taken (the holder or another
   * replica is alive: false) or it expires (true), for at most one lease.
   */
  private async holderStoppedRenewing(lease: RunLease, signal: AbortSignal): Promise<boolean> {
    const first = await lease.peek();
    if (!first?.owner || first.owner === this.options.owner) return false;
    if (!lease.heldByOther(first)) return true;
    const { timers, leaseMs } = this.options;
    const started = Date.now();
    while (!signal.aborted && Date.now() - started <= leaseMs + this.options.pollIntervalMs) {
      await new Promise<void>((resolve) => {
        const handle = timers.setInterval(() => {
          timers.clearInterval(handle);
          resolve();
        }, Math.min(250, this.options.pollIntervalMs));
      });
      const current = await lease.peek();
      if (!current?.owner || current.owner !== first.owner || current.expiresAt !== first.expiresAt) return false;
      if (!lease.heldByOther(current)) return true;
    }
    return false;
  }

  private async releaseQuietly(lease: RunLease): Promise<void> {
    await lease.release().catch((caught: unknown) => this.options.logger.warn?.(`Cannot release the run lease: ${message(caught)}`));
  }

  private begin(kind: ArchiveRunKind): RunContext {
    const context: RunContext = {
      runId: randomUUID(),
      kind,
      startedAt: this.options.clock.now(),
      callsAtStart: this.deps.transport?.requestCount ?? 0,
      tally: new OutcomeTally(),
      windows: [],
      beatAt: 0,
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
      ...faultReport(error),
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

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
