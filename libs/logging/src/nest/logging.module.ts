import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import type { GcmLogger } from '../lib/gcm-logger';

export interface LoggingModuleOptions {
  readonly logger: GcmLogger;
  /**
   * pino-http's request logging (one line per request when it ends); leave out for an app
   * whose HTTP server only answers health and metrics. `logger` is always `logger.pino`.
   */
  readonly http?: Omit<Options<IncomingMessage, ServerResponse>, 'logger'>;
}

/**
 * nestjs-pino over gcm's pino logger: Nest's own lines and the request log go through the
 * same redacting logger as everything else. Use nestjs-pino's `Logger` as the app logger
 * (`app.useLogger(app.get(Logger))`).
 */
@Module({ providers: [], exports: [] })
export class LoggingModule {
  static forRoot(options: LoggingModuleOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { autoLogging: false, ...options.http, logger: options.logger.pino } })],
      exports: [LoggerModule],
    };
  }
}
