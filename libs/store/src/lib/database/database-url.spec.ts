import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError, StoreErrorCode } from '../store.error';
import { parseDatabaseUrl, redactDatabaseUrl } from './database-url';
import { openDatabase } from './store-database';

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:./var/gcm.sqlite', { engine: 'sqlite', filename: './var/gcm.sqlite' }],
    ['sqlite::memory:', { engine: 'sqlite', filename: ':memory:' }],
    ['sqlite:///srv/gcm/state.db', { engine: 'sqlite', filename: '/srv/gcm/state.db' }],
    ['SQLITE:relative.db', { engine: 'sqlite', filename: 'relative.db' }],
    [
      'postgres://gcm:s3cret@db.internal:5432/gcm',
      { engine: 'postgres', connectionString: 'postgres://gcm:s3cret@db.internal:5432/gcm' },
    ],
    ['postgresql://root@127.0.0.1/test', { engine: 'postgres', connectionString: 'postgresql://root@127.0.0.1/test' }],
  ])('parses %s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it.each([
    ['', 'no scheme'],
    ['./var/gcm.sqlite', 'no scheme'],
    ['sqlite:', 'names no database file'],
    ['mysql://root@localhost/gcm', 'scheme "mysql" is not supported'],
    ['postgres://', 'names no host'],
    ['postgres://db:port/gcm', 'not a valid URL'],
  ])('rejects %j, naming the variable and the reason', (url, reason) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: StoreErrorCode.InvalidDatabaseUrl });
    expect((error as Error).message).toContain('GCM_DATABASE_URL');
    expect((error as Error).message).toContain(reason);
    expect((error as Error).message).toContain('sqlite:./var/gcm.sqlite');
  });

  it('names the source the app read the URL from, and never shows the password', () => {
    expect(() => parseDatabaseUrl('redis://user:hunter2@cache:6379', 'STATE_DB')).toThrow(
      /^STATE_DB "redis:\/\/user:\*\*\*@cache:6379" is not a usable database URL/,
    );
    expect(() => parseDatabaseUrl('redis://user:hunter2@cache:6379')).not.toThrow(/hunter2/);
  });

  it('redacts passwords, including ones with an unencoded @', () => {
    expect(redactDatabaseUrl('postgres://gcm:pa@ss@db:5432/gcm')).toBe('postgres://gcm:***@db:5432/gcm');
    expect(redactDatabaseUrl('postgres://gcm@db/gcm')).toBe('postgres://gcm@db/gcm');
    expect(redactDatabaseUrl('sqlite:./var/gcm.sqlite')).toBe('sqlite:./var/gcm.sqlite');
  });
});

describe('openDatabase', () => {
  it('creates the SQLite file and its directory, and migrates it at start-up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcm-store-'));
    try {
      const file = join(dir, 'nested', 'gcm.sqlite');
      const store = await openDatabase(`sqlite:${file}`);
      expect(existsSync(file)).toBe(true);
      await store.checkpoints.compareAndSet('job', null, { watermark: 1 });
      await store.close();

      // state survives a restart and migrations are not re-applied
      const reopened = await openDatabase(`sqlite:${file}`);
      expect((await reopened.migrate()).applied).toEqual([]);
      expect((await reopened.checkpoints.get('job'))?.watermark).toBe(1);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with CONNECTION_FAILED and a redacted URL when PostgreSQL is unreachable', async () => {
    // port 1 on loopback: nothing listens there, the connection is refused at once
    const attempt = openDatabase('postgres://gcm:hunter2@127.0.0.1:1/gcm', { connectTimeoutMs: 2_000 });
    await expect(attempt).rejects.toMatchObject({ code: StoreErrorCode.ConnectionFailed });
    await expect(attempt).rejects.toThrow(/postgres:\/\/gcm:\*\*\*@127\.0\.0\.1:1\/gcm/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });

  it('refuses a PostgreSQL schema name that is not a plain identifier', async () => {
    await expect(
      openDatabase('postgres://root@127.0.0.1:1/test', { schema: 'x; drop table y' }),
    ).rejects.toMatchObject({ code: StoreErrorCode.InvalidDatabaseUrl });
  });
});
