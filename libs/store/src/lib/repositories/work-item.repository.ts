import type { Selectable } from 'kysely';
import type { RandomSource } from '../clock';
import type { WorkItemsTable } from '../database/schema';
import { ClaimOptions, FailOptions, FailOutcome, LeaseQueue, LeaseStatus, LeaseStatusCounts } from './lease-queue';
import { fromJsonText, RepositoryContext, toJsonText } from './repository-context';
import type { RetryPolicy } from './retry-policy';

export interface WorkItem<Payload = unknown> {
  readonly id: number;
  /** the queue name or job run id the key is unique in */
  readonly queue: string;
  readonly key: string;
  readonly payload: Payload | null;
  readonly status: LeaseStatus;
  /** claims so far, including the current one */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly nextAttemptAt: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt: number | null;
}

export interface NewWorkItem {
  readonly key: string;
  readonly payload?: unknown;
  /** overrides the repository's retry policy for this item */
  readonly maxAttempts?: number;
  /** not claimable before this time (epoch ms) */
  readonly notBefore?: number;
}

const INSERT_CHUNK = 500;

/**
 * Units of work (e.g. one conversation to archive) leased to one worker at a time.
 * Enqueueing is idempotent by (queue, key), so re-running a job's discovery adds only
 * what is new.
 */
export class WorkItemRepository {
  private readonly leases: LeaseQueue<Selectable<WorkItemsTable>>;

  constructor(
    private readonly ctx: RepositoryContext,
    private readonly policy: RetryPolicy,
    random: RandomSource,
  ) {
    this.leases = new LeaseQueue(ctx, 'work_items', 'queue', policy, random);
  }

  /** Adds the item unless (queue, key) exists; returns the stored item either way. */
  async enqueue<Payload = unknown>(
    queue: string,
    item: NewWorkItem,
  ): Promise<{ item: WorkItem<Payload>; created: boolean }> {
    const created = (await this.enqueueMany(queue, [item])) === 1;
    const stored = await this.getByKey<Payload>(queue, item.key);
    if (stored === undefined) {
      throw new Error(`work item ${queue}/${item.key} vanished right after it was enqueued`);
    }
    return { item: stored, created };
  }

  /** Adds every item whose key is new to the queue; returns how many were added. */
  async enqueueMany(queue: string, items: readonly NewWorkItem[]): Promise<number> {
    const now = this.ctx.clock.now();
    let added = 0;
    for (let start = 0; start < items.length; start += INSERT_CHUNK) {
      const rows = items.slice(start, start + INSERT_CHUNK).map((item) => ({
        queue,
        item_key: item.key,
        payload: toJsonText(item.payload),
        status: 'pending',
        attempts: 0,
        max_attempts: item.maxAttempts ?? this.policy.maxAttempts,
        next_attempt_at: item.notBefore ?? now,
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
      }));
      const result = await this.ctx.db
        .insertInto('work_items')
        .values(rows)
        .onConflict((oc) => oc.columns(['queue', 'item_key']).doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  }

  async claim<Payload = unknown>(queue: string, options: ClaimOptions): Promise<WorkItem<Payload>[]> {
    return (await this.leases.claim(queue, options)).map((row) => toWorkItem<Payload>(row));
  }

  renew(id: number, owner: string, leaseMs: number): Promise<boolean> {
    return this.leases.renew(id, owner, leaseMs);
  }

  /** Heartbeat: extends the leases the owner still holds; returns the ids it lost. */
  async renewMany(ids: readonly number[], owner: string, leaseMs: number): Promise<number[]> {
    return (await this.leases.renewMany(ids, owner, leaseMs)).map(Number);
  }

  /** Hands back the in-flight items of owners known to be gone (see LeaseQueue.reclaim). */
  reclaim(queue: string, owners: readonly string[], error: string): Promise<number> {
    return this.leases.reclaim(queue, owners, error);
  }

  /** Who holds in-flight items of a queue, how many, and until when. */
  holders(queue: string): Promise<Array<{ owner: string; items: number; leaseExpiresAt: number }>> {
    return this.leases.holders(queue);
  }

  /** Removes the pending and in-flight items of a queue nobody will work again. */
  closeOpen(queue: string): Promise<number> {
    return this.leases.closeOpen(queue);
  }

  /** Queues with this name prefix that still have pending or in-flight items. */
  async openQueues(prefix: string): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom('work_items')
      .select('queue')
      .distinct()
      .where('status', 'in', ['pending', 'in-flight'])
      .execute();
    return rows.map((row) => row.queue).filter((queue) => queue.startsWith(prefix)).sort();
  }

  /** True when the owner still held the lease and the item is now done. */
  async complete(id: number, owner: string): Promise<boolean> {
    return (await this.leases.complete([id], owner)) === 1;
  }

  completeMany(ids: readonly number[], owner: string): Promise<number> {
    return this.leases.complete(ids, owner);
  }

  fail(id: number, owner: string, error: string, options?: FailOptions): Promise<FailOutcome | undefined> {
    return this.leases.fail(id, owner, error, options);
  }

  release(id: number, owner: string): Promise<boolean> {
    return this.leases.release(id, owner);
  }

  requeue(id: number): Promise<boolean> {
    return this.leases.requeue(id);
  }

  async get<Payload = unknown>(id: number): Promise<WorkItem<Payload> | undefined> {
    const row = await this.ctx.db.selectFrom('work_items').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toWorkItem<Payload>(row);
  }

  async getByKey<Payload = unknown>(queue: string, key: string): Promise<WorkItem<Payload> | undefined> {
    const row = await this.ctx.db
      .selectFrom('work_items')
      .selectAll()
      .where('queue', '=', queue)
      .where('item_key', '=', key)
      .executeTakeFirst();
    return row === undefined ? undefined : toWorkItem<Payload>(row);
  }

  /** Items of a queue in one status, oldest first (e.g. the dead letters). */
  async list<Payload = unknown>(
    queue: string,
    status: LeaseStatus,
    limit = 100,
  ): Promise<WorkItem<Payload>[]> {
    const rows = await this.ctx.db
      .selectFrom('work_items')
      .selectAll()
      .where('queue', '=', queue)
      .where('status', '=', status)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => toWorkItem<Payload>(row));
  }

  countByStatus(queue: string): Promise<LeaseStatusCounts> {
    return this.leases.countByStatus(queue);
  }
}

function toWorkItem<Payload>(row: Selectable<WorkItemsTable>): WorkItem<Payload> {
  return {
    id: Number(row.id),
    queue: row.queue,
    key: row.item_key,
    payload: fromJsonText<Payload>(row.payload),
    status: row.status as LeaseStatus,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}
