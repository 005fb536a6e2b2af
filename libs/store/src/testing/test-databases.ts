import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import type { DatabaseEngine } from '../lib/database/database-url';
import { openDatabase, OpenDatabaseOptions, StoreDatabase } from '../lib/database/store-database';

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://root@127.0.0.1:5432/test';

/** Which engines a real-database test suite runs on, decided once per test file. */
export interface TestDatabasePlan {
  readonly engines: readonly DatabaseEngine[];
  /** the PostgreSQL URL, when PostgreSQL is in `engines` */
  readonly postgresUrl?: string;
  /** why PostgreSQL is not in `engines` (print it: a skipped engine must be visible) */
  readonly skipped?: string;
  /** set in CI when PostgreSQL is unreachable: opening it fails every PostgreSQL test */
  readonly unreachable?: string;
}

/**
 * Decides from the environment (pass `process.env`) whether the PostgreSQL half of a
 * suite runs. `GCM_TEST_POSTGRES_URL` names the server; outside CI it defaults to the
 * local one and the half is skipped, with a message, when that server is down. With
 * `CI=true` PostgreSQL is mandatory: an unset URL or an unreachable server makes the
 * PostgreSQL tests fail instead of silently not running.
 */
export function planTestDatabases(env: Readonly<Record<string, string | undefined>>): TestDatabasePlan {
  const ci = env['CI'] === 'true' || env['CI'] === '1';
  const configured = env['GCM_TEST_POSTGRES_URL']?.trim() || undefined;
  if (ci && configured === undefined) {
    return {
      engines: ['sqlite', 'postgres'],
      unreachable: 'CI=true but GCM_TEST_POSTGRES_URL is not set: point it at the CI PostgreSQL server.',
    };
  }
  const postgresUrl = configured ?? DEFAULT_TEST_POSTGRES_URL;
  const probe = probePostgresSync(postgresUrl);
  if (probe === undefined) return { engines: ['sqlite', 'postgres'], postgresUrl };
  const reason = `PostgreSQL at ${postgresUrl.replace(/:[^:@/]*@/, ':***@')} is unreachable (${probe})`;
  if (ci) return { engines: ['sqlite', 'postgres'], postgresUrl, unreachable: `${reason}; CI=true requires it.` };
  return {
    engines: ['sqlite'],
    skipped: `${reason}: skipping the PostgreSQL half of this suite. Start it or set GCM_TEST_POSTGRES_URL.`,
  };
}

/**
 * Connects once in a child process, synchronously: Jest collects `describe.each`
 * tables before any async hook can run. Returns undefined when reachable, else why not.
 */
export function probePostgresSync(url: string, timeoutMs = 3_000): string | undefined {
  const script = `
    const { Client } = require(process.argv[1]);
    const client = new Client({ connectionString: process.argv[2], connectionTimeoutMillis: ${timeoutMs} });
    client.connect().then(() => client.query('select 1')).then(
      () => client.end().then(() => process.exit(0)),
      (error) => { process.stderr.write(String(error && error.message)); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', script, require.resolve('pg'), url], {
    encoding: 'utf8',
    timeout: timeoutMs + 2_000,
  });
  if (result.status === 0) return undefined;
  return result.stderr?.trim() || result.error?.message || `probe exited with ${result.status}`;
}

/**
 * A freshly migrated store on one engine: an in-memory SQLite database, or a new
 * `gcm_test_<random>` schema on the PostgreSQL server, dropped by `dispose()`.
 */
export class TestDatabase {
  private readonly extra: StoreDatabase[] = [];

  private constructor(
    readonly engine: DatabaseEngine,
    readonly store: StoreDatabase,
    private readonly url: string,
    readonly schema: string | undefined,
    private readonly options: OpenDatabaseOptions,
  ) {}

  static async create(
    engine: DatabaseEngine,
    plan: TestDatabasePlan,
    options: OpenDatabaseOptions = {},
  ): Promise<TestDatabase> {
    if (engine === 'sqlite') {
      const url = 'sqlite::memory:';
      return new TestDatabase(engine, await openDatabase(url, options), url, undefined, options);
    }
    if (plan.unreachable !== undefined || plan.postgresUrl === undefined) {
      throw new Error(plan.unreachable ?? plan.skipped ?? 'PostgreSQL is not part of this test plan');
    }
    const schema = `gcm_test_${randomBytes(6).toString('hex')}`;
    const withSchema = { ...options, schema };
    const store = await openDatabase(plan.postgresUrl, withSchema);
    return new TestDatabase(engine, store, plan.postgresUrl, schema, withSchema);
  }

  /**
   * Another handle on the same database with its own connections (PostgreSQL). SQLite
   * `:memory:` databases exist once per handle, so there the same handle is returned.
   */
  async openAnother(options: OpenDatabaseOptions = {}): Promise<StoreDatabase> {
    if (this.engine === 'sqlite') return this.store;
    const store = await openDatabase(this.url, { ...this.options, ...options, migrate: false });
    this.extra.push(store);
    return store;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.store, ...this.extra].map((store) => store.close()));
    if (this.schema === undefined) return;
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`drop schema if exists "${this.schema}" cascade`);
    } finally {
      await client.end();
    }
  }
}
