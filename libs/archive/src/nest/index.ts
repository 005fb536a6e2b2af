/**
 * `@gcm/archive/nest`: the NestJS wiring of `@gcm/archive` (module, injection tokens, module
 * option types). The main entry `@gcm/archive` holds the framework-free classes and never
 * loads `@nestjs/*`, so a CLI or script pays nothing for Nest (docs/architecture.md).
 */
export { ArchiveModule } from '../lib/archive.module';
export { ARCHIVE_MODULE_OPTIONS, type ArchiveModuleAsyncOptions, type ArchiveModuleOptions } from '../lib/archive.module-definition';
