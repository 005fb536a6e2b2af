import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase } from '../database/store-database';
import { StoreErrorCode } from '../store.error';
import { planTestDatabases, TcpCutProxy } from '../../testing';
import { classifyStoreFault, StoreFaultError } from './store-fault';
import { parseStoreRetryBudget, StoreRetry, type StoreHealthObserver } from './store-retry';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

/** A monotonic clock that only the fake sleep moves. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

describe('classifyStoreFault', () => {
  it.each([
    [coded('ECONNREFUSED'), 'connection'],
    [coded('ECONNRESET'), 'connection'],
    [coded('ETIMEDOUT'), 'connection'],
    [coded('EPIPE'), 'connection'],
    [coded('57P01', 'terminating connection due to administrator command'), 'connection'],
    [coded('57P03', 'the database system is starting up'), 'connection'],
    [coded('08006'), 'connection'],
    [new Error('Connection terminated unexpectedly'), 'connection'],
    [coded('SQLITE_BUSY'), 'busy'],
    [coded('SQLITE_LOCKED'), 'busy'],
    [coded('ENOSPC'), 'disk-full'],
    [coded('53100', 'could not extend file: No space left on device'), 'disk-full'],
    [coded('EDQUOT'), 'quota'],
    [coded('EROFS'), 'read-only'],
    [coded('EACCES'), 'permission'],
    [new Error('wrapped', { cause: coded('ECONNREFUSED') }), 'connection'],
    [new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), 'connection'],
  ])('%s is %s', (error, expected) => {
    expect(classifyStoreFault(error)).toBe(expected);
  });

  it.each([[new Error('duplicate key value')], [coded('23505')], [coded('ENOENT')], ['a string']])('%s is not a storage fault', (error) => {
    expect(classifyStoreFault(error)).toBeUndefined();
  });
});

describe('StoreRetry', () => {
  const where = 'the database at db.example:5432';

  it('retries a transient failure with capped full-jitter backoff and reports the outage once, and its end', async () => {
    const time = fakeTime();
    const events: string[] = [];
    const observer: StoreHealthObserver = {
      fault: (event) => events.push(`fault ${event.faultClass} ${event.code} retrying=${event.retrying}`),
      unavailable: (event) => events.push(`down: ${event.message}`),
      recovered: (event) => events.push(`up: ${event.message}`),
    };
    const retry = new StoreRetry(where, { budgetMs: 60_000, baseDelayMs: 100, maxDelayMs: 400, sleep: time.sleep, now: time.now }, () => 0.99, observer);
    let calls = 0;
    const result = await retry.run(async () => {
      calls++;
      if (calls <= 4) throw coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:5432');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(5);
    // uniform below min(cap, base·2ⁿ⁻¹): 0.99 of 100, 200, 400, 400
    expect(time.slept).toEqual([99, 198, 396, 396]);
    expect(events).toEqual([
      'down: The database at db.example:5432 is unreachable (ECONNREFUSED); retrying for up to 60 s',
      'fault connection ECONNREFUSED retrying=true',
      'fault connection ECONNREFUSED retrying=true',
      'fault connection ECONNREFUSED retrying=true',
      'fault connection ECONNREFUSED retrying=true',
      'up: The database at db.example:5432 is reachable again (after 1 s)',
    ]);
    expect(retry.down).toBe(false);
  });

  it('gives up when the outage has lasted the budget, naming where and why; later operations of that outage stop at the same deadline', async () => {
    const time = fakeTime();
    const retry = new StoreRetry(where, { budgetMs: 2_000, baseDelayMs: 100, maxDelayMs: 500, sleep: time.sleep, now: time.now }, () => 0.5);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw coded('ECONNREFUSED');
    };
    const error = await retry.run(failing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreFaultError);
    expect(error).toMatchObject({ code: StoreErrorCode.Unavailable, faultClass: 'connection', faultCode: 'ECONNREFUSED' });
    expect((error as Error).message).toBe('the database at db.example:5432 is unreachable (ECONNREFUSED); retried for 2 s');
    expect(time.now()).toBeLessThanOrEqual(2_000);
    expect(retry.down).toBe(true);

    // the budget is the outage's: the next operation retries only up to the same deadline
    const gaveUpAt = time.now();
    await expect(retry.run(failing)).rejects.toMatchObject({ code: StoreErrorCode.Unavailable });
    expect(time.now()).toBeLessThanOrEqual(2_000);
    calls = 0;
    await expect(retry.run(failing)).rejects.toMatchObject({ code: StoreErrorCode.Unavailable });
    expect(calls).toBeLessThanOrEqual(Math.ceil((2_000 - gaveUpAt) / 25) + 1);
  });

  it('turns a full disk into a storage fault at once, and passes other errors through untouched', async () => {
    const time = fakeTime();
    const retry = new StoreRetry(where, { budgetMs: 60_000, sleep: time.sleep, now: time.now }, () => 0.5);
    await expect(retry.run(async () => Promise.reject(coded('53100')))).rejects.toMatchObject({
      code: StoreErrorCode.StorageFault,
      faultClass: 'disk-full',
      message: 'the database at db.example:5432 is full (53100)',
    });
    const other = new Error('duplicate key');
    await expect(retry.run(async () => Promise.reject(other))).rejects.toBe(other);
    expect(time.slept).toEqual([]);
  });
});

describe('parseStoreRetryBudget', () => {
  it('reads durations like the other GCM_* duration variables', () => {
    expect(parseStoreRetryBudget(undefined)).toBe(60_000);
    expect(parseStoreRetryBudget('')).toBe(60_000);
    expect(parseStoreRetryBudget('30s')).toBe(30_000);
    expect(parseStoreRetryBudget('2m')).toBe(120_000);
    expect(parseStoreRetryBudget('500ms')).toBe(500);
    expect(parseStoreRetryBudget('0')).toBe(0);
  });

  it.each(['soon', '-1s', '2h', '10x'])('refuses %s, naming the variable and the limit', (text) => {
    expect(() => parseStoreRetryBudget(text)).toThrow(`GCM_STORE_RETRY must be a duration from 0 to 1h (e.g. 60s, 2m, 500ms); got "${text}"`);
  });
});

describe('the store retries whole operations on a real database', () => {
  it('SQLite: a transaction that failed busy is retried as a whole; the first attempt left nothing', async () => {
    const time = fakeTime();
    const store = await openDatabase('sqlite::memory:', { storeRetry: { sleep: time.sleep, now: time.now } });
    try {
      let attempts = 0;
      await store.transaction(async (tx) => {
        attempts++;
        await tx.checkpoints.compareAndSet(`job-${attempts}`, null, { watermark: attempts, resumeToken: null });
        if (attempts === 1) throw coded('SQLITE_BUSY', 'database is locked');
      });
      expect(attempts).toBe(2);
      expect(await store.checkpoints.get('job-1')).toBeUndefined();
      expect(await store.checkpoints.get('job-2')).toMatchObject({ watermark: 2 });
    } finally {
      await store.close();
    }
  });

  const plan = planTestDatabases(process.env);
  const postgres = plan.engines.includes('postgres') ? it : it.skip;
  postgres('PostgreSQL: connections cut under the pool are replaced, and a statement during the cut waits for the database', async () => {
    if (plan.unreachable) throw new Error(plan.unreachable);
    const target = new URL(plan.postgresUrl as string);
    const proxy = await TcpCutProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const schema = `gcm_retry_${randomBytes(5).toString('hex')}`;
    const down: string[] = [];
    const store = await openDatabase(proxy.rewrite(plan.postgresUrl as string), {
      schema,
      storeRetry: { budgetMs: 10_000, baseDelayMs: 50, maxDelayMs: 200 },
      health: { unavailable: (event) => down.push(event.code) },
    });
    try {
      await store.checkpoints.compareAndSet('before', null, { watermark: 1, resumeToken: null });
      const accepted = proxy.accepted;
      await proxy.cut(500);
      // the pool's connections are dead; the statement is retried on a new one once the line is back
      await store.checkpoints.compareAndSet('during', null, { watermark: 2, resumeToken: null });
      expect(await store.checkpoints.get('during')).toMatchObject({ watermark: 2 });
      expect(proxy.accepted).toBeGreaterThan(accepted);
      expect(down).toHaveLength(1);
      expect(store.unavailable).toBe(false);
    } finally {
      await store.close();
      await proxy.stop();
      const admin = new Client({ connectionString: plan.postgresUrl, connectionTimeoutMillis: 5_000 });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
    }
  });
});
