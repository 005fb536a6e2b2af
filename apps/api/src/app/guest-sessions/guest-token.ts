import { createHash } from 'node:crypto';

/** Guest tokens are credentials: logs and audit records name a session by this fingerprint instead. */
export function guestSessionRef(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  return `guest-session:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}
