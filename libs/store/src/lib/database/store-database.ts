import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import { Client, Pool, types as pgTypes } from 'pg';
import { Clock, RandomSource, systemClock } from '../clock';
import { ArchiveCatalogRepository } from '../repositories/archive-catalog.repository';
import { ArchiveDocumentRepository } from '../repositories/archive-document.repository';
import { ArchiveIndexRepository } from '../repositories/archive-index.repository';
import { CheckpointRepository } from '../repositories/checkpoint.repository';
import { JobRunRepository } from '../repositories/job-run.repository';
import { OutboxRepository } from '../repositories/outbox.repository';
import { QaSnapshotRepository } from '../repositories/qa-snapshot.repository';
import { ReviewSessionRepository } from '../repositories/review-session.repository';
import type { RepositoryContext } from '../repositories/repository-context';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../repositories/retry-policy';
import { WorkItemRepository } from '../repositories/work-item.repository';
import { StoreRetry, retrying, type StoreHealthObserver, type StoreRetryOptions } from '../faults/store-retry';
import { StoreError, StoreErrorCode } from '../store.error';
import { DatabaseEngine, DatabaseTarget, parseDatabaseUrl, redactDatabaseUrl } from './database-url';
import { migrateToLatest, MigrationReport } from './migrations';
import type { StoreSchema } from './schema';

export interface OpenDatabaseOptions {
  readonly clock?: Clock;
  /** randomness for backoff jitter */
  readonly random?: RandomSource;
  /** default retry policy of work items and outbox messages */
  readonly retryPolicy?: RetryPolicy;
  /** apply pending migrations before returning (default true) */
  readonly migrate?: boolean;
  /** PostgreSQL: use (and create) this schema instead of the connection's default */
  readonly schema?: string;
  /** PostgreSQL: pool size (default 10) */
  readonly poolSize?: number;
  /** PostgreSQL: how long to wait for a connection (default 10 s) */
  readonly connectTimeoutMs?: number;
  /** SQLite: how long a writer waits for another process's lock (default 5 s) */
  readonly busyTimeoutMs?: number;
  /** names the URL's origin in error messages (default GCM_DATABASE_URL) */
  readonly urlSource?: string;
  /**
   * How long an operation that fails with a transient fault (connection lost or refused,
   * PostgreSQL restarting, SQLite busy) is retried before it fails (default 60 s).
   */
  readonly storeRetry?: StoreRetryOptions;
  /** Told about classified failures and when an outage begins and ends (metrics, logs). */
  readonly health?: StoreHealthObserver;
}

/** Every repository, bound to the pool or to one transaction. */
export interface StoreRepositories {
  readonly checkpoints: CheckpointRepository;
  readonly archiveIndex: ArchiveIndexRepository;
  readonly archiveCatalog: ArchiveCatalogRepository;
  readonly archiveDocuments: ArchiveDocumentRepository;
  readonly workItems: WorkItemRepository;
  readonly jobRuns: JobRunRepository;
  readonly outbox: OutboxRepository;
  readonly qaSnapshots: QaSnapshotRepository;
  readonly reviewSessions: ReviewSessionRepository;
  /**
   * Runs `fn` in one transaction and commits its writes together (rolls back if it
   * throws). Use the repositories of `tx`, not the outer ones: on SQLite the outer ones
   * wait for the transaction's connection. Nested calls join the running transaction.
   */
  transaction<T>(fn: (tx: StoreRepositories) => Promise<T>): Promise<T>;
}

class RepositorySet implements StoreRepositories {
  readonly checkpoints: CheckpointRepository;
  readonly archiveIndex: ArchiveIndexRepository;
  readonly archiveCatalog: ArchiveCatalogRepository;
  readonly archiveDocuments: ArchiveDocumentRepository;
  readonly workItems: WorkItemRepository;
  readonly jobRuns: JobRunRepository;
  readonly outbox: OutboxRepository;
  readonly qaSnapshots: QaSnapshotRepository;
  readonly reviewSessions: ReviewSessionRepository;

  constructor(
    protected readonly ctx: RepositoryContext,
    private readonly policy: RetryPolicy,
    private readonly random: RandomSource,
    /** outside a transaction: every call is retried as a whole on transient faults */
    protected readonly retry: StoreRetry,
  ) {
    // inside a transaction a statement cannot be retried alone: the transaction is
    const wrap = <R extends object>(repository: R): R => (ctx.inTransaction ? repository : retrying(repository, retry));
    this.checkpoints = wrap(new CheckpointRepository(ctx));
    this.archiveIndex = wrap(new ArchiveIndexRepository(ctx));
    this.archiveCatalog = wrap(new ArchiveCatalogRepository(ctx));
    this.archiveDocuments = wrap(new ArchiveDocumentRepository(ctx));
    this.workItems = wrap(new WorkItemRepository(ctx, policy, random));
    this.jobRuns = wrap(new JobRunRepository(ctx));
    this.outbox = wrap(new OutboxRepository(ctx, policy, random));
    this.qaSnapshots = wrap(new QaSnapshotRepository(ctx));
    this.reviewSessions = wrap(new ReviewSessionRepository(ctx));
  }

  transaction<T>(fn: (tx: StoreRepositories) => Promise<T>): Promise<T> {
    if (this.ctx.inTransaction) return fn(this);
    return this.retry.run(() => this.ctx.transaction((txCtx) => fn(new RepositorySet(txCtx, this.policy, this.random, this.retry))));
  }
}

/**
 * An open database: the repositories plus lifecycle. Obtain one with `openDatabase`.
 */
export class StoreDatabase extends RepositorySet {
  private closed = false;

  /** @internal use openDatabase */
  constructor(
    private readonly db: Kysely<StoreSchema>,
    readonly engine: DatabaseEngine,
    /** the URL with credentials hidden, for logs */
    readonly displayUrl: string,
    private readonly migrationSchema: string | undefined,
    ctx: RepositoryContext,
    policy: RetryPolicy,
    random: RandomSource,
    retry: StoreRetry,
  ) {
    super(ctx, policy, random, retry);
  }

  /** True while the database is unreachable or locked (the last operation failed transiently). */
  get unavailable(): boolean {
    return this.retry.down;
  }

  /** Applies pending migrations; a no-op when the schema is current. */
  migrate(): Promise<MigrationReport> {
    this.assertOpen();
    return migrateToLatest(this.db as Kysely<unknown>, this.engine, this.migrationSchema);
  }

  /**
   * Cheap round trip for health checks: tried once, never retried (a probe must answer
   * fast), but it tells the health observer when an outage begins or ends.
   */
  async ping(): Promise<void> {
    this.assertOpen();
    const probe = () => sql`select 1`.execute(this.db);
    await this.retry.run(probe, undefined, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new StoreError(StoreErrorCode.Closed, `The database ${this.displayUrl} was used after close().`);
    }
  }
}

/**
 * Opens `sqlite:<path>`, `sqlite::memory:` or `postgres://…`, checks the connection and
 * (unless `migrate: false`) brings the schema to the latest version.
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<StoreDatabase> {
  const target = parseDatabaseUrl(url, options.urlSource);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const displayUrl = redactDatabaseUrl(url.trim());

  const { db, migrationSchema } =
    target.engine === 'sqlite'
      ? { db: openSqlite(target, options, displayUrl), migrationSchema: undefined }
      : await openPostgres(target, options, displayUrl);

  const store = new StoreDatabase(
    db,
    target.engine,
    displayUrl,
    migrationSchema,
    rootContext(db, target.engine, clock),
    policy,
    random,
    new StoreRetry(databaseLocation(target), options.storeRetry ?? {}, random, options.health),
  );
  try {
    if (options.migrate !== false) await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** "the database at host:port" (PostgreSQL) or "the database file path" (SQLite): never credentials. */
function databaseLocation(target: DatabaseTarget): string {
  if (target.engine === 'sqlite') return `the SQLite database ${target.filename}`;
  const url = new URL(target.connectionString);
  return `the database at ${url.hostname}:${url.port || '5432'}`;
}

function rootContext(db: Kysely<StoreSchema>, engine: DatabaseEngine, clock: Clock): RepositoryContext {
  const inside = (executor: Kysely<StoreSchema>): RepositoryContext => {
    const ctx: RepositoryContext = {
      db: executor,
      engine,
      clock,
      inTransaction: true,
      transaction: (fn) => fn(ctx),
    };
    return ctx;
  };
  return {
    db,
    engine,
    clock,
    inTransaction: false,
    transaction: (fn) =>
      engine === 'postgres'
        ? db.transaction().execute((trx) => fn(inside(trx)))
        : // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that
          // reads first and writes later can fail with SQLITE_BUSY half-way when another
          // process wrote in between
          db.connection().execute(async (connection) => {
            await sql`begin immediate`.execute(connection);
            try {
              const result = await fn(inside(connection));
              await sql`commit`.execute(connection);
              return result;
            } catch (error) {
              await sql`rollback`.execute(connection).catch(() => undefined);
              throw error;
            }
          }),
  };
}

function openSqlite(
  target: Extract<DatabaseTarget, { engine: 'sqlite' }>,
  options: OpenDatabaseOptions,
  displayUrl: string,
): Kysely<StoreSchema> {
  const inMemory = target.filename === ':memory:';
  let database: BetterSqlite3.Database;
  try {
    if (!inMemory) mkdirSync(dirname(target.filename), { recursive: true });
    database = new BetterSqlite3(target.filename, { timeout: options.busyTimeoutMs ?? 5_000 });
    if (!inMemory) {
      // WAL: readers never block the writer; NORMAL is durable at every checkpoint and
      // never corrupts, which is the usual trade for WAL
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
    }
    database.pragma('foreign_keys = ON');
  } catch (error) {
    throw new StoreError(
      StoreErrorCode.ConnectionFailed,
      `Cannot open the SQLite database ${displayUrl}: ${(error as Error).message}. Check that the directory is writable.`,
      { cause: error },
    );
  }
  return new Kysely<StoreSchema>({ dialect: new SqliteDialect({ database }) });
}

const INT8_OID = 20;

async function openPostgres(
  target: Extract<DatabaseTarget, { engine: 'postgres' }>,
  options: OpenDatabaseOptions,
  displayUrl: string,
): Promise<{ db: Kysely<StoreSchema>; migrationSchema: string }> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreError(
      StoreErrorCode.InvalidDatabaseUrl,
      `The PostgreSQL schema name "${schema}" is not allowed: use lower-case letters, digits and underscores.`,
    );
  }
  const connectionTimeoutMillis = options.connectTimeoutMs ?? 10_000;
  const failed = (error: unknown): StoreError =>
    new StoreError(
      StoreErrorCode.ConnectionFailed,
      `Cannot connect to PostgreSQL at ${displayUrl}: ${(error as Error).message}. Check that the server is up and the URL is right.`,
      { cause: error },
    );

  if (schema !== undefined) {
    const client = new Client({ connectionString: target.connectionString, connectionTimeoutMillis });
    try {
      await client.connect();
      await client.query(`create schema if not exists "${schema}"`);
    } catch (error) {
      throw failed(error);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  const pool = new Pool({
    connectionString: target.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis,
    // a server gone without a FIN (power cut, network partition) is noticed by TCP keepalive
    keepAlive: true,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    // epoch-millisecond BIGINT columns and counts fit a JS number exactly; parse them
    // as numbers for this pool only (pg's global parsers stay untouched)
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
    },
  });
  // an idle client losing its connection (server restart) must not crash the process;
  // the pool drops it (as it drops a client released after its connection broke), so the
  // next query, or its retry, opens a fresh connection
  pool.on('error', () => undefined);
  // the same for a client checked out between two statements (a transaction waiting on
  // its caller): its next statement fails with the error instead, and the pool discards
  // the broken client when it is released
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool }) });
  try {
    const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    const current = result.rows[0]?.schema;
    if (current === null || current === undefined) {
      throw new Error('the connection has no current schema (search_path names no existing schema)');
    }
    return { db, migrationSchema: current };
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw failed(error);
  }
}
