/**
 * `@gcm/search-stream/nest`: the NestJS wiring of `@gcm/search-stream` (module, injection tokens, module
 * option types). The main entry `@gcm/search-stream` holds the framework-free classes and never
 * loads `@nestjs/*`, so a CLI or script pays nothing for Nest (docs/architecture.md).
 */
export {
  SEARCH_STREAM_OPTIONS,
  SearchStreamModule,
  type SearchStreamModuleAsyncOptions,
  type SearchStreamModuleOptions,
} from '../lib/search-stream.module';
