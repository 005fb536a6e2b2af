import { hostname } from 'node:os';

/** Tells whether the process behind a lease owner id is known to be gone. */
export type OwnerGoneProbe = (owner: string) => boolean;

const LOCAL_OWNER = /@([^@:\s]+):(\d+)$/;

/**
 * A lease owner id that names its process: `<name>@<host>:<pid>`. Leases of such an owner
 * on this host can be taken over as soon as its process is gone, without waiting for them
 * to expire (a kill -9 followed by the same command again).
 */
export function processOwnerId(name: string): string {
  return `${name}@${hostname()}:${process.pid}`;
}

/**
 * The default probe: an owner `<name>@<this host>:<pid>` whose pid no longer runs here is
 * gone. Owners on other hosts, or without a pid, are never judged gone: their leases end
 * when they expire. (A pid reused by another process only delays the takeover to expiry.)
 */
export const localProcessGone: OwnerGoneProbe = (owner) => {
  const match = LOCAL_OWNER.exec(owner);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

export const neverGone: OwnerGoneProbe = () => false;
