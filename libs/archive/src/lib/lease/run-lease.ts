import type { Clock } from '@gcm/genesys-auth';
import type { StoreRepositories } from '@gcm/store';
import { neverGone, type OwnerGoneProbe } from './owner-liveness';

/** What the run lease checkpoint holds. */
export interface RunLeaseState {
  /** The replica running the job, or null when released. */
  readonly owner: string | null;
  readonly expiresAt: number;
  /** When the current holder took the lease (kept across renewals). */
  readonly since?: number;
  /** The work queue the holder is archiving (helpers work on it too). */
  readonly queue?: string;
  /** The window of that queue (epoch ms), so helpers know what they archive. */
  readonly window?: { readonly start: number; readonly end: number };
  /** The holder is still searching: more work may arrive in `queue`. */
  readonly searching?: boolean;
}

/** A lease taken from a holder that stopped renewing it (or whose process is gone). */
export interface LeaseTakeover {
  readonly from: string;
  /** When its lease expired (or would have, when its process was found gone earlier). */
  readonly expiresAt: number;
  readonly since?: number;
  readonly noticedAt: number;
  /** True when the holder's process was found gone before its lease expired. */
  readonly processGone: boolean;
}

/**
 * One run of a job at a time across replicas: a lease kept in a checkpoint row and taken
 * with its compare-and-set, so two replicas can never both believe they hold it. It
 * expires unless renewed (`leaseMs`; the job renews it every third of that), so a replica
 * that dies (kill -9, a lost node) hands the job over within one lease; a holder whose
 * process is known to be gone (`isOwnerGone`) loses it at once. An owner that finds its
 * own unexpired lease takes it back (a replica restarted under the same id).
 */
export class RunLease {
  private revision?: number;
  private renewedAt = 0;
  private state?: RunLeaseState;
  private takeover?: LeaseTakeover;

  constructor(
    private readonly store: Pick<StoreRepositories, 'checkpoints'>,
    readonly name: string,
    readonly owner: string,
    private readonly leaseMs: number,
    private readonly clock: Clock,
    private readonly isOwnerGone: OwnerGoneProbe = neverGone,
  ) {}

  get held(): boolean {
    return this.revision !== undefined;
  }

  /** Set by `tryAcquire` when it took the lease over from a holder that stopped renewing it. */
  get lastTakeover(): LeaseTakeover | undefined {
    return this.takeover;
  }

  /** Takes the lease if it is free, expired, ours already, or its holder is gone. False when another replica holds it. */
  async tryAcquire(): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.store.checkpoints.get(this.name);
      const now = this.clock.now();
      const state = readLease(current?.resumeToken);
      const other = !!state?.owner && state.owner !== this.owner;
      const live = other && (state?.expiresAt ?? 0) > now;
      const gone = live && this.isOwnerGone(state?.owner as string);
      if (live && !gone) return false;
      const next: RunLeaseState = { owner: this.owner, expiresAt: now + this.leaseMs, since: now };
      const written = await this.store.checkpoints.compareAndSet(this.name, current?.revision ?? null, {
        watermark: null,
        resumeToken: next,
      });
      if (written) {
        this.revision = written.revision;
        this.renewedAt = now;
        this.state = next;
        this.takeover =
          other && state?.owner
            ? { from: state.owner, expiresAt: state.expiresAt, since: state.since, noticedAt: now, processGone: gone }
            : undefined;
        return true;
      }
      // another replica wrote in between: look again
    }
    return false;
  }

  /**
   * Extends the lease and publishes what the holder works on. False when it was lost
   * (it expired and another replica took it): the caller must stop.
   */
  async renew(update: Pick<RunLeaseState, 'queue' | 'window' | 'searching'> = this.state ?? {}): Promise<boolean> {
    if (this.revision === undefined) return false;
    const now = this.clock.now();
    // only what the holder works on comes from `update` (the stored state carries the old expiry too)
    const next: RunLeaseState = {
      owner: this.owner,
      expiresAt: now + this.leaseMs,
      since: this.state?.since ?? now,
      ...(update.queue !== undefined ? { queue: update.queue } : {}),
      ...(update.window !== undefined ? { window: { start: update.window.start, end: update.window.end } } : {}),
      ...(update.searching !== undefined ? { searching: update.searching } : {}),
    };
    const written = await this.store.checkpoints.compareAndSet(this.name, this.revision, { watermark: null, resumeToken: next });
    if (!written) {
      this.revision = undefined;
      return false;
    }
    this.revision = written.revision;
    this.renewedAt = now;
    this.state = next;
    return true;
  }

  /** Renews when a third of the lease has passed, or when what the holder works on changed. */
  async keepAlive(update?: Pick<RunLeaseState, 'queue' | 'window' | 'searching'>): Promise<boolean> {
    if (this.revision === undefined) return false;
    const changed = update !== undefined && (update.queue !== this.state?.queue || update.searching !== this.state?.searching);
    if (!changed && this.clock.now() - this.renewedAt < this.leaseMs / 3) return true;
    return this.renew(update ?? this.state);
  }

  /** Gives the lease up so another replica can run at once. Quiet when it was lost already. */
  async release(): Promise<void> {
    if (this.revision === undefined) return;
    const revision = this.revision;
    this.revision = undefined;
    await this.store.checkpoints.compareAndSet(this.name, revision, {
      watermark: null,
      resumeToken: { owner: null, expiresAt: 0 } satisfies RunLeaseState,
    });
  }

  /** The lease as stored, whoever holds it. */
  async peek(): Promise<RunLeaseState | undefined> {
    return readLease((await this.store.checkpoints.get(this.name))?.resumeToken);
  }

  /** True when another live replica holds the lease now. */
  heldByOther(state: RunLeaseState | undefined): state is RunLeaseState & { owner: string } {
    return !!state?.owner && state.owner !== this.owner && state.expiresAt > this.clock.now() && !this.isOwnerGone(state.owner);
  }
}

/** "X holds the run lease since T; it expires at E unless renewed" — for people waiting on it. */
export function describeLeaseHolder(state: RunLeaseState, now: number): string {
  const since = state.since !== undefined ? ` since ${new Date(state.since).toISOString()}` : '';
  const left = Math.max(0, Math.ceil((state.expiresAt - now) / 1_000));
  return `${state.owner} holds the run lease${since}; it expires at ${new Date(state.expiresAt).toISOString()} (in ${left} s) unless renewed`;
}

function readLease(value: unknown): RunLeaseState | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const state = value as Partial<RunLeaseState>;
  if (!(state.owner === null || typeof state.owner === 'string') || !Number.isFinite(state.expiresAt)) return undefined;
  return state as RunLeaseState;
}
