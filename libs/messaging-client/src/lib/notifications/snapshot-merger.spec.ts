import { SnapshotMerger } from './snapshot-merger';

/** Feeds frames and returns the fingerprints let through, in order. */
function run(merger: SnapshotMerger, frames: Array<[source: string, fingerprint: string, at?: number]>, startedAt: Record<string, number> = {}): string[] {
  const out: string[] = [];
  for (const [source, fingerprint, at = 1_000] of frames) {
    if (merger.accept('c1', source, startedAt[source] ?? 0, fingerprint, at)) out.push(fingerprint);
  }
  return out;
}

describe('SnapshotMerger', () => {
  it('lets every change of one source through, including a return to an earlier state', () => {
    expect(run(new SnapshotMerger(), [['a', 'S1'], ['a', 'S2'], ['a', 'S1'], ['a', 'S3']])).toEqual(['S1', 'S2', 'S1', 'S3']);
  });

  it('drops a snapshot equal to the current state, from any source', () => {
    expect(run(new SnapshotMerger(), [['a', 'S1'], ['a', 'S1'], ['b', 'S1'], ['a', 'S2'], ['a', 'S2']])).toEqual(['S1', 'S2']);
  });

  it('drops what a second source repeats, whichever source is ahead', () => {
    const frames: Array<[string, string]> = [
      ['a', 'S1'],
      ['b', 'S1'],
      ['b', 'S2'],
      ['a', 'S2'],
      ['a', 'S1'],
      ['b', 'S1'],
      ['b', 'S3'],
      ['a', 'S3'],
    ];
    expect(run(new SnapshotMerger(), frames)).toEqual(['S1', 'S2', 'S1', 'S3']);
  });

  it('a lagging source matches the revisit in order (no change is lost or doubled)', () => {
    // a delivered S1 S2 S1' before b caught up; b then delivers the same three
    expect(run(new SnapshotMerger(), [['a', 'S1'], ['a', 'S2'], ['a', 'S1'], ['b', 'S1'], ['b', 'S2'], ['b', 'S1'], ['b', 'S4']])).toEqual([
      'S1',
      'S2',
      'S1',
      'S4',
    ]);
  });

  it("does not look for a new source's first frame before the source started", () => {
    const merger = new SnapshotMerger({ startSkewMs: 0, windowMs: 60_000 });
    // S1 at t=1000, then a later return to the same content arrives first on b (started at 2000)
    expect(merger.accept('c1', 'a', 0, 'S1', 1_000)).toBe(true);
    expect(merger.accept('c1', 'a', 0, 'S2', 1_500)).toBe(true);
    expect(merger.accept('c1', 'b', 2_000, 'S1', 2_500)).toBe(true);
    expect(merger.accept('c1', 'a', 0, 'S1', 2_600)).toBe(false);
  });

  it('tracks live snapshots per conversation and forgets the least recently seen conversation', () => {
    const merger = new SnapshotMerger({ maxConversations: 2 });
    merger.accept('c1', 'a', 0, 'x', 1);
    merger.accept('c2', 'a', 0, 'x', 1);
    merger.accept('c1', 'a', 0, 'y', 2);
    expect(merger.liveSequence('c1')).toBe(2);
    merger.accept('c3', 'a', 0, 'x', 3);
    expect(merger.size).toBe(2);
    expect(merger.liveSequence('c2')).toBe(0);
    expect(merger.liveSequence('c1')).toBe(2);
  });
});
