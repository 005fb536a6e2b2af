import { SeededRandom } from './seeded-random';

/**
 * Ids for things created while the sandbox runs (tokens, correlation ids, sent messages,
 * jobs). Each kind has its own counter, so the n-th token of a run is the same in every
 * run with the same seed, however many messages were sent in between.
 */
export class SequenceIds {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: number) {}

  private stream(kind: string): SeededRandom {
    const n = this.counters.get(kind) ?? 0;
    this.counters.set(kind, n + 1);
    return SeededRandom.derive(this.seed, 'runtime', kind, n);
  }

  uuid(kind: string): string {
    return this.stream(kind).uuid();
  }

  /** 32 lower-case hex characters, the shape of Genesys message ids. */
  hex32(kind: string): string {
    const rng = this.stream(kind);
    let out = '';
    for (let i = 0; i < 4; i++) out += rng.nextUint32().toString(16).padStart(8, '0');
    return out;
  }

  base64url(kind: string, bytes: number): string {
    return this.stream(kind).base64url(bytes);
  }
}
