import { CreateTableBuilder, Kysely, Migration, MigrationProvider, Migrator, sql } from 'kysely';
import { StoreError, StoreErrorCode } from '../store.error';
import type { DatabaseEngine } from './database-url';
import { archiveCatalogMigration } from './archive-catalog.migration';
import { jobRunHoldersMigration } from './job-run-holders.migration';
import { qaSnapshotsMigration } from './qa-snapshots.migration';
import { reviewSessionsMigration } from './review-sessions.migration';

export const MIGRATION_TABLE = 'gcm_migrations';
export const MIGRATION_LOCK_TABLE = 'gcm_migrations_lock';

/*
 * Versioned migrations, applied in name order and recorded in `gcm_migrations`. Never
 * edit a migration that has shipped: add the next one. Each receives the engine because
 * a few column types differ (auto-increment ids, jsonb).
 */
function migrationsFor(engine: DatabaseEngine): Record<string, Migration> {
  const serialId = engine === 'postgres' ? 'bigserial' : 'integer';
  const jsonDocument = engine === 'postgres' ? 'jsonb' : 'text';

  return {
    '0001-initial-schema': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('checkpoints')
          .addColumn('job_name', 'text', (c) => c.primaryKey())
          .addColumn('watermark', 'bigint')
          .addColumn('resume_token', 'text')
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('archive_index')
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('content_hash', 'text', (c) => c.notNull())
          .addColumn('location', 'text', (c) => c.notNull())
          .addColumn('archived_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('archive_index_pk', ['conversation_id', 'version'])
          .addUniqueConstraint('archive_index_content_uq', ['conversation_id', 'content_hash'])
          .execute();

        await db.schema
          .createTable('work_items')
          .addColumn('id', serialId, (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('item_key', 'text', (c) => c.notNull())
          .addColumn('payload', 'text')
          .$call(leasedColumns)
          .addUniqueConstraint('work_items_key_uq', ['queue', 'item_key'])
          .execute();
        await db.schema
          .createIndex('work_items_due_idx')
          .on('work_items')
          .columns(['queue', 'status', 'next_attempt_at'])
          .execute();

        await db.schema
          .createTable('outbox')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('destination', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
          .$call(leasedColumns)
          .execute();
        await db.schema
          .createIndex('outbox_due_idx')
          .on('outbox')
          .columns(['kind', 'status', 'next_attempt_at'])
          .execute();

        await db.schema
          .createTable('job_runs')
          .addColumn('id', serialId, (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('job_name', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('ended_at', 'bigint')
          .addColumn('counts', 'text', (c) => c.notNull())
          .addColumn('errors', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('job_runs_job_idx')
          .on('job_runs')
          .columns(['job_name', 'started_at'])
          .execute();

        await db.schema
          .createTable('archive_documents')
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('content_hash', 'text', (c) => c.notNull())
          .addColumn('document', sql.raw(jsonDocument), (c) => c.notNull())
          .addColumn('archived_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('archive_documents_pk', ['conversation_id', 'version'])
          .addUniqueConstraint('archive_documents_content_uq', ['conversation_id', 'content_hash'])
          .execute();
      },
    },
    '0002-qa-snapshots': qaSnapshotsMigration(engine),
    '0003-archive-catalog': archiveCatalogMigration(),
    '0004-job-run-holders': jobRunHoldersMigration(),
    '0005-review-sessions': reviewSessionsMigration(),
  };
}

function leasedColumns(table: CreateTableBuilder<string, string>): CreateTableBuilder<string, string> {
  return table
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint');
}

export interface MigrationReport {
  /** names applied by this call, in order (empty when the schema was already current) */
  readonly applied: readonly string[];
  /** every migration the database has recorded after this call */
  readonly current: readonly string[];
}

/**
 * Brings the schema to the latest version. Safe to call at every start-up and from
 * several replicas at once: Kysely's migrator takes a lock (an advisory lock on
 * PostgreSQL) and skips what `gcm_migrations` already lists.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  engine: DatabaseEngine,
  migrationTableSchema?: string,
): Promise<MigrationReport> {
  const migrations = migrationsFor(engine);
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    migrationTableSchema,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new StoreError(
      StoreErrorCode.MigrationFailed,
      `Database migration ${failed ?? '(set-up)'} failed: ${error instanceof Error ? error.message : String(error)}. ` +
        'The schema stays at the last applied version; fix the cause and restart.',
      { cause: error },
    );
  }
  const applied = results.filter((result) => result.status === 'Success').map((r) => r.migrationName);
  const current = (await migrator.getMigrations())
    .filter((migration) => migration.executedAt !== undefined)
    .map((migration) => migration.name);
  return { applied, current };
}

/** The names of every migration this version of the store knows. */
export function knownMigrations(engine: DatabaseEngine): string[] {
  return Object.keys(migrationsFor(engine)).sort();
}
