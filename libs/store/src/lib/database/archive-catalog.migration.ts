import type { Kysely, Migration } from 'kysely';

/**
 * 0003: the archive catalog — one row per archived conversation describing its newest
 * version (start/end, queues, message count, integrity and SLA findings), so reviewers can
 * list and filter archived conversations without reading every stored document.
 */
export function archiveCatalogMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('archive_catalog')
        .addColumn('conversation_id', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('queue_ids', 'text', (c) => c.notNull())
        .addColumn('messenger_type', 'text')
        .addColumn('message_count', 'integer', (c) => c.notNull())
        .addColumn('participant_count', 'integer', (c) => c.notNull())
        .addColumn('integrity_findings', 'integer', (c) => c.notNull())
        .addColumn('out_of_order', 'integer', (c) => c.notNull())
        .addColumn('sla_breaches', 'integer', (c) => c.notNull())
        .addColumn('archived_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('archive_catalog_started_idx').on('archive_catalog').columns(['started_at', 'conversation_id']).execute();
    },
  };
}
