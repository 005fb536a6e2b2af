import { SeededRandom } from '../random/seeded-random';
import { MESSENGER_KINDS, MessengerKind } from './conversation-record';

const MINUTE = 60_000;
const DAY = 86_400_000;

export const NO_AGENT = 255;

/** Flag bits of an index entry. */
export const IndexFlag = {
  OutOfOrder: 1,
  DuplicateProviderMessageId: 2,
  RepeatedMessageId: 4,
  Active: 8,
} as const;

export interface ConversationIndexConfig {
  seed: number;
  conversations: number;
  /** Generation anchor: every generated conversation starts before it. */
  nowMs: number;
  days: number;
  messagesMin: number;
  messagesMax: number;
  queueCount: number;
  agentCount: number;
}

/** What the index knows about one conversation, without generating its messages. */
export interface IndexEntry {
  index: number;
  id: string;
  startTime: number;
  /** Last activity: the end time, or the last message time of an active conversation. */
  lastActivity: number;
  active: boolean;
  kind: MessengerKind;
  queueIndex: number;
  /** NO_AGENT when nobody answered. */
  agentIndex: number;
  messageCount: number;
  /** Time from start until an agent connected (or until the customer gave up). */
  queueWaitMs: number;
  flags: number;
}

/**
 * The compact, always-in-memory part of the world: a handful of typed arrays plus the id
 * strings. Everything else about conversation i is re-derived from (seed, i) on demand, so
 * 100k conversations cost a few megabytes here, not 100k object graphs.
 */
export class ConversationIndex {
  readonly size: number;
  readonly ids: string[];
  readonly startTimes: Float64Array;
  /** Mutable: runtime activity (messages sent, disconnects) moves it forward. */
  readonly lastActivity: Float64Array;
  private readonly kinds: Uint8Array;
  private readonly queues: Uint8Array;
  private readonly agents: Uint8Array;
  private readonly messageCounts: Uint16Array;
  private readonly queueWaits: Uint32Array;
  private readonly flags: Uint8Array;
  /** Indices sorted by start time (then index), for interval scans. */
  readonly byStart: Uint32Array;
  private readonly idToIndex: Map<string, number>;
  /** Longest span between start and last activity of an ended conversation, bounds interval scans. */
  private maxSpanMs = 0;
  /** Conversations still open: their activity reaches `now`, so scans visit them separately. */
  private readonly activeSet = new Set<number>();

  constructor(private readonly config: ConversationIndexConfig) {
    const n = config.conversations;
    this.size = n;
    this.ids = new Array<string>(n);
    this.startTimes = new Float64Array(n);
    this.lastActivity = new Float64Array(n);
    this.kinds = new Uint8Array(n);
    this.queues = new Uint8Array(n);
    this.agents = new Uint8Array(n);
    this.messageCounts = new Uint16Array(n);
    this.queueWaits = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.idToIndex = new Map();
    for (let i = 0; i < n; i++) this.generate(i);
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const starts = this.startTimes;
    order.sort((a, b) => starts[a] - starts[b] || a - b);
    this.byStart = order;
  }

  private generate(i: number): void {
    const { seed, nowMs, days, messagesMin, messagesMax } = this.config;
    const rng = SeededRandom.derive(seed, 'conversation', i);
    const id = rng.uuid();
    // 75% web messaging, 15% open messaging, 10% SMS (MESSENGER_KINDS order)
    const kindRoll = rng.next();
    const kindIndex = kindRoll < 0.75 ? 0 : kindRoll < 0.9 ? 1 : 2;
    const queueIndex = rng.int(0, this.config.queueCount - 1);
    // A known set is still going at `now`, with an agent on it (something to send on).
    const ongoing = (i + seed) % 29 === 11;
    const answered = rng.chance(0.93) || ongoing;
    const agentDraw = rng.int(0, this.config.agentCount - 1);
    const agentIndex = answered ? agentDraw : NO_AGENT;
    // Most conversations are short; a long tail reaches the configured maximum.
    const span = messagesMax - messagesMin + 1;
    let messageCount = messagesMin + Math.min(span - 1, Math.floor(span * Math.pow(rng.next(), 2.4)));
    const gapMeanMs = rng.int(4, 150) * 1000;
    const queueWaitMs = rng.int(2, 300) * 1000;

    // A known, seed-dependent set of conversations carries integrity anomalies; with at
    // least 43 conversations every kind occurs.
    let flags = 0;
    const cycle = i + seed;
    if (cycle % 37 === 3) flags |= IndexFlag.OutOfOrder;
    if (cycle % 41 === 5) flags |= IndexFlag.DuplicateProviderMessageId;
    if (cycle % 43 === 7) flags |= IndexFlag.RepeatedMessageId;
    if (flags !== 0) {
      // anomalies need a few messages (two inbound at least) to be expressible
      messageCount = Math.min(messagesMax, Math.max(messageCount, 6));
      if (messageCount < 4) flags = 0;
    }

    const durationMs = queueWaitMs + messageCount * gapMeanMs + rng.int(5, 120) * 1000;
    const windowMs = days * DAY;
    const startDraw = rng.next();
    const recentMinutes = rng.int(3, 40);
    let startTime = ongoing
      ? nowMs - queueWaitMs - recentMinutes * MINUTE
      : Math.floor(nowMs - windowMs + startDraw * windowMs);
    // nothing generated lies in the future: a conversation still open at `now` is active
    startTime = Math.min(startTime, nowMs - queueWaitMs - 2 * MINUTE);
    let lastActivity = ongoing ? nowMs : startTime + durationMs;
    if (lastActivity > nowMs - MINUTE) {
      flags |= IndexFlag.Active;
      lastActivity = nowMs - MINUTE;
    }

    this.ids[i] = id;
    this.idToIndex.set(id, i);
    this.startTimes[i] = startTime;
    this.lastActivity[i] = lastActivity;
    this.kinds[i] = kindIndex;
    this.queues[i] = queueIndex;
    this.agents[i] = agentIndex;
    this.messageCounts[i] = messageCount;
    this.queueWaits[i] = queueWaitMs;
    this.flags[i] = flags;
    if (flags & IndexFlag.Active) this.activeSet.add(i);
    else this.maxSpanMs = Math.max(this.maxSpanMs, lastActivity - startTime);
  }

  indexOf(id: string): number | undefined {
    return this.idToIndex.get(id);
  }

  entry(i: number): IndexEntry {
    return {
      index: i,
      id: this.ids[i],
      startTime: this.startTimes[i],
      lastActivity: this.lastActivity[i],
      active: (this.flags[i] & IndexFlag.Active) !== 0,
      kind: MESSENGER_KINDS[this.kinds[i]],
      queueIndex: this.queues[i],
      agentIndex: this.agents[i],
      messageCount: this.messageCounts[i],
      queueWaitMs: this.queueWaits[i],
      flags: this.flags[i],
    };
  }

  kindOf(i: number): MessengerKind {
    return MESSENGER_KINDS[this.kinds[i]];
  }

  queueIndexOf(i: number): number {
    return this.queues[i];
  }

  agentIndexOf(i: number): number {
    return this.agents[i];
  }

  flagsOf(i: number): number {
    return this.flags[i];
  }

  isActive(i: number): boolean {
    return (this.flags[i] & IndexFlag.Active) !== 0;
  }

  /** Records runtime activity (a sent message, a disconnect) on a generated conversation. */
  touch(i: number, lastActivity: number, active: boolean): void {
    this.lastActivity[i] = Math.max(this.lastActivity[i], lastActivity);
    if (active) {
      this.flags[i] |= IndexFlag.Active;
      this.activeSet.add(i);
    } else {
      this.flags[i] &= ~IndexFlag.Active;
      this.activeSet.delete(i);
      this.maxSpanMs = Math.max(this.maxSpanMs, this.lastActivity[i] - this.startTimes[i]);
    }
  }

  /** Position in `byStart` of the first conversation starting at or after `time`. */
  lowerBound(time: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.startTimes[this.byStart[mid]] < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Indices (in start order) of conversations that started in [from, to). */
  *startedBetween(from: number, to: number): Generator<number> {
    for (let p = this.lowerBound(from); p < this.size; p++) {
      const i = this.byStart[p];
      if (this.startTimes[i] >= to) return;
      yield i;
    }
  }

  /** Indices (in start order) with any activity in [from, to): started before `to`, still going at `from`. */
  *activeBetween(from: number, to: number, nowMs: number): Generator<number> {
    const scanFrom = from - this.maxSpanMs - 1;
    for (let p = this.lowerBound(scanFrom); p < this.size; p++) {
      const i = this.byStart[p];
      if (this.startTimes[i] >= to) break;
      const end = this.isActive(i) ? nowMs : this.lastActivity[i];
      if (end >= from) yield i;
    }
    // open conversations that started before the scan window are still going at `now`
    if (nowMs < from) return;
    for (const i of this.activeSet) {
      if (this.startTimes[i] < scanFrom) yield i;
    }
  }
}
