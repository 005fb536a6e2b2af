import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { DatabaseEngine } from '../database/database-url';
import type { StoreSchema } from '../database/schema';

/**
 * What every repository runs on: the executor (the pool, or one transaction's
 * connection), the engine (for the few statements that differ) and the clock.
 */
export interface RepositoryContext {
  readonly db: Kysely<StoreSchema>;
  readonly engine: DatabaseEngine;
  readonly clock: Clock;
  /** true when `db` is one transaction's connection */
  readonly inTransaction: boolean;
  /** runs `fn` atomically; inline when this context is already a transaction */
  transaction<T>(fn: (tx: RepositoryContext) => Promise<T>): Promise<T>;
}

/** JSON text for a nullable column. */
export function toJsonText(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJsonText<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
