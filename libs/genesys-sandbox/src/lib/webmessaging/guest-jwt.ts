import { createHmac, timingSafeEqual } from 'node:crypto';
import { SeededRandom } from '../random/seeded-random';

export interface GuestJwtClaims {
  /** The guest session id (never the session token). */
  sub: string;
  deploymentId: string;
  jti: string;
  /** Epoch seconds. */
  iat: number;
  /** Epoch seconds. */
  exp: number;
}

/**
 * The guest JWT of `getJwt`: HS256 under a key derived from the seed, so the REST side can
 * tell a real guest token from a forged one without any shared state but the key.
 */
export class GuestJwtSigner {
  private readonly key: Buffer;

  constructor(seed: number) {
    this.key = SeededRandom.derive(seed, 'guest-jwt-key').bytes(32);
  }

  sign(claims: GuestJwtClaims): string {
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const payload = encode({ iss: 'genesys-sandbox/webmessaging', ...claims });
    return `${header}.${payload}.${this.signature(`${header}.${payload}`)}`;
  }

  /** The claims of a well-signed token, or undefined; expiry is the caller's to check. */
  verify(token: string): GuestJwtClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.signature(`${parts[0]}.${parts[1]}`));
    const actual = Buffer.from(parts[2]);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as GuestJwtClaims;
      return typeof claims.sub === 'string' && typeof claims.exp === 'number' ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  private signature(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
