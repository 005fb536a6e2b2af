import type { Kysely, Migration } from 'kysely';

/**
 * Review sessions — the transcript review pages' server-side sign-ins: one row per
 * session, keyed by the SHA-256 of its random id (the id itself is only in the reviewer's
 * cookie), with the API key it was opened with and its expiry. Self-contained: it touches
 * no other table, so it can take any free number.
 */
export function reviewSessionsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('review_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('key_sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('review_sessions_key_idx').on('review_sessions').columns(['key_sha256']).execute();
      await db.schema.createIndex('review_sessions_expiry_idx').on('review_sessions').columns(['expires_at']).execute();
    },
  };
}
