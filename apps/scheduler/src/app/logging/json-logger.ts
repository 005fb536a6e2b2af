import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import type { GenesysLogger } from '@gcm/genesys-auth';
import { Redactor } from '@gcm/audit';
import type { LogLevel } from '../config/scheduler-config';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** What every line logged inside a run carries: its id. */
export interface LogScope {
  runId?: string;
}

/**
 * One JSON object per line on stdout: `{time, level, msg, context?, runId?, ...fields}`.
 * Everything passes the audit Redactor first, so secret-like keys, bearer tokens and the
 * configured secrets never reach the log. Lines written inside `scope.run(...)` carry
 * the run id of that scope.
 */
export class JsonLogger implements LoggerService {
  readonly scope = new AsyncLocalStorage<LogScope>();

  constructor(
    private readonly level: LogLevel,
    private readonly redactor: Redactor,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  // Nest's LoggerService: message, then optional params whose last string is the context
  log(message: unknown, ...params: unknown[]): void {
    this.nest('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.nest('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.nest('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.nest('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.nest('debug', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.nest('error', message, params);
  }

  /** Structured entry point for the app's own code. */
  emit(level: LogLevel, message: string, fields: Record<string, unknown> = {}, context?: string): void {
    if (RANK[level] < RANK[this.level]) return;
    const runId = this.scope.getStore()?.runId;
    const entry = {
      time: new Date().toISOString(),
      level,
      msg: message,
      ...(context ? { context } : {}),
      ...(runId && fields['runId'] === undefined ? { runId } : {}),
      ...fields,
    };
    let line: string;
    try {
      line = JSON.stringify(this.redactor.redact(entry));
    } catch {
      line = JSON.stringify(this.redactor.redact({ time: entry.time, level, msg: message, context, note: 'fields could not be serialized' }));
    }
    this.write(`${line}\n`);
  }

  /** The logger the libs take (GenesysLogger shape), tagged with a context. */
  forLibrary(context: string): GenesysLogger {
    return {
      debug: (message, fields) => this.emit('debug', message, fields, context),
      info: (message, fields) => this.emit('info', message, fields, context),
      warn: (message, fields) => this.emit('warn', message, fields, context),
      error: (message, fields) => this.emit('error', message, fields, context),
    };
  }

  private nest(level: LogLevel, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (message instanceof Error) {
      fields['error'] = { name: message.name, message: message.message };
    }
    const stack = level === 'error' && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
    if (stack) fields['stack'] = stack;
    if (rest.length > 0) fields['details'] = rest;
    const text = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    this.emit(level, text, fields, context);
  }
}
