/**
 * `@gcm/logging/nest`: nestjs-pino wiring of `@gcm/logging`. The main entry stays free of
 * Nest's runtime (the CLI logs without it).
 */
export { LoggingModule, type LoggingModuleOptions } from './logging.module';
export { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
