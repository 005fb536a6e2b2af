import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ArchiveSink } from './archive/archive-sink';
import { DatabaseArchiveSink } from './archive/database-archive-sink';
import { FileSystemArchiveSink } from './archive/filesystem-archive-sink';
import { openDatabase, StoreDatabase } from './database/store-database';
import { STORE_MODULE_OPTIONS, StoreConfigurableModule, StoreModuleOptions } from './store.module-definition';

/** Injection token of the configured `ArchiveSink` (null when `archive` was not configured). */
export const ARCHIVE_SINK = Symbol('ARCHIVE_SINK');

/**
 * Opens the database (and applies migrations) while the application initializes,
 * provides `StoreDatabase` and `ARCHIVE_SINK`, and closes the database on shutdown.
 * `StoreModule.forRoot({ url, archive, isGlobal })` or `forRootAsync({ useFactory, inject })`.
 */
@Module({
  providers: [
    {
      provide: StoreDatabase,
      inject: [STORE_MODULE_OPTIONS],
      useFactory: (options: StoreModuleOptions) => openDatabase(options.url, options),
    },
    {
      provide: ARCHIVE_SINK,
      inject: [STORE_MODULE_OPTIONS, StoreDatabase],
      useFactory: (options: StoreModuleOptions, store: StoreDatabase): ArchiveSink | null => {
        if (options.archive === undefined) return null;
        return options.archive.kind === 'filesystem'
          ? new FileSystemArchiveSink({ root: options.archive.root, clock: options.clock })
          : new DatabaseArchiveSink(store);
      },
    },
  ],
  exports: [StoreDatabase, ARCHIVE_SINK],
})
export class StoreModule extends StoreConfigurableModule implements OnApplicationShutdown {
  constructor(@Inject(StoreDatabase) private readonly store: StoreDatabase) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
