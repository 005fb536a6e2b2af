import type { Clock } from '@gcm/genesys-auth';
import type { GuestSession } from '@gcm/messaging-client';

export interface GuestSessionEntry {
  readonly session: GuestSession;
  /** The key that opened it: only that key (or an admin key) may use it. */
  readonly ownerKeyId: string;
  readonly customAttributes?: Readonly<Record<string, string>>;
  lastUsedAt: number;
}

/**
 * The guest sessions this instance holds open, by token, least recently used first. Each
 * holds a WebSocket, so the registry is bounded: opening one more than `maxSessions`
 * disconnects the least recently used (Genesys keeps it; it is simply no longer held
 * here), and `sweepIdle` disconnects those unused for `idleTimeoutMs`.
 */
export class GuestSessionRegistry {
  private readonly entries = new Map<string, GuestSessionEntry>();

  constructor(
    private readonly options: { maxSessions: number; idleTimeoutMs: number; clock: Clock; onChange?: (size: number) => void },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  add(entry: GuestSessionEntry): void {
    this.entries.delete(entry.session.token);
    this.entries.set(entry.session.token, entry);
    while (this.entries.size > this.options.maxSessions) {
      const [oldest] = this.entries.keys();
      this.remove(oldest)?.session.disconnect();
    }
    this.options.onChange?.(this.entries.size);
  }

  /** The entry, marked as just used (moved to the back of the LRU order). */
  use(token: string): GuestSessionEntry | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    entry.lastUsedAt = this.options.clock.now();
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry;
  }

  remove(token: string): GuestSessionEntry | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    this.options.onChange?.(this.entries.size);
    return entry;
  }

  /**
   * Disconnects sessions unused for the idle timeout. Ended sessions stay until then too,
   * so their owner is told they ended (410) rather than that they never existed.
   */
  sweepIdle(): number {
    const cutoff = this.options.clock.now() - this.options.idleTimeoutMs;
    let removed = 0;
    for (const [token, entry] of this.entries) {
      if (entry.lastUsedAt <= cutoff) {
        this.remove(token);
        entry.session.disconnect();
        removed++;
      }
    }
    return removed;
  }

  /** Disconnects every session (shutdown): they stay resumable on Genesys' side. */
  disconnectAll(): void {
    for (const token of [...this.entries.keys()]) this.remove(token)?.session.disconnect();
  }
}
