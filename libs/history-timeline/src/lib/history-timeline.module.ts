import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import { HistorySync, type HistorySyncOptions } from './history-sync.service';

const definition = new ConfigurableModuleBuilder<HistorySyncOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (module, extras) => ({ ...module, global: extras.isGlobal }))
  .build();
const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = definition;

export const HISTORY_TIMELINE_OPTIONS = MODULE_OPTIONS_TOKEN;
export type HistoryTimelineModuleOptions = typeof definition.OPTIONS_TYPE;
export type HistoryTimelineModuleAsyncOptions = typeof definition.ASYNC_OPTIONS_TYPE;

/**
 * Provides `HistorySync`. Typically, on the MessagingClient of MessagingClientModule:
 *
 * ```ts
 * HistoryTimelineModule.forRootAsync({
 *   inject: [MessagingClient],
 *   useFactory: (source: MessagingClient) => ({ source, defaults: { integrity: { gapThresholdMs: 2 * 3_600_000 } } }),
 * })
 * ```
 */
@Module({
  providers: [
    {
      provide: HistorySync,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: HistorySyncOptions) => new HistorySync(options),
    },
  ],
  exports: [HistorySync],
})
export class HistoryTimelineModule extends ConfigurableModuleClass {}
