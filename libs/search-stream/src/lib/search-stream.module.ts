import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import { ConversationSearch, type ConversationSearchOptions } from './conversation-search.service';

const definition = new ConfigurableModuleBuilder<ConversationSearchOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (module, extras) => ({ ...module, global: extras.isGlobal }))
  .build();
const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = definition;

export const SEARCH_STREAM_OPTIONS = MODULE_OPTIONS_TOKEN;
export type SearchStreamModuleOptions = typeof definition.OPTIONS_TYPE;
export type SearchStreamModuleAsyncOptions = typeof definition.ASYNC_OPTIONS_TYPE;

/**
 * Provides `ConversationSearch`. Typically:
 *
 * ```ts
 * SearchStreamModule.forRootAsync({
 *   inject: [GenesysTransport],
 *   useFactory: (transport: GenesysTransport) => ({ transport }),
 * })
 * ```
 */
@Module({
  providers: [
    {
      provide: ConversationSearch,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: ConversationSearchOptions) => new ConversationSearch(options),
    },
  ],
  exports: [ConversationSearch],
})
export class SearchStreamModule extends ConfigurableModuleClass {}
