import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Clock } from '@gcm/genesys-auth';
import { StoreDatabase } from '@gcm/store';
import type { ApiKeyDefinition } from '../auth/api-key';
import { ApiKeyRegistry } from '../auth/api-key.registry';
import { API_CLOCK, API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import { GcmLogger } from '@gcm/logging';

const SESSION_PREFIX = 'rs_';
const SESSION_ID = /^rs_[A-Za-z0-9_-]{43}$/;

/**
 * Server-side sessions of the review pages. Signing in with a key creates a random
 * 256-bit session id — the only thing the cookie holds — stored in the database as its
 * SHA-256, with the key it was opened with and an expiry (GCM_API_REVIEW_SESSION_TTL).
 * Signing out deletes the row, so a copy of the cookie stops working; a key rotated out of
 * GCM_API_KEYS ends its sessions (at start-up for all of them, and when one is used).
 * Sessions are shared by every replica on the same database.
 */
@Injectable()
export class ReviewSessions implements OnModuleInit {
  constructor(
    private readonly store: StoreDatabase,
    private readonly keys: ApiKeyRegistry,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(API_CLOCK) private readonly clock: Clock,
    private readonly logger: GcmLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const rotated = await this.store.reviewSessions.keepOnlyKeys(this.config.auth.keys.map((key) => key.sha256));
    const expired = await this.store.reviewSessions.deleteExpired();
    if (rotated + expired > 0) this.logger.write('info', 'Review sessions ended', { context: 'ReviewSessions', keysRotatedOut: rotated, expired });
  }

  /** A new session for `key`; returns the id for the cookie and when it expires. */
  async start(key: ApiKeyDefinition): Promise<{ id: string; expiresAt: number }> {
    const id = `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = this.clock.now() + this.config.auth.reviewSessionTtlMs;
    await this.store.reviewSessions.create({ idHash: digest(id), keyId: key.id, keySha256: key.sha256, expiresAt });
    return { id, expiresAt };
  }

  /** The key of a live session whose key is still configured; a session of a removed key is ended here. */
  async resolve(id: string | undefined): Promise<ApiKeyDefinition | undefined> {
    if (id === undefined || !SESSION_ID.test(id)) return undefined;
    const session = await this.store.reviewSessions.findLive(digest(id));
    if (!session) return undefined;
    const key = this.keys.byHash(session.keySha256);
    if (!key || key.id !== session.keyId) {
      await this.store.reviewSessions.delete(session.idHash);
      return undefined;
    }
    return key;
  }

  /** Signs out: the session is deleted, whoever holds a copy of its cookie. */
  async end(id: string | undefined): Promise<void> {
    if (id !== undefined && SESSION_ID.test(id)) await this.store.reviewSessions.delete(digest(id));
  }
}

function digest(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}
