import { ChunkDedupe, RecentIdSet } from './chunk-dedupe';
import { SearchStreamErrorCode } from './search-stream.error';

describe('RecentIdSet', () => {
  it('forgets the oldest id beyond its capacity and says so', () => {
    const set = new RecentIdSet(3);
    ['a', 'b', 'c'].forEach((id) => set.add(id));
    expect(set.complete).toBe(true);
    set.add('d');
    expect(set.has('a')).toBe(false);
    expect(set.has('d')).toBe(true);
    expect(set.size).toBe(3);
    expect(set.complete).toBe(false);
    expect(set.latest(2)).toEqual(['c', 'd']);
  });
});

describe('ChunkDedupe', () => {
  it('drops ids it remembers', () => {
    const dedupe = new ChunkDedupe(10);
    dedupe.record('a', 1);
    expect(dedupe.seen('a', 1)).toBe(true);
    expect(dedupe.seen('b', 1)).toBe(false);
  });

  it('replays exactly from memory while every id of the chunk is remembered', () => {
    const dedupe = new ChunkDedupe(10);
    dedupe.record('b', 5);
    dedupe.record('a', 2); // out of order: no watermark, but memory suffices
    dedupe.beginReplay('test');
    expect(dedupe.seen('a', 2)).toBe(true);
    expect(dedupe.seen('c', 1)).toBe(false);
  });

  it('replays by watermark when memory overflowed but results were ordered', () => {
    const dedupe = new ChunkDedupe(2);
    [1, 2, 3, 3].forEach((start, i) => dedupe.record(`id${i}`, start));
    dedupe.beginReplay('test');
    expect(dedupe.seen('id0', 1)).toBe(true); // forgotten, but before the watermark
    expect(dedupe.seen('id2', 3)).toBe(true); // at the watermark, remembered there
    expect(dedupe.seen('new-at-3', 3)).toBe(false);
    expect(dedupe.seen('new', 4)).toBe(false);
  });

  it('refuses to replay when it can neither remember nor bound what it yielded', () => {
    const dedupe = new ChunkDedupe(2);
    [3, 1, 2].forEach((start, i) => dedupe.record(`id${i}`, start));
    expect(() => dedupe.beginReplay('Chunk X')).toThrow(expect.objectContaining({ code: SearchStreamErrorCode.ResumeNotExact }));
  });

  it('round-trips through a snapshot; a partial snapshot falls back to the watermark', () => {
    const dedupe = new ChunkDedupe(100);
    [1, 2, 3].forEach((start, i) => dedupe.record(`id${i}`, start));
    const snapshot = dedupe.snapshot(2);
    expect(snapshot).toEqual({ yielded: 3, last: 3, atLast: ['id2'], ordered: true, recent: ['id1', 'id2'] });
    const restored = ChunkDedupe.restore(snapshot, 100);
    expect(restored.seen('id1', 2)).toBe(true);
    expect(restored.seen('id0', 1)).toBe(false); // not remembered, and no replay yet
    restored.beginReplay('test');
    expect(restored.seen('id0', 1)).toBe(true);
  });
});
