import { deriveSeed, SeededRandom, seededUuid } from './seeded-random';
import { SequenceIds } from './sequence-ids';

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs across seeds and paths', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    expect(new SeededRandom(43).nextUint32()).not.toBe(first[0]);
    expect(deriveSeed(1, 'conversation', 1)).not.toBe(deriveSeed(1, 'conversation', 2));
    expect(deriveSeed(1, 'conversation', 1)).toBe(deriveSeed(1, 'conversation', 1));
  });

  it('makes version-4-shaped UUIDs and stable byte strings', () => {
    expect(seededUuid(7, 'x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(seededUuid(7, 'x')).toBe(seededUuid(7, 'x'));
    const bytes = SeededRandom.derive(1, 'bytes').bytes(1000);
    expect(bytes).toHaveLength(1000);
    expect(bytes.equals(SeededRandom.derive(1, 'bytes').bytes(1000))).toBe(true);
  });

  it('keeps values in range', () => {
    const rng = new SeededRandom(5);
    for (let i = 0; i < 1000; i++) {
      const v = rng.int(3, 6);
      expect(v >= 3 && v <= 6).toBe(true);
    }
  });
});

describe('SequenceIds', () => {
  it('numbers each kind on its own, so interleaving does not change the n-th id of a kind', () => {
    const a = new SequenceIds(9);
    const b = new SequenceIds(9);
    const tokensA = [a.uuid('token'), a.uuid('token')];
    b.uuid('message');
    b.hex32('message');
    expect([b.uuid('token'), b.uuid('token')]).toEqual(tokensA);
    expect(a.hex32('message')).toMatch(/^[0-9a-f]{32}$/);
  });
});
