import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseArchiveSink } from './archive/database-archive-sink';
import { FileSystemArchiveSink } from './archive/filesystem-archive-sink';
import { StoreDatabase } from './database/store-database';
import { ARCHIVE_SINK, StoreModule } from './store.module';
import { StoreErrorCode } from './store.error';

describe('StoreModule', () => {
  it('opens and migrates the database on init, and closes it on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [StoreModule.forRoot({ url: 'sqlite::memory:', archive: { kind: 'database' } })],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();

    const store = app.get(StoreDatabase);
    expect(store.engine).toBe('sqlite');
    expect((await store.migrate()).applied).toEqual([]);
    expect(app.get(ARCHIVE_SINK)).toBeInstanceOf(DatabaseArchiveSink);
    await store.jobRuns.start('nest');

    await app.close();
    await expect(store.ping()).rejects.toMatchObject({ code: StoreErrorCode.Closed });
  });

  it('takes its options from a factory (forRootAsync), e.g. validated app config', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gcm-store-module-'));
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [
          StoreModule.forRootAsync({
            useFactory: async () => ({ url: 'sqlite::memory:', archive: { kind: 'filesystem', root } }),
          }),
        ],
      }).compile();
      const sink = moduleRef.get<FileSystemArchiveSink>(ARCHIVE_SINK);
      expect(sink).toBeInstanceOf(FileSystemArchiveSink);
      expect(sink.root).toBe(root);
      await moduleRef.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails start-up with a clear error for a bad URL', async () => {
    await expect(
      Test.createTestingModule({ imports: [StoreModule.forRoot({ url: 'mongodb://x' })] }).compile(),
    ).rejects.toMatchObject({ code: StoreErrorCode.InvalidDatabaseUrl });
  });
});
