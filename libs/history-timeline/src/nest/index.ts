/**
 * `@gcm/history-timeline/nest`: the NestJS wiring of `@gcm/history-timeline` (module, injection tokens, module
 * option types). The main entry `@gcm/history-timeline` holds the framework-free classes and never
 * loads `@nestjs/*`, so a CLI or script pays nothing for Nest (docs/architecture.md).
 */
export {
  HISTORY_TIMELINE_OPTIONS,
  HistoryTimelineModule,
  type HistoryTimelineModuleAsyncOptions,
  type HistoryTimelineModuleOptions,
} from '../lib/history-timeline.module';
