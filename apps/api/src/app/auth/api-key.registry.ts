import { timingSafeEqual } from 'node:crypto';
import { hashApiKey, type ApiKeyDefinition } from './api-key';

/**
 * The configured keys, looked up by the SHA-256 of what the client sent. Only hashes are
 * held: a memory dump or a leaked config reveals no usable key.
 */
export class ApiKeyRegistry {
  private readonly keysByHash: Map<string, ApiKeyDefinition>;

  constructor(keys: readonly ApiKeyDefinition[]) {
    this.keysByHash = new Map(keys.map((key) => [key.sha256, key]));
  }

  get size(): number {
    return this.keysByHash.size;
  }

  /** The configured key with this SHA-256 (hex), if any: a review session names its key this way. */
  byHash(sha256: string): ApiKeyDefinition | undefined {
    return this.keysByHash.get(sha256);
  }

  /** The key whose hash matches, if any. */
  authenticate(presented: string): ApiKeyDefinition | undefined {
    const digest = hashApiKey(presented);
    const candidate = this.keysByHash.get(digest);
    // the map lookup already matched; the constant-time compare keeps that property even
    // if the lookup above is ever replaced by a prefix or range search
    if (candidate && timingSafeEqual(Buffer.from(candidate.sha256, 'hex'), Buffer.from(digest, 'hex'))) return candidate;
    return undefined;
  }
}
