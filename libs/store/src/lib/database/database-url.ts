import { StoreError, StoreErrorCode } from '../store.error';

export type DatabaseEngine = 'sqlite' | 'postgres';

export type DatabaseTarget =
  | { readonly engine: 'sqlite'; /** a file path, or `:memory:` */ readonly filename: string }
  | { readonly engine: 'postgres'; readonly connectionString: string };

export const DEFAULT_DATABASE_URL = 'sqlite:./var/gcm.sqlite';

const SUPPORTED = 'sqlite:<path> (e.g. sqlite:./var/gcm.sqlite), sqlite::memory: or postgres://user@host:5432/db';

/**
 * Parses a database URL. `source` names where the URL came from (the environment
 * variable an app read it from) so the error tells the operator what to fix.
 */
export function parseDatabaseUrl(url: string, source = 'GCM_DATABASE_URL'): DatabaseTarget {
  const trimmed = url.trim();
  const colon = trimmed.indexOf(':');
  if (trimmed === '' || colon <= 0) {
    throw invalidUrl(source, trimmed, 'it has no scheme');
  }
  const scheme = trimmed.slice(0, colon).toLowerCase();
  if (scheme === 'sqlite') {
    let filename = trimmed.slice(colon + 1);
    // accept the URL-style spelling too: sqlite:///abs/path and sqlite://./relative
    if (filename.startsWith('//')) filename = filename.slice(2);
    if (filename === '') {
      throw invalidUrl(source, trimmed, 'it names no database file');
    }
    return { engine: 'sqlite', filename };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw invalidUrl(source, trimmed, 'it is not a valid URL');
    }
    if (parsed.hostname === '') {
      throw invalidUrl(source, trimmed, 'it names no host');
    }
    return { engine: 'postgres', connectionString: trimmed };
  }
  throw invalidUrl(source, trimmed, `the scheme "${scheme}" is not supported`);
}

/** The URL with any password replaced, fit for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  // greedy up to the last "@" before the path: an unencoded "@" in a password stays hidden
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/]*@/i, '$1:***@');
}

function invalidUrl(source: string, url: string, reason: string): StoreError {
  const shown = url === '' ? '(empty)' : `"${redactDatabaseUrl(url)}"`;
  return new StoreError(
    StoreErrorCode.InvalidDatabaseUrl,
    `${source} ${shown} is not a usable database URL: ${reason}. Use ${SUPPORTED}.`,
  );
}
