import { sql } from 'kysely';
import type { RandomSource } from '../clock';
import type { LeasedColumns, LeasedTableName } from '../database/schema';
import type { RepositoryContext } from './repository-context';
import { fullJitterDelayMs, RetryPolicy } from './retry-policy';

/**
 * pending → in-flight (leased to one owner until it expires) → done, or back to pending
 * with a backoff after a failure, or dead once the attempts are spent.
 */
export type LeaseStatus = 'pending' | 'in-flight' | 'done' | 'dead';

export interface ClaimOptions {
  /** who takes the lease (a worker or replica id) */
  readonly owner: string;
  /** at most this many items */
  readonly limit: number;
  /** the lease lasts this long unless renewed */
  readonly leaseMs: number;
}

export interface FailOptions {
  /** overrides the policy's jittered backoff for this failure */
  readonly retryDelayMs?: number;
}

export interface FailOutcome {
  readonly status: 'pending' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

export type LeaseStatusCounts = Record<LeaseStatus, number>;

type LeasedRow = LeasedColumns & { id: number | string };

const MAX_ERROR_LENGTH = 2_000;

/**
 * The leasing mechanism shared by work items and the outbox. Claiming takes due items
 * (pending and past their next attempt, or in-flight with an expired lease) in one
 * statement: on PostgreSQL a `FOR UPDATE SKIP LOCKED` pick, so concurrent claimers on
 * any number of connections never take the same row and never wait on each other; on
 * SQLite a `BEGIN IMMEDIATE` transaction, which takes the database write lock before
 * reading. Every claim counts as an attempt, so an item that crashes its worker is
 * dead-lettered after `max_attempts` leases like one that fails cleanly.
 */
export class LeaseQueue<Row extends LeasedRow> {
  constructor(
    private readonly ctx: RepositoryContext,
    private readonly table: LeasedTableName,
    private readonly scopeColumn: string,
    private readonly policy: RetryPolicy,
    private readonly random: RandomSource,
  ) {}

  async claim(scope: string, options: ClaimOptions): Promise<Row[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0) return [];
    if (this.ctx.engine === 'postgres') {
      return this.claimOn(this.ctx, scope, options, limit);
    }
    return this.ctx.transaction((tx) => this.claimOn(tx, scope, options, limit));
  }

  private async claimOn(
    ctx: RepositoryContext,
    scope: string,
    options: ClaimOptions,
    limit: number,
  ): Promise<Row[]> {
    const now = this.ctx.clock.now();
    const table = sql.table(this.table);
    const scopeRef = sql.ref(this.scopeColumn);

    // a lease that expired on the last allowed attempt is not handed out again
    await sql`
      update ${table}
      set status = 'dead', lease_owner = null, lease_expires_at = null, updated_at = ${now},
          last_error = ${'The lease expired on the last allowed attempt: the worker crashed or stalled.'}
      where ${scopeRef} = ${scope} and status = 'in-flight'
        and lease_expires_at <= ${now} and attempts >= max_attempts
    `.execute(ctx.db);

    const due = sql`
      ${scopeRef} = ${scope} and attempts < max_attempts
      and ((status = 'pending' and next_attempt_at <= ${now})
        or (status = 'in-flight' and lease_expires_at <= ${now}))
    `;
    const assignment = sql`
      status = 'in-flight', lease_owner = ${options.owner},
      lease_expires_at = ${now + options.leaseMs}, attempts = attempts + 1, updated_at = ${now}
    `;
    const result =
      ctx.engine === 'postgres'
        ? await sql<Row>`
            with picked as materialized (
              select id from ${table} where ${due}
              order by next_attempt_at, created_at, id
              limit ${limit}
              for update skip locked
            )
            update ${table} set ${assignment}
            from picked where ${table}.id = picked.id
            returning ${table}.*
          `.execute(ctx.db)
        : await sql<Row>`
            update ${table} set ${assignment}
            where id in (
              select id from ${table} where ${due}
              order by next_attempt_at, created_at, id
              limit ${limit}
            )
            returning *
          `.execute(ctx.db);
    return [...result.rows].sort(
      (a, b) =>
        a.next_attempt_at - b.next_attempt_at ||
        a.created_at - b.created_at ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  /** Extends a lease the owner still holds. False when it was lost (reclaimed or finished). */
  async renew(id: number | string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.ctx.clock.now();
    const result = await sql`
      update ${sql.table(this.table)}
      set lease_expires_at = ${now + leaseMs}, updated_at = ${now}
      where id = ${id} and status = 'in-flight' and lease_owner = ${owner}
    `.execute(this.ctx.db);
    return Number(result.numAffectedRows ?? 0) === 1;
  }

  /**
   * Extends every listed lease the owner still holds, in one statement (a heartbeat).
   * Returns the ids it no longer holds: they were reclaimed after expiring.
   */
  async renewMany(ids: readonly (number | string)[], owner: string, leaseMs: number): Promise<Array<number | string>> {
    if (ids.length === 0) return [];
    const now = this.ctx.clock.now();
    const result = await sql<{ id: number | string }>`
      update ${sql.table(this.table)}
      set lease_expires_at = ${now + leaseMs}, updated_at = ${now}
      where id in (${sql.join(ids)}) and status = 'in-flight' and lease_owner = ${owner}
      returning id
    `.execute(this.ctx.db);
    const held = new Set(result.rows.map((row) => String(row.id)));
    return ids.filter((id) => !held.has(String(id)));
  }

  /**
   * Hands back at once the in-flight items of owners known to be gone (a process killed
   * on this host), instead of waiting for their leases to expire. Their claim stays
   * counted as an attempt, so an item that kills its worker is still parked eventually.
   */
  async reclaim(scope: string, owners: readonly string[], error: string): Promise<number> {
    if (owners.length === 0) return 0;
    const now = this.ctx.clock.now();
    const result = await sql`
      update ${sql.table(this.table)}
      set status = case when attempts >= max_attempts then 'dead' else 'pending' end,
          lease_owner = null, lease_expires_at = null, next_attempt_at = ${now},
          last_error = ${error.slice(0, MAX_ERROR_LENGTH)}, updated_at = ${now}
      where ${sql.ref(this.scopeColumn)} = ${scope} and status = 'in-flight'
        and lease_owner in (${sql.join([...owners])})
    `.execute(this.ctx.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** The owners holding in-flight items of a scope, with how many each holds. */
  async holders(scope: string): Promise<Array<{ owner: string; items: number; leaseExpiresAt: number }>> {
    const result = await sql<{ owner: string; n: number | string; expires: number | string }>`
      select lease_owner as owner, count(*) as n, max(lease_expires_at) as expires from ${sql.table(this.table)}
      where ${sql.ref(this.scopeColumn)} = ${scope} and status = 'in-flight' and lease_owner is not null
      group by lease_owner
    `.execute(this.ctx.db);
    return result.rows.map((row) => ({ owner: row.owner, items: Number(row.n), leaseExpiresAt: Number(row.expires) }));
  }

  /**
   * Closes a scope that nobody will work again (a superseded window): its pending and
   * in-flight items are removed, done and dead ones stay as history. Returns how many
   * were removed.
   */
  async closeOpen(scope: string): Promise<number> {
    const result = await sql`
      delete from ${sql.table(this.table)}
      where ${sql.ref(this.scopeColumn)} = ${scope} and status in ('pending', 'in-flight')
    `.execute(this.ctx.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** Marks items done; returns how many the owner still held (the others were lost). */
  async complete(ids: readonly (number | string)[], owner: string): Promise<number> {
    if (ids.length === 0) return 0;
    const now = this.ctx.clock.now();
    const result = await sql`
      update ${sql.table(this.table)}
      set status = 'done', lease_owner = null, lease_expires_at = null,
          completed_at = ${now}, updated_at = ${now}
      where id in (${sql.join(ids)}) and status = 'in-flight' and lease_owner = ${owner}
    `.execute(this.ctx.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /**
   * Records a failed attempt: back to pending after a full-jitter backoff, or dead when
   * the attempts are spent. Undefined when the owner no longer holds the lease.
   */
  async fail(
    id: number | string,
    owner: string,
    error: string,
    options: FailOptions = {},
  ): Promise<FailOutcome | undefined> {
    const table = sql.table(this.table);
    const held = await sql<{ attempts: number; max_attempts: number }>`
      select attempts, max_attempts from ${table}
      where id = ${id} and status = 'in-flight' and lease_owner = ${owner}
    `.execute(this.ctx.db);
    const row = held.rows[0];
    if (row === undefined) return undefined;

    const now = this.ctx.clock.now();
    const dead = row.attempts >= row.max_attempts;
    const delay = options.retryDelayMs ?? fullJitterDelayMs(row.attempts, this.policy, this.random);
    const nextAttemptAt = dead ? now : now + Math.max(0, delay);
    const status = dead ? 'dead' : 'pending';
    const result = await sql`
      update ${table}
      set status = ${status}, lease_owner = null, lease_expires_at = null,
          next_attempt_at = ${nextAttemptAt}, last_error = ${error.slice(0, MAX_ERROR_LENGTH)},
          updated_at = ${now}
      where id = ${id} and status = 'in-flight' and lease_owner = ${owner}
    `.execute(this.ctx.db);
    if (Number(result.numAffectedRows ?? 0) !== 1) return undefined;
    return { status, attempts: row.attempts, nextAttemptAt };
  }

  /**
   * Hands a claimed item back untouched (a worker shutting down): pending at once, and
   * the claim does not count as an attempt.
   */
  async release(id: number | string, owner: string): Promise<boolean> {
    const now = this.ctx.clock.now();
    const result = await sql`
      update ${sql.table(this.table)}
      set status = 'pending', lease_owner = null, lease_expires_at = null,
          attempts = attempts - 1, next_attempt_at = ${now}, updated_at = ${now}
      where id = ${id} and status = 'in-flight' and lease_owner = ${owner}
    `.execute(this.ctx.db);
    return Number(result.numAffectedRows ?? 0) === 1;
  }

  /** Puts a done or dead item back to pending with fresh attempts (a replay). */
  async requeue(id: number | string): Promise<boolean> {
    const now = this.ctx.clock.now();
    const result = await sql`
      update ${sql.table(this.table)}
      set status = 'pending', attempts = 0, next_attempt_at = ${now}, lease_owner = null,
          lease_expires_at = null, completed_at = null, updated_at = ${now}
      where id = ${id} and status in ('done', 'dead')
    `.execute(this.ctx.db);
    return Number(result.numAffectedRows ?? 0) === 1;
  }

  async countByStatus(scope: string): Promise<LeaseStatusCounts> {
    const result = await sql<{ status: LeaseStatus; n: number | string }>`
      select status, count(*) as n from ${sql.table(this.table)}
      where ${sql.ref(this.scopeColumn)} = ${scope}
      group by status
    `.execute(this.ctx.db);
    const counts: LeaseStatusCounts = { pending: 0, 'in-flight': 0, done: 0, dead: 0 };
    for (const row of result.rows) counts[row.status] = Number(row.n);
    return counts;
  }
}
