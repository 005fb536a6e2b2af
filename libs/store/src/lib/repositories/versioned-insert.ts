import { StoreError, StoreErrorCode } from '../store.error';

/** What `insertVersioned` needs from a table keyed by (conversation, version) and unique by (conversation, hash). */
export interface VersionedTable<Entry> {
  findByHash(): Promise<Entry | undefined>;
  latestVersion(): Promise<number>;
  /** inserts with ON CONFLICT DO NOTHING; undefined when a unique key clashed */
  tryInsert(version: number): Promise<Entry | undefined>;
}

const MAX_RACE_RETRIES = 5;

/**
 * Adds the next version of a conversation's content unless that content is already
 * stored. Conflicts are resolved by looking again rather than by catching errors, which
 * would abort an enclosing PostgreSQL transaction.
 */
export async function insertVersioned<Entry>(
  label: string,
  table: VersionedTable<Entry>,
  explicitVersion?: number,
): Promise<{ entry: Entry; created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const existing = await table.findByHash();
    if (existing !== undefined) return { entry: existing, created: false };
    const version = explicitVersion ?? (await table.latestVersion()) + 1;
    const inserted = await table.tryInsert(version);
    if (inserted !== undefined) return { entry: inserted, created: true };
    const raced = await table.findByHash();
    if (raced !== undefined) return { entry: raced, created: false };
    if (explicitVersion !== undefined || attempt >= MAX_RACE_RETRIES) {
      throw new StoreError(
        StoreErrorCode.Conflict,
        `Version ${version} of ${label} is already stored with other content: two writers archived it at once. ` +
          'Archive it again to store the next version.',
      );
    }
  }
}
