import { canonicalHash, canonicalJson } from '@gcm/canonical-json';
import { noopLogger, realSleep, systemClock, type Clock, type GenesysLogger, type Sleep } from '@gcm/genesys-auth';
import { DEFAULT_DELIVERED_WITHIN_MS, DEFAULT_READ_WITHIN_MS, isSyncFailure, type HistorySync, type ReceiptSlaOptions } from '@gcm/history-timeline';
import { ConversationFilter, ConversationSearch, type SearchTransport } from '@gcm/search-stream';
import type { StoreRepositories } from '@gcm/store';
import { LiveEventsError, LiveEventsErrorCode } from '../live-events.error';
import { diffQaSnapshots, type QaSnapshotDiff } from './qa-snapshot.diff';
import {
  QA_SNAPSHOT_KIND,
  QA_SNAPSHOT_SCHEMA_VERSION,
  QaAccumulator,
  type QaSnapshot,
  type QaSnapshotContent,
  type SlaBreachCounts,
} from './qa-snapshot.model';

export interface QaSnapshotJobOptions {
  /** The Genesys transport (analytics details through `@gcm/search-stream`). */
  transport: SearchTransport;
  store: StoreRepositories;
  /**
   * Counts receipt SLA breaches per queue by syncing each conversation's history
   * (`HistorySync` of history-timeline). Without it `slaBreaches` is null.
   */
  history?: Pick<HistorySync, 'syncMany'>;
  /** Thresholds for the breaches (history-timeline's defaults otherwise). */
  sla?: ReceiptSlaOptions;
  /** Conversations synced at once for the SLA. Default 8. */
  historyConcurrency?: number;
  /** Snapshot name (versions are per name). Default `daily`. */
  name?: string;
  /** Only these queues' conversations (all by default). */
  queueIds?: readonly string[];
  clock?: Clock;
  sleep?: Sleep;
  logger?: GenesysLogger;
}

export interface QaSnapshotRun {
  snapshot: QaSnapshot;
  /** False when the same window with the same content was already stored (a re-run). */
  created: boolean;
  /** The version before this one, and what changed since it. */
  previous?: QaSnapshot;
  diff?: QaSnapshotDiff;
}

/** The analytics details row fields the snapshot reads (genesys-api.md §6). */
interface DetailsRow {
  conversationId: string;
  conversationEnd?: string;
  participants?: Array<{
    purpose?: string;
    userId?: string;
    sessions?: Array<{
      metrics?: Array<{ name?: string; value?: number }>;
      segments?: Array<{ queueId?: string }>;
    }>;
  }>;
}

const NO_QUEUE = 'none';
const DAY_MS = 86_400_000;

/**
 * QA snapshots: for a window, the analytics details of the conversations that started in
 * it (through search-stream, so paging, chunking and dedupe are its business) summarised
 * per queue — conversations, ended, answered, abandoned, agent handle time and time in
 * queue (from the `tHandle` / `tAcd` metrics), and receipt SLA breaches (from each
 * conversation's history) — stored as a new version in the store, diffable against the
 * previous one. A re-run over the same window that finds the same content adds no version.
 *
 * `run({window})` is what the scheduler calls; `runPreviousDay()` takes yesterday (UTC).
 */
export class QaSnapshotJob {
  readonly name: string;
  private readonly search: ConversationSearch;
  private readonly clock: Clock;
  private readonly logger: GenesysLogger;

  constructor(private readonly options: QaSnapshotJobOptions) {
    this.name = options.name ?? 'daily';
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? noopLogger;
    this.search = new ConversationSearch({
      transport: options.transport,
      includeRaw: true,
      clock: this.clock,
      sleep: options.sleep ?? realSleep,
      logger: this.logger,
    });
  }

  /** Snapshots `[start, end)` (epoch ms, Date or ISO) and stores it as the next version. */
  async run(request: { window: { start: number | string | Date; end: number | string | Date }; signal?: AbortSignal }): Promise<QaSnapshotRun> {
    const start = toMs(request.window.start);
    const end = toMs(request.window.end);
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
      throw new LiveEventsError(LiveEventsErrorCode.InvalidWindow, `The QA window must have a start before its end, got ${String(request.window.start)} → ${String(request.window.end)}.`);
    }
    const content = await this.measure(start, end, request.signal);
    const contentHash = `sha256:${canonicalHash(content)}`;
    const previousInfo = await this.options.store.qaSnapshots.latest(this.name);
    const { entry, created } = await this.options.store.qaSnapshots.append({
      name: this.name,
      windowStart: start,
      windowEnd: end,
      contentHash,
      documentJson: canonicalJson(content),
    });
    const snapshot: QaSnapshot = { ...content, version: entry.version, contentHash, createdAt: new Date(entry.createdAt).toISOString() };
    const previous = created && previousInfo ? await this.get(previousInfo.version) : undefined;
    return { snapshot, created, ...(previous ? { previous, diff: diffQaSnapshots(previous, snapshot) } : {}) };
  }

  /** The previous UTC day, relative to the clock. */
  runPreviousDay(signal?: AbortSignal): Promise<QaSnapshotRun> {
    const today = Math.floor(this.clock.now() / DAY_MS) * DAY_MS;
    return this.run({ window: { start: today - DAY_MS, end: today }, signal });
  }

  /** A stored version (the latest when omitted). */
  async get(version?: number): Promise<QaSnapshot | undefined> {
    const stored = await this.options.store.qaSnapshots.get(this.name, version);
    if (!stored) return undefined;
    const content = JSON.parse(stored.documentJson) as QaSnapshotContent;
    if (content.schemaVersion !== QA_SNAPSHOT_SCHEMA_VERSION || content.kind !== QA_SNAPSHOT_KIND) {
      throw new LiveEventsError(
        LiveEventsErrorCode.UnsupportedSnapshot,
        `QA snapshot "${this.name}" version ${stored.version} has schema ${String(content.schemaVersion)}; this code reads ${QA_SNAPSHOT_SCHEMA_VERSION}.`,
      );
    }
    return { ...content, version: stored.version, contentHash: stored.contentHash, createdAt: new Date(stored.createdAt).toISOString() };
  }

  /** What changed between two stored versions. */
  async diff(fromVersion: number, toVersion: number): Promise<QaSnapshotDiff> {
    const [a, b] = await Promise.all([this.get(fromVersion), this.get(toVersion)]);
    if (!a || !b) throw new LiveEventsError(LiveEventsErrorCode.InvalidOptions, `QA snapshot "${this.name}" has no version ${!a ? fromVersion : toVersion}.`);
    return diffQaSnapshots(a, b);
  }

  private async measure(start: number, end: number, signal?: AbortSignal): Promise<QaSnapshotContent> {
    let filter = ConversationFilter.between(start, end).mediaType('message');
    if (this.options.queueIds && this.options.queueIds.length > 0) filter = filter.queueIds(...this.options.queueIds);
    const totals = new QaAccumulator();
    const queues = new Map<string, QaAccumulator>();
    const queueOf = (id: string) => {
      let accumulator = queues.get(id);
      if (!accumulator) queues.set(id, (accumulator = new QaAccumulator()));
      return accumulator;
    };
    const conversationQueues = new Map<string, string[]>();

    for await (const summary of this.search.search(filter.build(), { signal })) {
      const row = summary.raw as DetailsRow | undefined;
      const queueIds = summary.queueIds.length > 0 ? summary.queueIds : [NO_QUEUE];
      const agents = (row?.participants ?? []).filter((p) => p.purpose === 'agent' && p.userId);
      const ended = summary.conversationEnd !== undefined;
      for (const accumulator of [totals, ...queueIds.map(queueOf)]) {
        accumulator.conversations++;
        if (ended) accumulator.ended++;
        if (agents.length > 0) accumulator.answered++;
        else if (ended) accumulator.abandoned++;
      }
      for (const participant of row?.participants ?? []) {
        for (const session of participant.sessions ?? []) {
          const queue = session.segments?.find((s) => s.queueId)?.queueId ?? queueIds[0];
          for (const metric of session.metrics ?? []) {
            if (typeof metric.value !== 'number') continue;
            const target = metric.name === 'tHandle' && participant.purpose === 'agent' ? 'handle' : metric.name === 'tAcd' ? 'wait' : undefined;
            if (!target) continue;
            totals[target].push(metric.value);
            queueOf(queue)[target].push(metric.value);
          }
        }
      }
      if (this.options.history) conversationQueues.set(summary.conversationId, queueIds);
    }

    const withSla = this.options.history !== undefined;
    if (this.options.history) await this.countBreaches(this.options.history, conversationQueues, totals, queueOf, signal);

    const content: QaSnapshotContent = {
      schemaVersion: QA_SNAPSHOT_SCHEMA_VERSION,
      kind: QA_SNAPSHOT_KIND,
      name: this.name,
      window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
      totals: totals.metrics(withSla),
      queues: [...queues].sort(([a], [b]) => a.localeCompare(b)).map(([queueId, accumulator]) => ({ queueId, ...accumulator.metrics(withSla) })),
    };
    if (withSla) {
      content.slaThresholds = {
        deliveredWithinMs: this.options.sla?.deliveredWithinMs ?? DEFAULT_DELIVERED_WITHIN_MS,
        readWithinMs: this.options.sla?.readWithinMs ?? DEFAULT_READ_WITHIN_MS,
      };
    }
    return content;
  }

  private async countBreaches(
    history: Pick<HistorySync, 'syncMany'>,
    conversationQueues: Map<string, string[]>,
    totals: QaAccumulator,
    queueOf: (id: string) => QaAccumulator,
    signal?: AbortSignal,
  ): Promise<void> {
    const results = history.syncMany(conversationQueues.keys(), { concurrency: this.options.historyConcurrency ?? 8, sla: this.options.sla, signal });
    for await (const result of results) {
      if (isSyncFailure(result)) {
        this.logger.warn?.('QA snapshot: a conversation could not be synced for its SLA', { conversationId: result.conversationId, code: result.error.code });
        continue;
      }
      const counts: SlaBreachCounts = { total: 0, deliveredLate: 0, deliveryMissing: 0, readLate: 0 };
      for (const breach of result.sla.breaches) {
        counts.total++;
        if (breach.kind === 'delivered-late') counts.deliveredLate++;
        else if (breach.kind === 'delivery-missing') counts.deliveryMissing++;
        else counts.readLate++;
      }
      totals.addBreaches(counts);
      for (const queueId of conversationQueues.get(result.conversationId) ?? [NO_QUEUE]) queueOf(queueId).addBreaches(counts);
    }
  }
}

function toMs(value: number | string | Date): number {
  return typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Date.parse(value);
}
