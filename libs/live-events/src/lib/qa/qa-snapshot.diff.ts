import type { QaMetrics, QaSnapshotContent } from './qa-snapshot.model';

export interface MetricChange {
  before: number | null;
  after: number | null;
  /** after − before; null when either side is missing. */
  delta: number | null;
  /** delta / before × 100, rounded to 0.1; null when before is 0 or missing. */
  deltaPct: number | null;
}

/** Changed metrics only, by path (`conversations`, `handle.p90Ms`, `slaBreaches.deliveredLate`, …). */
export type MetricChanges = Record<string, MetricChange>;

export interface QaSnapshotDiff {
  from: { name: string; version?: number; window: QaSnapshotContent['window'] };
  to: { name: string; version?: number; window: QaSnapshotContent['window'] };
  /** True when nothing differs. */
  identical: boolean;
  totals: MetricChanges;
  queues: {
    /** Queues only in `b`. */
    added: string[];
    /** Queues only in `a`. */
    removed: string[];
    /** Queues in both whose metrics differ. */
    changed: Array<{ queueId: string; changes: MetricChanges }>;
  };
}

/**
 * What changed from snapshot `a` to snapshot `b` (two versions of the same window after
 * late data, or two consecutive windows): every metric that differs, with its delta and
 * relative change, for the totals and per queue; queues that appeared or disappeared.
 */
export function diffQaSnapshots(a: QaSnapshotContent & { version?: number }, b: QaSnapshotContent & { version?: number }): QaSnapshotDiff {
  const totals = diffMetrics(a.totals, b.totals);
  const before = new Map(a.queues.map((q) => [q.queueId, q]));
  const after = new Map(b.queues.map((q) => [q.queueId, q]));
  const added = [...after.keys()].filter((id) => !before.has(id)).sort();
  const removed = [...before.keys()].filter((id) => !after.has(id)).sort();
  const changed = [...after.keys()]
    .filter((id) => before.has(id))
    .sort()
    .map((queueId) => ({ queueId, changes: diffMetrics(before.get(queueId) as QaMetrics, after.get(queueId) as QaMetrics) }))
    .filter((entry) => Object.keys(entry.changes).length > 0);
  return {
    from: { name: a.name, version: a.version, window: a.window },
    to: { name: b.name, version: b.version, window: b.window },
    identical: Object.keys(totals).length === 0 && added.length === 0 && removed.length === 0 && changed.length === 0,
    totals,
    queues: { added, removed, changed },
  };
}

function diffMetrics(a: QaMetrics, b: QaMetrics): MetricChanges {
  const left = flatten(a);
  const right = flatten(b);
  const changes: MetricChanges = {};
  for (const path of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
    const x = left[path] ?? null;
    const y = right[path] ?? null;
    if (x === y) continue;
    const delta = x === null || y === null ? null : y - x;
    changes[path] = { before: x, after: y, delta, deltaPct: delta === null || !x ? null : Math.round((delta / x) * 1000) / 10 };
  }
  return changes;
}

/** Numeric leaves of a metrics object by dotted path; the queue id is not a metric. */
function flatten(value: object, prefix = ''): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [key, leaf] of Object.entries(value)) {
    if (key === 'queueId') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (leaf === null) out[path] = null;
    else if (typeof leaf === 'number') out[path] = leaf;
    else if (typeof leaf === 'object') Object.assign(out, flatten(leaf as object, path));
  }
  return out;
}
