export interface SnapshotMergerOptions {
  /** Conversations remembered (least recently seen forgotten first). Default 10,000. */
  maxConversations?: number;
  /** Snapshots remembered per conversation. Default 16. */
  historySize?: number;
  /**
   * How far back the first frame of a source may find its duplicate. A source repeats what
   * another one delivered only for changes made while both were subscribed, so a few
   * seconds cover it; longer windows only risk mistaking a genuine return to an earlier
   * state for a repeat. Default 30 s.
   */
  windowMs?: number;
  /**
   * Slack before a source's start: the server may attach a socket a little before the
   * client sees it open, and send on it at once. Default 5 s.
   */
  startSkewMs?: number;
}

interface Applied {
  fingerprint: string;
  at: number;
}

interface ConversationHistory {
  /** Position of `entries[0]` in the conversation's whole sequence. */
  base: number;
  entries: Applied[];
  /** Per source: the position after the last entry it delivered or matched. */
  cursors: Map<string, number>;
  /** Bumped by every live snapshot taken, so a backfill can tell it was overtaken. */
  liveSequence: number;
}

/**
 * Merges several ordered streams of whole-conversation snapshots into one without
 * repeats. Each source (a topic on a channel) delivers the changes of a conversation in
 * order, and several sources can deliver the same change: the old and the new channel
 * while a rollover overlaps, a queue topic and a user topic of the same conversation.
 *
 * Per conversation the merger keeps the fingerprints of the snapshots it let through, in
 * order, and per source a cursor into that sequence. A frame whose fingerprint appears at
 * or after its source's cursor is a repeat of what another source delivered first: the
 * cursor moves past it and the frame is dropped. Anything else is new. A conversation can
 * legitimately return to an earlier state (held, then not held): the cursor keeps that
 * return from being mistaken for the old snapshot, because the search never looks behind
 * what the same source already delivered. A snapshot equal to the last one let through
 * (two changes Genesys published with the same content) changes nothing and is dropped.
 */
export class SnapshotMerger {
  private readonly conversations = new Map<string, ConversationHistory>();
  private readonly maxConversations: number;
  private readonly historySize: number;
  private readonly windowMs: number;
  private readonly startSkewMs: number;

  constructor(options: SnapshotMergerOptions = {}) {
    this.maxConversations = options.maxConversations ?? 10_000;
    this.historySize = options.historySize ?? 16;
    this.windowMs = options.windowMs ?? 30_000;
    this.startSkewMs = options.startSkewMs ?? 5_000;
  }

  /**
   * True when the snapshot is new and should be handed on. `sourceStartedAt` is when the
   * source began delivering (its socket opened), `at` when the frame arrived.
   */
  accept(conversationId: string, source: string, sourceStartedAt: number, fingerprint: string, at: number): boolean {
    const history = this.history(conversationId);
    const end = history.base + history.entries.length;
    let cursor = history.cursors.get(source);
    if (cursor === undefined) {
      // a source's first frame of this conversation can only repeat a change made after it started
      const from = Math.max(sourceStartedAt - this.startSkewMs, at - this.windowMs);
      const index = history.entries.findIndex((entry) => entry.at >= from);
      cursor = index < 0 ? end : history.base + index;
    }
    for (let position = Math.max(cursor, history.base); position < end; position++) {
      if (history.entries[position - history.base].fingerprint === fingerprint) {
        history.cursors.set(source, position + 1);
        return false;
      }
    }
    if (history.entries.length > 0 && history.entries[history.entries.length - 1].fingerprint === fingerprint) {
      // the conversation is already in exactly this state: nothing to hand on
      history.cursors.set(source, end);
      return false;
    }
    history.entries.push({ fingerprint, at });
    if (history.entries.length > this.historySize) {
      history.entries.shift();
      history.base++;
    }
    history.cursors.set(source, end + 1);
    history.liveSequence++;
    return true;
  }

  /** A counter that moves whenever a live snapshot of the conversation is taken. */
  liveSequence(conversationId: string): number {
    return this.conversations.get(conversationId)?.liveSequence ?? 0;
  }

  /** Forgets a source (its channel is gone), so its cursors do not pile up. */
  dropSource(source: string): void {
    for (const history of this.conversations.values()) history.cursors.delete(source);
  }

  /** Forgets every source whose name starts with `prefix` (all topics of a channel). */
  dropSourcesWithPrefix(prefix: string): void {
    for (const history of this.conversations.values()) {
      for (const source of [...history.cursors.keys()]) if (source.startsWith(prefix)) history.cursors.delete(source);
    }
  }

  get size(): number {
    return this.conversations.size;
  }

  private history(conversationId: string): ConversationHistory {
    let history = this.conversations.get(conversationId);
    if (history) {
      // re-insert: Map order is the LRU order
      this.conversations.delete(conversationId);
    } else {
      history = { base: 0, entries: [], cursors: new Map(), liveSequence: 0 };
    }
    this.conversations.set(conversationId, history);
    if (this.conversations.size > this.maxConversations) {
      const oldest = this.conversations.keys().next().value as string;
      this.conversations.delete(oldest);
    }
    return history;
  }
}
