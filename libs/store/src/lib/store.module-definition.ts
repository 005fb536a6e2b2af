import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OpenDatabaseOptions } from './database/store-database';

export type ArchiveSinkConfig =
  | { readonly kind: 'filesystem'; /** e.g. GCM_ARCHIVE_DIR, default ./var/archive */ readonly root: string }
  | { readonly kind: 'database' };

export interface StoreModuleOptions extends OpenDatabaseOptions {
  /** GCM_DATABASE_URL: `sqlite:./var/gcm.sqlite`, `sqlite::memory:` or `postgres://…` */
  readonly url: string;
  /** which archive sink to provide under ARCHIVE_SINK (none when omitted) */
  readonly archive?: ArchiveSinkConfig;
}

export const {
  ConfigurableModuleClass: StoreConfigurableModule,
  MODULE_OPTIONS_TOKEN: STORE_MODULE_OPTIONS,
  OPTIONS_TYPE: STORE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: STORE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StoreModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
