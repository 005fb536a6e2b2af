import { GenesysServerError } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { conversationFixture, InMemoryHistorySource } from '../testing';
import { HistorySyncErrorCode, isSyncFailure, SyncFailure } from './history-sync.error';
import { HistorySync, type SyncResult } from './history-sync.service';
import type { Timeline } from './timeline.model';

const START = '2026-03-01T10:00:00.000Z';

function fixture(id: string) {
  return conversationFixture({
    id,
    startTime: START,
    endTime: '2026-03-01T10:10:00.000Z',
    participants: [
      { id: `${id}-c`, purpose: 'customer', name: 'C' },
      { id: `${id}-a`, purpose: 'agent', name: 'A' },
    ],
    messages: [
      { id: `${id}-m1`, participantId: `${id}-c`, timestamp: '2026-03-01T10:00:01.000Z', text: 'hi' },
      { id: `${id}-m2`, participantId: `${id}-a`, timestamp: '2026-03-01T10:00:05.000Z', text: 'hello' },
    ],
  });
}

/** Lets the promise callbacks queued so far run (no clock involved). */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A gate per conversation: its first read waits until the test opens it. */
class Gates {
  private readonly open = new Map<string, () => void>();
  private readonly waiting = new Map<string, Promise<void>>();
  readonly entered: string[] = [];

  gate = (conversationId: string, read: string): Promise<void> => {
    if (read !== 'getMessageConversation') return Promise.resolve();
    this.entered.push(conversationId);
    let promise = this.waiting.get(conversationId);
    if (!promise) {
      promise = new Promise<void>((resolve) => this.open.set(conversationId, resolve));
      this.waiting.set(conversationId, promise);
    }
    return promise;
  };

  release(conversationId: string): void {
    if (!this.waiting.has(conversationId)) this.waiting.set(conversationId, Promise.resolve());
    this.open.get(conversationId)?.();
  }
}

async function* counted(ids: string[], stats: { pulled: number; closed: boolean }): AsyncGenerator<string> {
  try {
    for (const id of ids) {
      stats.pulled++;
      yield id;
    }
  } finally {
    stats.closed = true;
  }
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `conv-${i}`);

describe('HistorySync.syncMany', () => {
  it('holds at most `concurrency` conversations, reads the source lazily, and yields results as they finish', async () => {
    const gates = new Gates();
    const source = new InMemoryHistorySource(ids(10).map(fixture), gates.gate);
    const history = new HistorySync({ source, clock: new FakeClock() });
    const stats = { pulled: 0, closed: false };
    const stream = history.syncMany(counted(ids(10), stats), { concurrency: 3 })[Symbol.asyncIterator]();

    const first = stream.next();
    await settle();
    expect(gates.entered).toEqual(['conv-0', 'conv-1', 'conv-2']);
    expect(stats.pulled).toBe(3);

    // finishing out of order: conv-2 first
    gates.release('conv-2');
    expect(((await first).value as Timeline).conversationId).toBe('conv-2');
    await settle();
    expect(gates.entered).toEqual(['conv-0', 'conv-1', 'conv-2', 'conv-3']);
    expect(stats.pulled).toBe(4);

    // results nobody has taken yet count against the window: the source is not read further
    gates.release('conv-0');
    gates.release('conv-1');
    gates.release('conv-3');
    await settle();
    expect(stats.pulled).toBe(4);

    for (const id of ids(10)) gates.release(id);
    const rest: string[] = [];
    for (let step = await stream.next(); !step.done; step = await stream.next()) rest.push((step.value as Timeline).conversationId);
    expect(rest.sort()).toEqual(ids(10).filter((id) => id !== 'conv-2').sort());
    // two reads at once per conversation (message conversation + conversation), three conversations
    expect(source.maxInFlight).toBeLessThanOrEqual(6);
    expect(stats.closed).toBe(true);
  });

  it('a failing conversation yields a SyncFailure with a typed error and the others carry on', async () => {
    const source = new InMemoryHistorySource(ids(6).map(fixture));
    source.fail('conv-2', new GenesysServerError({ message: 'boom', status: 503, code: 'service.unavailable' }));
    const history = new HistorySync({ source, clock: new FakeClock() });
    const results: SyncResult[] = [];
    for await (const result of history.syncMany(['conv-0', 'conv-1', 'conv-2', 'missing', 'conv-3', 'conv-4', 'conv-5'], { concurrency: 2 })) results.push(result);

    expect(results).toHaveLength(7);
    const failures = results.filter(isSyncFailure);
    expect(failures.map((f) => [f.conversationId, f.error.code])).toEqual(
      expect.arrayContaining([
        ['conv-2', HistorySyncErrorCode.Unavailable],
        ['missing', HistorySyncErrorCode.NotFound],
      ]),
    );
    expect(failures).toHaveLength(2);
    expect(failures[0]).toBeInstanceOf(SyncFailure);
    expect(failures[0].ok).toBe(false);
    const timelines = results.filter((r): r is Timeline => !isSyncFailure(r));
    expect(timelines.map((t) => t.conversationId).sort()).toEqual(['conv-0', 'conv-1', 'conv-3', 'conv-4', 'conv-5']);
  });

  it('memory stays bounded over a long stream: ids read never run more than the window ahead of results taken', async () => {
    const n = 1000;
    const source = new InMemoryHistorySource(ids(n).map(fixture));
    const history = new HistorySync({ source, clock: new FakeClock() });
    const stats = { pulled: 0, closed: false };
    let consumed = 0;
    let maxAhead = 0;
    const seen = new Set<string>();
    for await (const result of history.syncMany(counted(ids(n), stats), { concurrency: 4 })) {
      consumed++;
      seen.add(isSyncFailure(result) ? result.conversationId : result.conversationId);
      maxAhead = Math.max(maxAhead, stats.pulled - consumed);
    }
    expect(consumed).toBe(n);
    expect(seen.size).toBe(n);
    expect(maxAhead).toBeLessThanOrEqual(4);
  });

  it('stopping early aborts the running syncs and closes the source', async () => {
    const gates = new Gates();
    const signals: AbortSignal[] = [];
    const source = new InMemoryHistorySource(ids(5).map(fixture), gates.gate);
    const spy = jest.spyOn(source, 'getMessageConversation');
    const history = new HistorySync({ source, clock: new FakeClock() });
    const stats = { pulled: 0, closed: false };
    gates.release('conv-0');
    for await (const result of history.syncMany(counted(ids(5), stats), { concurrency: 2 })) {
      expect((result as Timeline).conversationId).toBe('conv-0');
      break;
    }
    signals.push(...spy.mock.calls.map((call) => call[1]?.signal).filter((s): s is AbortSignal => s !== undefined));
    await settle();
    expect(stats.closed).toBe(true);
    expect(signals.length).toBeGreaterThan(1);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it("the caller's signal ends the stream", async () => {
    const gates = new Gates();
    const source = new InMemoryHistorySource(ids(3).map(fixture), gates.gate);
    const history = new HistorySync({ source, clock: new FakeClock() });
    const controller = new AbortController();
    const stream = history.syncMany(ids(3), { concurrency: 2, signal: controller.signal })[Symbol.asyncIterator]();
    const next = stream.next();
    await settle();
    controller.abort(new Error('shutting down'));
    await expect(next).rejects.toThrow('shutting down');
  });

  it('a failing id source ends the stream with its error', async () => {
    const history = new HistorySync({ source: new InMemoryHistorySource([fixture('conv-0')]), clock: new FakeClock() });
    async function* broken(): AsyncGenerator<string> {
      yield 'conv-0';
      throw new Error('search failed');
    }
    const results: SyncResult[] = [];
    await expect(
      (async () => {
        for await (const result of history.syncMany(broken(), { concurrency: 1 })) results.push(result);
      })(),
    ).rejects.toThrow('search failed');
  });

  it('refuses a concurrency that is not a positive integer', () => {
    const history = new HistorySync({ source: new InMemoryHistorySource(), clock: new FakeClock() });
    expect(() => history.syncMany([], { concurrency: 0 })).toThrow(expect.objectContaining({ code: HistorySyncErrorCode.InvalidOptions }));
  });

  it('an empty stream ends at once', async () => {
    const history = new HistorySync({ source: new InMemoryHistorySource(), clock: new FakeClock() });
    const results: SyncResult[] = [];
    for await (const result of history.syncMany([])) results.push(result);
    expect(results).toEqual([]);
  });
});
