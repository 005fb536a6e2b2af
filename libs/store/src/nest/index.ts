/**
 * `@gcm/store/nest`: the NestJS wiring of `@gcm/store` (module, injection tokens, module
 * option types). The main entry `@gcm/store` holds the framework-free classes and never
 * loads `@nestjs/*`, so a CLI or script pays nothing for Nest (docs/architecture.md).
 */
export { ARCHIVE_SINK, StoreModule } from '../lib/store.module';
export { STORE_MODULE_OPTIONS, type ArchiveSinkConfig, type StoreModuleOptions } from '../lib/store.module-definition';
