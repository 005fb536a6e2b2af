import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import type { GenesysLogger } from '@gcm/genesys-auth';
import { Redactor } from '@gcm/audit';
import pino, { type Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where lines go instead of stdout (tests, a log file): one JSON object per `write`. */
export interface LogSink {
  write(line: string): unknown;
}

/** Fields that every line written inside `logger.scope.run(scope, …)` carries (a run id). */
export type LogScope = Record<string, unknown>;

export interface GcmLoggerOptions {
  readonly level?: LogLevel;
  /** Every line passes it: secret-like keys, bearer tokens and JWTs in strings, the configured secrets. */
  readonly redactor?: Redactor;
  /** Default: process.stdout (synchronous for pipes and files on Linux: the line before `process.exit` is not lost). */
  readonly sink?: LogSink;
  readonly clock?: () => number;
}

/**
 * The pino logger both apps log through (nestjs-pino takes it as `pinoHttp.logger`):
 * `{"level":"info","time":"<ISO>","msg":"…",…fields}` per line. The audit lib's Redactor
 * is its formatter: every field object, every string argument (the message included) and
 * every child binding is redacted before pino serializes it.
 */
export function createPinoLogger(options: GcmLoggerOptions & { mixin?: () => Record<string, unknown> } = {}): Logger {
  const redactor = options.redactor ?? new Redactor();
  const clock = options.clock;
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      messageKey: 'msg',
      timestamp: clock ? () => `,"time":"${new Date(clock()).toISOString()}"` : pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label === 'fatal' ? 'error' : label }),
        bindings: (bindings) => redactor.redact(bindings),
        log: (object) => redactor.redact(object),
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((arg: unknown) => (typeof arg === 'string' ? redactor.redactString(arg) : arg));
          return method.apply(this, redacted as Parameters<typeof method>);
        },
      },
      ...(options.mixin ? { mixin: options.mixin } : {}),
    },
    // process.stdout, not pino.destination(1): on Linux, Node writes stdout pipes and files
    // synchronously and handles EAGAIN itself; sonic-boom's sync mode recurses on a full pipe
    { write: (line: string) => void (options.sink ?? process.stdout).write(line) },
  );
}

/**
 * gcm's logger: a pino logger (`.pino`, for nestjs-pino) with the methods the apps and libs
 * call. `write(level, msg, fields)` for the apps' own lines, Nest's LoggerService methods
 * (the last string parameter is the context), and `forLibrary(context)` in the shape the
 * libs take (GenesysLogger). Lines written inside `scope.run(fields, …)` carry those fields.
 */
export class GcmLogger implements LoggerService {
  readonly scope = new AsyncLocalStorage<LogScope>();
  readonly pino: Logger;

  constructor(options: GcmLoggerOptions = {}) {
    // a copy: pino merges the line's fields into what mixin returns
    this.pino = createPinoLogger({ ...options, mixin: () => ({ ...this.scope.getStore() }) });
  }

  write(level: LogLevel, message: unknown, fields: Record<string, unknown> = {}): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const text = message instanceof Error ? message.message : typeof message === 'string' ? message : safeJson(message);
    this.pino[level](fields, text);
  }

  /** The same line with a context (`{context, ...fields}`). */
  emit(level: LogLevel, message: string, fields: Record<string, unknown> = {}, context?: string): void {
    this.write(level, message, context ? { context, ...fields } : fields);
  }

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

  forLibrary(context: string): GenesysLogger {
    return {
      debug: (message, fields) => this.emit('debug', message, fields, context),
      info: (message, fields) => this.emit('info', message, fields, context),
      warn: (message, fields) => this.emit('warn', message, fields, context),
      error: (message, fields) => this.emit('error', message, fields, context),
    };
  }

  // Nest calls (message, ...optionalParams): the last string is the context; for error() a
  // string before it is the stack
  private nest(level: LogLevel, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields['context'] = rest.pop();
    if (message instanceof Error) {
      fields['error'] = { name: message.name, message: message.message };
      if (level === 'error') fields['stack'] = message.stack;
    }
    for (const param of rest) {
      if (typeof param === 'string') fields['stack'] = param;
      else if (param && typeof param === 'object' && !Array.isArray(param)) Object.assign(fields, param);
    }
    this.write(level, message, fields);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
