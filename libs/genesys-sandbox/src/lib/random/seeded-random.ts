import { createCipheriv } from 'node:crypto';

/**
 * Deterministic randomness for the sandbox. Nothing in the sandbox may call Math.random:
 * every value is derived from the seed plus a stable "path" (what is being generated and
 * for which index), so conversation i is the same whichever order it is generated in.
 */

const UINT32 = 0x1_0000_0000;

/** 32-bit avalanche mix (the murmur3 finaliser). */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

const labelHashes = new Map<string, number>();

/** Hashes a label to 32 bits (FNV-1a, then mixed) so string paths can feed the seed. */
function hashLabel(label: string): number {
  const known = labelHashes.get(label);
  if (known !== undefined) return known;
  const h = fnv1a(label);
  // the labels are a small fixed vocabulary plus ids; keep the cache from growing without bound
  if (labelHashes.size < 10_000) labelHashes.set(label, h);
  return h;
}

function fnv1a(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Combines a seed with a path of labels and numbers into one 32-bit stream seed. */
export function deriveSeed(seed: number, ...path: Array<string | number>): number {
  let h = mix32(seed ^ 0x9e3779b9);
  for (const part of path) {
    const v = typeof part === 'number' ? mix32(part + 0x7f4a7c15) : hashLabel(part);
    h = mix32(Math.imul(h ^ v, 0x27d4eb2d) + 0x165667b1);
  }
  return h;
}

/** mulberry32: small, fast, good enough statistical quality for fixtures. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  static derive(seed: number, ...path: Array<string | number>): SeededRandom {
    return new SeededRandom(deriveSeed(seed, ...path));
  }

  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / UINT32;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** A version-4-shaped UUID whose bits come from this stream. */
  uuid(): string {
    const a = this.nextUint32();
    const b = ((this.nextUint32() & 0xffff0fff) | 0x00004000) >>> 0;
    const c = ((this.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0;
    const d = this.nextUint32();
    return `${hex(a, 8)}-${hex(b >>> 16, 4)}-${hex(b & 0xffff, 4)}-${hex(c >>> 16, 4)}-${hex(c & 0xffff, 4)}${hex(d, 8)}`;
  }

  /** URL-safe base64 text of `bytes` random bytes (tokens, secrets, cursors). */
  base64url(bytes: number): string {
    return this.bytes(bytes).toString('base64url');
  }

  /**
   * `length` random bytes: the AES-128-CTR keystream under a key and counter drawn from
   * this stream. Native, so megabytes of attachment content cost milliseconds, and the
   * same on every platform.
   */
  bytes(length: number): Buffer {
    const keyAndIv = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 4) keyAndIv.writeUInt32LE(this.nextUint32(), i);
    const cipher = createCipheriv('aes-128-ctr', keyAndIv.subarray(0, 16), keyAndIv.subarray(16));
    return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
  }
}

/** A UUID fully determined by the seed and path, without keeping a stream around. */
export function seededUuid(seed: number, ...path: Array<string | number>): string {
  return SeededRandom.derive(seed, ...path).uuid();
}
