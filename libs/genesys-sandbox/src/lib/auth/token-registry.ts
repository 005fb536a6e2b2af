import { SandboxClock } from '../clock/sandbox-clock';
import { SequenceIds } from '../random/sequence-ids';

export interface OAuthClientRecord {
  clientId: string;
  clientSecret: string;
  name: string;
}

export interface TokenRecord {
  value: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
  /** Authenticated API requests made with this token. */
  requests: number;
}

export type TokenStatus = 'valid' | 'unknown' | 'expired' | 'revoked';

/** Access tokens of the client-credentials grant: opaque, seeded, expiring on the sandbox clock. */
export class TokenRegistry {
  private readonly tokens = new Map<string, TokenRecord>();
  private issuedCount = 0;

  constructor(
    private readonly clock: SandboxClock,
    private readonly ids: SequenceIds,
    private readonly lifetimeSeconds: number,
  ) {}

  get issued(): number {
    return this.issuedCount;
  }

  get lifetime(): number {
    return this.lifetimeSeconds;
  }

  issue(clientId: string): TokenRecord {
    const now = this.clock.now();
    const record: TokenRecord = {
      value: this.ids.base64url('access-token', 64),
      clientId,
      issuedAt: now,
      expiresAt: now + this.lifetimeSeconds * 1000,
      revoked: false,
      requests: 0,
    };
    this.tokens.set(record.value, record);
    this.issuedCount++;
    return record;
  }

  check(value: string): { status: TokenStatus; token?: TokenRecord } {
    const token = this.tokens.get(value);
    if (!token) return { status: 'unknown' };
    if (token.revoked) return { status: 'revoked', token };
    if (this.clock.now() >= token.expiresAt) return { status: 'expired', token };
    return { status: 'valid', token };
  }

  revoke(value: string): boolean {
    const token = this.tokens.get(value);
    if (!token || token.revoked) return false;
    token.revoked = true;
    return true;
  }

  /** Revokes every live token; returns how many were live. */
  revokeAll(): number {
    let count = 0;
    for (const token of this.tokens.values()) {
      if (!token.revoked && this.clock.now() < token.expiresAt) {
        token.revoked = true;
        count++;
      }
    }
    return count;
  }
}
