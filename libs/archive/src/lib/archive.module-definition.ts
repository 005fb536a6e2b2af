import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ArchiveJobOptions } from './archive-job.options';
import type { ArchiveVersionRemover } from './retention/retention-sweep.service';

export interface ArchiveModuleOptions extends ArchiveJobOptions {
  /** How the retention sweep deletes a version (built in for the filesystem sink). */
  readonly removeVersion?: ArchiveVersionRemover;
}

export const {
  ConfigurableModuleClass: ArchiveConfigurableModule,
  MODULE_OPTIONS_TOKEN: ARCHIVE_MODULE_OPTIONS,
  OPTIONS_TYPE: ARCHIVE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ARCHIVE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ArchiveModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

export type ArchiveModuleAsyncOptions = typeof ARCHIVE_ASYNC_OPTIONS_TYPE;
