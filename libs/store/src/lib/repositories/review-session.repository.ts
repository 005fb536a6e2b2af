import type { RepositoryContext } from './repository-context';

export interface ReviewSession {
  /** SHA-256 (hex) of the session id; the id itself is never stored */
  readonly idHash: string;
  readonly keyId: string;
  /** SHA-256 (hex) of the API key the session was opened with */
  readonly keySha256: string;
  /** epoch ms */
  readonly createdAt: number;
  /** epoch ms; the session is over from this instant */
  readonly expiresAt: number;
}

export type NewReviewSession = Omit<ReviewSession, 'createdAt'>;

/**
 * Server-side sessions of the transcript review pages. The caller hashes the random id it
 * hands out; a session is live until `expiresAt`, its deletion (sign-out), or the removal
 * of its key (`keepOnlyKeys`).
 */
export class ReviewSessionRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(session: NewReviewSession): Promise<ReviewSession> {
    const row = { id_hash: session.idHash, key_id: session.keyId, key_sha256: session.keySha256, created_at: this.ctx.clock.now(), expires_at: session.expiresAt };
    await this.ctx.db.insertInto('review_sessions').values(row).execute();
    return toSession(row);
  }

  /** The session if it exists and has not expired (an expired one is deleted on the way). */
  async findLive(idHash: string): Promise<ReviewSession | undefined> {
    const row = await this.ctx.db.selectFrom('review_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (row === undefined) return undefined;
    if (Number(row.expires_at) <= this.ctx.clock.now()) {
      await this.delete(idHash);
      return undefined;
    }
    return toSession(row);
  }

  /** Ends one session; true when it existed. */
  async delete(idHash: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom('review_sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Ends every session opened with a key not in `keySha256s` (keys rotated out); returns how many. */
  async keepOnlyKeys(keySha256s: readonly string[]): Promise<number> {
    const query = this.ctx.db.deleteFrom('review_sessions');
    const result = await (keySha256s.length === 0 ? query : query.where('key_sha256', 'not in', [...keySha256s])).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes expired sessions; returns how many. */
  async deleteExpired(): Promise<number> {
    const result = await this.ctx.db.deleteFrom('review_sessions').where('expires_at', '<=', this.ctx.clock.now()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toSession(row: { id_hash: string; key_id: string; key_sha256: string; created_at: number; expires_at: number }): ReviewSession {
  return { idHash: row.id_hash, keyId: row.key_id, keySha256: row.key_sha256, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) };
}
