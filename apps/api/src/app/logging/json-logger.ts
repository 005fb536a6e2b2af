import type { LoggerService } from '@nestjs/common';
import type { GenesysLogger } from '@gcm/genesys-auth';
import { Redactor } from '@gcm/audit';
import type { LogLevel } from '../config/api-config';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): unknown;
}

/**
 * One JSON object per line on stdout (or an injected sink): `time`, `level`, `msg`,
 * `context` and fields. Every line goes through the audit lib's Redactor, with the
 * config's secrets as known literals, so a client secret, a webhook secret, a bearer
 * token or a JWT never reaches the log, whatever the caller passed in.
 */
export class JsonLogger implements LoggerService {
  private readonly minimum: number;

  constructor(
    private readonly options: { level?: LogLevel; redactor?: Redactor; sink?: LogSink; clock?: () => number } = {},
  ) {
    this.minimum = RANK[options.level ?? 'info'];
  }

  private get redactor(): Redactor {
    return this.options.redactor ?? DEFAULT_REDACTOR;
  }

  write(level: LogLevel, message: unknown, fields: Record<string, unknown> = {}): void {
    if (RANK[level] < this.minimum) return;
    const time = new Date(this.options.clock?.() ?? Date.now()).toISOString();
    const msg = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    const record = this.redactor.redact({ time, level, msg, ...fields });
    (this.options.sink ?? process.stdout).write(`${JSON.stringify(record)}\n`);
  }

  // LoggerService: Nest passes (message, ...optionalParams) where the last string is the context
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, nestFields(params));
  }

  error(message: unknown, ...params: unknown[]): void {
    // Nest's error(message, stack?, context?)
    const fields = nestFields(params);
    if (message instanceof Error && fields['stack'] === undefined) fields['stack'] = message.stack;
    this.write('error', message, fields);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, nestFields(params));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, nestFields(params));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, nestFields(params));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('error', message, nestFields(params));
  }

  /** The shape the libs take (GenesysLogger), tagged with a context. */
  forLibrary(context: string): GenesysLogger {
    return {
      debug: (message, fields) => this.write('debug', message, { context, ...fields }),
      info: (message, fields) => this.write('info', message, { context, ...fields }),
      warn: (message, fields) => this.write('warn', message, { context, ...fields }),
      error: (message, fields) => this.write('error', message, { context, ...fields }),
    };
  }
}

const DEFAULT_REDACTOR = new Redactor();

function nestFields(params: unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const rest = [...params];
  if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields['context'] = rest.pop();
  for (const param of rest) {
    if (typeof param === 'string') fields['stack'] = param;
    else if (param && typeof param === 'object' && !Array.isArray(param)) Object.assign(fields, param);
  }
  return fields;
}
