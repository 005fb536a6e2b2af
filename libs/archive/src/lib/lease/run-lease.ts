import type { Clock } from '@gcm/genesys-auth';
import type { StoreRepositories } from '@gcm/store';

/** What the run lease checkpoint holds. */
export interface RunLeaseState {
  /** The replica running the job, or null when released. */
  readonly owner: string | null;
  readonly expiresAt: number;
  /** The work queue the holder is archiving (helpers work on it too). */
  readonly queue?: string;
  /** The holder is still searching: more work may arrive in `queue`. */
  readonly searching?: boolean;
}

/**
 * One run of a job at a time across replicas: a lease kept in a checkpoint row and taken
 * with its compare-and-set, so two replicas can never both believe they hold it. It
 * expires unless renewed (`leaseMs`), so a replica that dies (kill -9, a lost node) hands
 * the job over to the next one that asks. An owner that finds its own unexpired lease
 * takes it back: owners are replica ids, stable across restarts of the same replica.
 */
export class RunLease {
  private revision?: number;
  private renewedAt = 0;
  private state?: RunLeaseState;

  constructor(
    private readonly store: Pick<StoreRepositories, 'checkpoints'>,
    readonly name: string,
    readonly owner: string,
    private readonly leaseMs: number,
    private readonly clock: Clock,
  ) {}

  get held(): boolean {
    return this.revision !== undefined;
  }

  /** Takes the lease if it is free, expired or ours already. False when another replica holds it. */
  async tryAcquire(): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.store.checkpoints.get(this.name);
      const now = this.clock.now();
      const state = readLease(current?.resumeToken);
      if (state?.owner && state.owner !== this.owner && state.expiresAt > now) return false;
      const next: RunLeaseState = { owner: this.owner, expiresAt: now + this.leaseMs };
      const written = await this.store.checkpoints.compareAndSet(this.name, current?.revision ?? null, {
        watermark: null,
        resumeToken: next,
      });
      if (written) {
        this.revision = written.revision;
        this.renewedAt = now;
        this.state = next;
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
  async renew(update: Pick<RunLeaseState, 'queue' | 'searching'> = this.state ?? {}): Promise<boolean> {
    if (this.revision === undefined) return false;
    const now = this.clock.now();
    // only what the holder works on comes from `update` (the stored state carries the old expiry too)
    const next: RunLeaseState = {
      owner: this.owner,
      expiresAt: now + this.leaseMs,
      ...(update.queue !== undefined ? { queue: update.queue } : {}),
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
  async keepAlive(update?: Pick<RunLeaseState, 'queue' | 'searching'>): Promise<boolean> {
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
}

function readLease(value: unknown): RunLeaseState | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const state = value as Partial<RunLeaseState>;
  if (!(state.owner === null || typeof state.owner === 'string') || !Number.isFinite(state.expiresAt)) return undefined;
  return state as RunLeaseState;
}
