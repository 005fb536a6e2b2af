import { UsageError } from './cli.error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value has the shape of a Genesys id (a UUID). */
export function isGenesysId(value: string): boolean {
  return UUID.test(value);
}

/**
 * A Genesys id given on the command line (a conversation, a queue). Genesys ids are UUIDs:
 * anything else is refused here, with exit 2, before it can become part of a request path
 * (`../../etc/passwd` would otherwise be sent to Genesys as a path). Lower-cased, as the
 * archive stores them.
 */
export function parseGenesysId(value: string, what: string): string {
  const text = value.trim();
  if (!isGenesysId(text)) {
    throw new UsageError(`${what} ${JSON.stringify(value.slice(0, 80))} is not a Genesys id`, 'Genesys ids are UUIDs, such as 7f3a9c2e-1b4d-4e8f-9a0b-2c3d4e5f6a7b.');
  }
  return text.toLowerCase();
}
