import { StoreError, StoreErrorCode } from '../store.error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Genesys conversation ids are UUIDs. Anything else is refused before it can name a
 * path, so no id (`../x`, `a/b`, absolute paths, NUL bytes) can escape the archive root.
 * Upper-case hex is accepted and lower-cased so one conversation has one directory.
 */
export function assertConversationId(id: string): string {
  const normalized = typeof id === 'string' ? id.toLowerCase() : '';
  if (!UUID.test(normalized)) {
    const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : String(typeof id);
    throw new StoreError(
      StoreErrorCode.InvalidConversationId,
      `Conversation id ${shown} is not a Genesys conversation id (a UUID such as 7f3a9c2e-1b4d-4e8f-9a0b-2c3d4e5f6a7b).`,
    );
  }
  return normalized;
}
