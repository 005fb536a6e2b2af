import { StoreError, StoreErrorCode } from '../store.error';

/**
 * What kind of storage failure an error is:
 * - `connection`, `busy`: transient; the same operation succeeds once the database is
 *   back or the other writer is done, so it is retried for the store's budget;
 * - `disk-full`, `quota`, `read-only`, `permission`: global conditions of the disk or the
 *   database; every later write fails the same way until someone acts, so a run stops at
 *   the first one instead of failing item after item.
 */
export type StoreFaultClass = 'connection' | 'busy' | 'disk-full' | 'quota' | 'read-only' | 'permission';

export const TRANSIENT_FAULTS: ReadonlySet<StoreFaultClass> = new Set(['connection', 'busy']);

const SYSTEM_CODES: Readonly<Record<string, StoreFaultClass>> = {
  ECONNREFUSED: 'connection',
  ECONNRESET: 'connection',
  ETIMEDOUT: 'connection',
  EPIPE: 'connection',
  EHOSTUNREACH: 'connection',
  ENETUNREACH: 'connection',
  EAI_AGAIN: 'connection',
  ENOSPC: 'disk-full',
  EDQUOT: 'quota',
  EROFS: 'read-only',
  EACCES: 'permission',
  EPERM: 'permission',
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
  SQLITE_FULL: 'disk-full',
  SQLITE_READONLY: 'read-only',
  SQLITE_PERM: 'permission',
};

/** PostgreSQL SQLSTATEs that are not connection class 08. */
const SQLSTATES: Readonly<Record<string, StoreFaultClass>> = {
  '57P01': 'connection', // admin_shutdown
  '57P02': 'connection', // crash_shutdown
  '57P03': 'connection', // cannot_connect_now (starting up, recovering)
  '53100': 'disk-full',
  '25006': 'read-only', // read_only_sql_transaction (a standby)
};

/** What node-postgres says when the server or the network drops a connection. */
const CONNECTION_MESSAGES = [/connection terminated/i, /connection ended unexpectedly/i, /timeout exceeded when trying to connect/i, /client has encountered a connection error/i];

/** The fault class of an error (or of an error in its cause chain); undefined for other failures. */
export function classifyStoreFault(error: unknown): StoreFaultClass | undefined {
  return faultOf(error)?.faultClass;
}

/** The class and the code that decided it (`ECONNREFUSED`, `57P01`, …), for messages. */
export function faultOf(error: unknown): { faultClass: StoreFaultClass; code: string; path?: string } | undefined {
  const seen = new Set<unknown>();
  for (let current: unknown = error; current && typeof current === 'object' && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    if (current instanceof StoreFaultError) return { faultClass: current.faultClass, code: current.faultCode, ...(current.path ? { path: current.path } : {}) };
    const { code, path } = current as { code?: unknown; path?: unknown };
    const located = typeof path === 'string' ? { path } : {};
    if (typeof code === 'string') {
      if (SYSTEM_CODES[code]) return { faultClass: SYSTEM_CODES[code], code, ...located };
      if (SQLSTATES[code]) return { faultClass: SQLSTATES[code], code };
      if (/^08[0-9A-Z]{3}$/.test(code)) return { faultClass: 'connection', code };
    }
    // an AggregateError of a dual-stack connect (ECONNREFUSED on ::1 and 127.0.0.1)
    if (current instanceof AggregateError && current.errors.length > 0) {
      const inner = faultOf(current.errors[0]);
      if (inner) return inner;
    }
    if (current instanceof Error && CONNECTION_MESSAGES.some((pattern) => pattern.test(current.message))) {
      return { faultClass: 'connection', code: 'ECONNRESET' };
    }
  }
  return undefined;
}

/**
 * A global storage condition (a full disk, a read-only filesystem, no permission, a
 * database that stayed unreachable for the whole retry budget): every later write would
 * fail the same way, so callers stop at the first one. The message says where and why in
 * plain words, without credentials.
 */
export class StoreFaultError extends StoreError {
  constructor(
    code: StoreErrorCode.Unavailable | StoreErrorCode.StorageFault,
    readonly faultClass: StoreFaultClass,
    /** ECONNREFUSED, ENOSPC, 57P01 … */
    readonly faultCode: string,
    message: string,
    options: { cause?: unknown; path?: string } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.path = options.path;
  }

  readonly path: string | undefined;
}

/** The StoreFaultError in an error's cause chain, if any: a run should stop, not retry the item. */
export function stoppingFault(error: unknown): StoreFaultError | undefined {
  const seen = new Set<unknown>();
  for (let current: unknown = error; current && typeof current === 'object' && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    if (current instanceof StoreFaultError) return current;
  }
  return undefined;
}

const PLAIN: Readonly<Record<Exclude<StoreFaultClass, 'connection' | 'busy'>, string>> = {
  'disk-full': 'is full',
  quota: 'is over its disk quota',
  'read-only': 'is read-only',
  permission: 'is not writable (permission denied)',
};

/**
 * The error of a global condition met writing `what` (e.g. "the archive directory /mnt/archive"),
 * or undefined when `error` is not one.
 */
export function storageFaultOf(error: unknown, what: string): StoreFaultError | undefined {
  const existing = stoppingFault(error);
  if (existing) return existing;
  const fault = faultOf(error);
  if (!fault || TRANSIENT_FAULTS.has(fault.faultClass)) return undefined;
  const plain = PLAIN[fault.faultClass as keyof typeof PLAIN];
  return new StoreFaultError(StoreErrorCode.StorageFault, fault.faultClass, fault.code, `${what} ${plain} (${fault.code})${fault.path ? `: cannot write ${fault.path}` : ''}`, {
    cause: error,
    ...(fault.path ? { path: fault.path } : {}),
  });
}
