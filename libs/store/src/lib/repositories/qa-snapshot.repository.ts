import { sql } from 'kysely';
import type { RepositoryContext } from './repository-context';
import { insertVersioned } from './versioned-insert';

export interface StoredQaSnapshotInfo {
  readonly name: string;
  readonly version: number;
  /** epoch ms, inclusive */
  readonly windowStart: number;
  /** epoch ms, exclusive */
  readonly windowEnd: number;
  readonly contentHash: string;
  readonly createdAt: number;
}

export interface StoredQaSnapshot extends StoredQaSnapshotInfo {
  /** the snapshot as JSON text (PostgreSQL returns jsonb's normalized spelling) */
  readonly documentJson: string;
}

export interface NewQaSnapshot {
  readonly name: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly contentHash: string;
  readonly documentJson: string;
}

const INFO_COLUMNS = ['name', 'version', 'window_start', 'window_end', 'content_hash', 'created_at'] as const;

/** Versioned QA snapshots: each name's versions in order, diffable one against another. */
export class QaSnapshotRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /**
   * Stores the next version of `name`, unless a version for the same window with the same
   * content exists (a re-run): then that one is returned with `created: false`.
   */
  append(snapshot: NewQaSnapshot): Promise<{ entry: StoredQaSnapshotInfo; created: boolean }> {
    return insertVersioned(`QA snapshot "${snapshot.name}"`, {
      findByHash: () => this.find(snapshot),
      latestVersion: async () => (await this.latest(snapshot.name))?.version ?? 0,
      tryInsert: async (version) => {
        const row = await this.ctx.db
          .insertInto('qa_snapshots')
          .values({
            name: snapshot.name,
            version,
            window_start: snapshot.windowStart,
            window_end: snapshot.windowEnd,
            content_hash: snapshot.contentHash,
            document: snapshot.documentJson,
            created_at: this.ctx.clock.now(),
          })
          .onConflict((oc) => oc.doNothing())
          .returning([...INFO_COLUMNS])
          .executeTakeFirst();
        return row === undefined ? undefined : toInfo(row);
      },
    });
  }

  /** One version, or the latest when `version` is omitted. */
  async get(name: string, version?: number): Promise<StoredQaSnapshot | undefined> {
    const documentText = this.ctx.engine === 'postgres' ? sql<string>`document::text` : sql<string>`document`;
    const row = await this.ctx.db
      .selectFrom('qa_snapshots')
      .select([...INFO_COLUMNS])
      .select(documentText.as('document_json'))
      .where('name', '=', name)
      .$if(version !== undefined, (qb) => qb.where('version', '=', version as number))
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : { ...toInfo(row), documentJson: row.document_json };
  }

  async latest(name: string): Promise<StoredQaSnapshotInfo | undefined> {
    const row = await this.ctx.db
      .selectFrom('qa_snapshots')
      .select([...INFO_COLUMNS])
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : toInfo(row);
  }

  /** The newest `limit` versions of `name`, newest first. */
  async list(name: string, limit = 50): Promise<StoredQaSnapshotInfo[]> {
    const rows = await this.ctx.db
      .selectFrom('qa_snapshots')
      .select([...INFO_COLUMNS])
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toInfo);
  }

  private async find(snapshot: NewQaSnapshot): Promise<StoredQaSnapshotInfo | undefined> {
    const row = await this.ctx.db
      .selectFrom('qa_snapshots')
      .select([...INFO_COLUMNS])
      .where('name', '=', snapshot.name)
      .where('window_start', '=', snapshot.windowStart)
      .where('window_end', '=', snapshot.windowEnd)
      .where('content_hash', '=', snapshot.contentHash)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : toInfo(row);
  }
}

function toInfo(row: {
  name: string;
  version: number;
  window_start: number;
  window_end: number;
  content_hash: string;
  created_at: number;
}): StoredQaSnapshotInfo {
  return {
    name: row.name,
    version: Number(row.version),
    windowStart: Number(row.window_start),
    windowEnd: Number(row.window_end),
    contentHash: row.content_hash,
    createdAt: Number(row.created_at),
  };
}
