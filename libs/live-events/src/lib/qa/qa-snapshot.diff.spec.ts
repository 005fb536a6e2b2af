import { durationStats, QA_SNAPSHOT_KIND, QA_SNAPSHOT_SCHEMA_VERSION, type QaMetrics, type QaSnapshotContent } from './qa-snapshot.model';
import { diffQaSnapshots } from './qa-snapshot.diff';

function metrics(overrides: Partial<QaMetrics> = {}): QaMetrics {
  return {
    conversations: 10,
    ended: 8,
    answered: 7,
    abandoned: 1,
    handle: durationStats([60_000, 120_000, 180_000]),
    wait: durationStats([1_000, 3_000]),
    slaBreaches: { total: 2, deliveredLate: 1, deliveryMissing: 1, readLate: 0 },
    ...overrides,
  };
}

function snapshot(queues: Array<[string, Partial<QaMetrics>]>, totals: Partial<QaMetrics> = {}): QaSnapshotContent {
  return {
    schemaVersion: QA_SNAPSHOT_SCHEMA_VERSION,
    kind: QA_SNAPSHOT_KIND,
    name: 'daily',
    window: { start: '2026-02-27T00:00:00.000Z', end: '2026-02-28T00:00:00.000Z' },
    totals: metrics(totals),
    queues: queues.map(([queueId, m]) => ({ queueId, ...metrics(m) })),
  };
}

describe('diffQaSnapshots', () => {
  it('finds nothing between equal snapshots', () => {
    const a = snapshot([['q1', {}]]);
    expect(diffQaSnapshots(a, structuredClone(a))).toMatchObject({ identical: true, totals: {}, queues: { added: [], removed: [], changed: [] } });
  });

  it('reports each changed metric by path with its delta and relative change, per queue and in total', () => {
    const a = { ...snapshot([['q1', {}], ['q2', {}]]), version: 1 };
    const b = {
      ...snapshot([['q1', { ended: 9, handle: durationStats([60_000, 120_000, 180_000, 240_000]) }], ['q3', {}]], { ended: 9 }),
      version: 2,
    };
    const diff = diffQaSnapshots(a, b);
    expect(diff.identical).toBe(false);
    expect(diff.from.version).toBe(1);
    expect(diff.to.version).toBe(2);
    expect(diff.totals).toEqual({ ended: { before: 8, after: 9, delta: 1, deltaPct: 12.5 } });
    expect(diff.queues.added).toEqual(['q3']);
    expect(diff.queues.removed).toEqual(['q2']);
    expect(diff.queues.changed).toHaveLength(1);
    expect(diff.queues.changed[0].queueId).toBe('q1');
    expect(diff.queues.changed[0].changes).toEqual({
      ended: { before: 8, after: 9, delta: 1, deltaPct: 12.5 },
      'handle.avgMs': { before: 120_000, after: 150_000, delta: 30_000, deltaPct: 25 },
      'handle.count': { before: 3, after: 4, delta: 1, deltaPct: 33.3 },
      'handle.maxMs': { before: 180_000, after: 240_000, delta: 60_000, deltaPct: 33.3 },
      'handle.p90Ms': { before: 180_000, after: 240_000, delta: 60_000, deltaPct: 33.3 },
      'handle.totalMs': { before: 360_000, after: 600_000, delta: 240_000, deltaPct: 66.7 },
    });
  });

  it('shows a metric appearing from nothing without a relative change', () => {
    const a = snapshot([], { slaBreaches: null, handle: durationStats([]) });
    const b = snapshot([], { handle: durationStats([5_000]) });
    const diff = diffQaSnapshots(a, b);
    expect(diff.totals['handle.avgMs']).toEqual({ before: null, after: 5_000, delta: null, deltaPct: null });
    expect(diff.totals['handle.count']).toEqual({ before: 0, after: 1, delta: 1, deltaPct: null });
    expect(diff.totals['slaBreaches.total']).toEqual({ before: null, after: 2, delta: null, deltaPct: null });
  });
});
