import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { RandomSource } from '../clock';
import type { OutboxTable } from '../database/schema';
import { ClaimOptions, FailOptions, FailOutcome, LeaseQueue, LeaseStatus, LeaseStatusCounts } from './lease-queue';
import type { RepositoryContext } from './repository-context';
import type { RetryPolicy } from './retry-policy';

/** Deliveries to the outside world; `kind` says which deliverer handles them. */
export type OutboxKind = 'webhook' | 'crm';

export interface OutboxMessage {
  /** stable across retries and replays (a webhook's `webhook-id`) */
  readonly id: string;
  readonly kind: OutboxKind;
  /** which endpoint (an id the deliverer resolves; never a URL holding credentials) */
  readonly destination: string;
  /** the exact body to send */
  readonly payload: string;
  readonly idempotencyKey: string;
  readonly status: LeaseStatus;
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

export interface NewOutboxMessage {
  readonly kind: OutboxKind;
  readonly destination: string;
  readonly payload: string;
  /** one message per key, however often it is enqueued */
  readonly idempotencyKey: string;
  readonly maxAttempts?: number;
  readonly notBefore?: number;
}

/**
 * The transactional outbox. Enqueue through the repositories of the caller's
 * `transaction(...)` so the state change and the message commit together; deliverers
 * claim due messages with the same leases as work items.
 */
export class OutboxRepository {
  private readonly leases: LeaseQueue<Selectable<OutboxTable>>;

  constructor(
    private readonly ctx: RepositoryContext,
    private readonly policy: RetryPolicy,
    random: RandomSource,
  ) {
    this.leases = new LeaseQueue(ctx, 'outbox', 'kind', policy, random);
  }

  /** Adds the message unless its idempotency key exists; returns the stored one. */
  async enqueue(message: NewOutboxMessage): Promise<{ message: OutboxMessage; created: boolean }> {
    const now = this.ctx.clock.now();
    const inserted = await this.ctx.db
      .insertInto('outbox')
      .values({
        id: randomUUID(),
        kind: message.kind,
        destination: message.destination,
        payload: message.payload,
        idempotency_key: message.idempotencyKey,
        status: 'pending',
        attempts: 0,
        max_attempts: message.maxAttempts ?? this.policy.maxAttempts,
        next_attempt_at: message.notBefore ?? now,
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted !== undefined) return { message: toMessage(inserted), created: true };
    const existing = await this.getByIdempotencyKey(message.idempotencyKey);
    if (existing === undefined) {
      throw new Error(`outbox message ${message.idempotencyKey} vanished right after a conflicting insert`);
    }
    return { message: existing, created: false };
  }

  async claim(kind: OutboxKind, options: ClaimOptions): Promise<OutboxMessage[]> {
    return (await this.leases.claim(kind, options)).map(toMessage);
  }

  renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.leases.renew(id, owner, leaseMs);
  }

  async complete(id: string, owner: string): Promise<boolean> {
    return (await this.leases.complete([id], owner)) === 1;
  }

  fail(id: string, owner: string, error: string, options?: FailOptions): Promise<FailOutcome | undefined> {
    return this.leases.fail(id, owner, error, options);
  }

  release(id: string, owner: string): Promise<boolean> {
    return this.leases.release(id, owner);
  }

  /** Sends a done or dead message again (same id, fresh attempts). False otherwise. */
  replay(id: string): Promise<boolean> {
    return this.leases.requeue(id);
  }

  async get(id: string): Promise<OutboxMessage | undefined> {
    const row = await this.ctx.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toMessage(row);
  }

  async getByIdempotencyKey(key: string): Promise<OutboxMessage | undefined> {
    const row = await this.ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row === undefined ? undefined : toMessage(row);
  }

  async list(kind: OutboxKind, status: LeaseStatus, limit = 100): Promise<OutboxMessage[]> {
    const rows = await this.ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('kind', '=', kind)
      .where('status', '=', status)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  countByStatus(kind: OutboxKind): Promise<LeaseStatusCounts> {
    return this.leases.countByStatus(kind);
  }
}

function toMessage(row: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: row.id,
    kind: row.kind as OutboxKind,
    destination: row.destination,
    payload: row.payload,
    idempotencyKey: row.idempotency_key,
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
