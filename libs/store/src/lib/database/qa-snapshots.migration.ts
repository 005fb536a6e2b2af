import { sql, type Kysely, type Migration } from 'kysely';
import type { DatabaseEngine } from './database-url';

/**
 * 0002: versioned QA snapshots (live-events' QaSnapshotJob). One row per version of a named
 * snapshot; a window re-run with the same content is found by (name, window, hash) and not
 * stored again.
 */
export function qaSnapshotsMigration(engine: DatabaseEngine): Migration {
  const jsonDocument = engine === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('qa_snapshots')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('window_end', 'bigint', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('document', sql.raw(jsonDocument), (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('qa_snapshots_pk', ['name', 'version'])
        .execute();
      await db.schema
        .createIndex('qa_snapshots_window_idx')
        .on('qa_snapshots')
        .columns(['name', 'window_start', 'window_end', 'content_hash'])
        .execute();
    },
  };
}
