import { Test } from '@nestjs/testing';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { FileSystemArchiveSink, openDatabase, type StoreDatabase } from '@gcm/store';
import type { HistorySource } from '@gcm/history-timeline';
import type { ConversationSearch } from '@gcm/search-stream';
import { ArchiveJob } from './archive-job.service';
import { ArchiveModule } from './archive.module';
import { ArchiveError, ArchiveErrorCode } from './archive.error';
import { resolveArchiveJobOptions } from './archive-job.options';
import { RetentionSweep } from './retention/retention-sweep.service';

const unused = () => {
  throw new Error('not used by this test');
};
const search = { search: unused } as unknown as Pick<ConversationSearch, 'search'>;
const messaging: HistorySource = { getConversation: unused, getMessageConversation: unused, getMessagesBulk: unused };

describe('ArchiveModule', () => {
  let store: StoreDatabase;
  const clock = new FakeClock('2026-03-01T00:00:00.000Z');

  beforeAll(async () => {
    store = await openDatabase('sqlite::memory:', { clock });
  });

  afterAll(() => store.close());

  it('provides ArchiveJob and RetentionSweep built from forRootAsync', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ArchiveModule.forRootAsync({
          useFactory: () => ({
            store,
            sink: new FileSystemArchiveSink({ root: '/tmp/gcm-archive-module-spec' }),
            search,
            messaging,
            clock,
            jobName: 'nightly',
            owner: 'replica-x',
            settleDelayMs: 0,
            startAt: clock.now(),
          }),
        }),
      ],
    }).compile();
    const job = moduleRef.get(ArchiveJob);
    expect(job).toBeInstanceOf(ArchiveJob);
    expect([job.jobName, job.owner]).toEqual(['nightly', 'replica-x']);
    expect(moduleRef.get(RetentionSweep)).toBeInstanceOf(RetentionSweep);
    // nothing is due yet: the first window starts now
    expect(await job.run()).toMatchObject({ status: 'idle', role: 'coordinator', windows: [] });
    expect(await job.status()).toEqual({ watermark: '2026-03-01T00:00:00.000Z' });
  });
});

describe('ArchiveJob options', () => {
  const base = { store: {} as StoreDatabase, sink: {} as FileSystemArchiveSink, search, messaging };

  it.each([
    [{ concurrency: 0 }, 'ArchiveJob option concurrency must be a whole number from 1 to 256, got 0.'],
    [{ jobName: 'a b' }, 'ArchiveJob option jobName must be 1-63 letters, digits, ".", "_" or "-", got "a b".'],
    [{ maxWindowMs: 1_000, minWindowMs: 60_000 }, 'ArchiveJob option maxWindowMs (1000) must not be below minWindowMs (60000).'],
    [{ match: 'ended' }, 'ArchiveJob option match must be "activity" or "started", got "ended".'],
    [{ leaseMs: 10 }, 'ArchiveJob option leaseMs must be a whole number from 1000 to 9007199254740991, got 10.'],
    [{ retry: { maxAttempts: 0 } }, 'ArchiveJob option retry.maxAttempts must be a whole number from 1 to 100, got 0.'],
  ])('refuses %j with a message naming the option', (options, message) => {
    let error: unknown;
    try {
      resolveArchiveJobOptions({ ...base, ...(options as object) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe(ArchiveErrorCode.InvalidOptions);
    expect((error as Error).message).toBe(message);
  });

  it('requires its collaborators', () => {
    expect(() => resolveArchiveJobOptions({ ...base, sink: undefined as never })).toThrow('ArchiveJob option sink is required.');
  });

  it('never runs more conversations at once than the transport limiter allows', () => {
    expect(resolveArchiveJobOptions({ ...base, concurrency: 16, transport: { requestCount: 0, limiter: { maxConcurrency: 4 } } }).concurrency).toBe(4);
    expect(resolveArchiveJobOptions({ ...base, transport: { requestCount: 0, limiter: { maxConcurrency: Infinity } } }).concurrency).toBe(8);
  });
});
