/**
 * `@gcm/logging`: the one logging setup of the API and the scheduler: pino JSON lines, with
 * the audit lib's Redactor as the formatter. Nest wiring: `@gcm/logging/nest`.
 */
export { createPinoLogger, GcmLogger, type GcmLoggerOptions, type LogLevel, type LogScope, type LogSink } from './lib/gcm-logger';
