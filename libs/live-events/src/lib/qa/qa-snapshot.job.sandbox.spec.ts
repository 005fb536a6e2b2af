import { createGenesysConnection } from '@gcm/genesys-auth';
import { ManualClock, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { HistorySync } from '@gcm/history-timeline';
import { MessagingClient, snapshotParties, type ConversationNotification } from '@gcm/messaging-client';
import { openDatabase, type StoreDatabase } from '@gcm/store';
import { manualClockTime } from '../../testing';
import { LiveEvents } from '../live-events.service';
import { until } from '../test/event-loop';
import { QaSnapshotJob } from './qa-snapshot.job';

/**
 * QA snapshots of one day of the sandbox, checked against its truth: counts per queue from
 * the conversations, handle time and time in queue from the participants' own timings.
 */
const NOW = '2026-03-01T09:00:00.000Z';
const DAY = { start: Date.parse('2026-02-27T00:00:00.000Z'), end: Date.parse('2026-02-28T00:00:00.000Z') };

describe('QaSnapshotJob against the sandbox', () => {
  jest.setTimeout(30_000);

  let sandbox: RunningSandbox;
  let store: StoreDatabase;
  let job: QaSnapshotJob;
  let feed: LiveEvents;
  /** What the live feed hands on: conversation snapshots from the queue topics. */
  const liveSnapshots: ConversationNotification[] = [];

  beforeAll(async () => {
    const clock = new ManualClock(NOW);
    sandbox = await startSandbox({ seed: 8, conversations: 300, days: 10, now: NOW, clock });
    const time = manualClockTime(clock);
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock: time.clock, sleep: time.sleep },
    });
    store = await openDatabase('sqlite::memory:', { clock: time.clock });
    const history = new HistorySync({ source: new MessagingClient({ transport }), clock: time.clock });
    job = new QaSnapshotJob({ transport, store, history, clock: time.clock, sleep: time.sleep });
    // the live feed of every queue, to hold its queue attribution against the snapshot's
    feed = LiveEvents.create({ transport, clock: time.clock, sleep: time.sleep, random: () => 0.5 });
    await feed.start();
    feed.manager.on('notification', (n) => liveSnapshots.push(n));
    await feed.follow({ queueIds: sandbox.truth.catalog.queues.map((q) => q.id) });
  });

  afterAll(async () => {
    await feed?.close();
    await store?.close();
    await sandbox?.close();
  });

  /** What the snapshot should say, from the sandbox's own records. */
  function truthOfDay() {
    const ids = sandbox.truth.conversationIds({ from: DAY.start, to: DAY.end });
    const perQueue = new Map<string, { conversations: number; ended: number; answered: number; abandoned: number; handleMs: number[]; waitMs: number[] }>();
    for (const id of ids) {
      const record = sandbox.world.conversation(id)!;
      const queue = sandbox.truth.summary(id)!.queueId;
      const entry = perQueue.get(queue) ?? { conversations: 0, ended: 0, answered: 0, abandoned: 0, handleMs: [], waitMs: [] };
      const agents = record.participants.filter((p) => p.purpose === 'agent' && p.userId);
      entry.conversations++;
      if (record.endTime !== undefined) entry.ended++;
      if (agents.length > 0) entry.answered++;
      else if (record.endTime !== undefined) entry.abandoned++;
      for (const p of record.participants) {
        if (p.endTime === undefined) continue;
        if (p.purpose === 'agent') entry.handleMs.push(p.endTime - (p.connectedTime ?? p.startTime) + (p.wrapup?.durationSeconds ?? 0) * 1000);
        if (p.purpose === 'acd') entry.waitMs.push(p.endTime - p.startTime);
      }
      perQueue.set(queue, entry);
    }
    return { ids, perQueue };
  }

  it('summarises the day per queue as the truth has it, stores version 1 and adds none on a re-run', async () => {
    const truth = truthOfDay();
    expect(truth.ids.length).toBeGreaterThan(10);
    const { snapshot, created, previous } = await job.run({ window: DAY });
    expect(created).toBe(true);
    expect(previous).toBeUndefined();
    expect(snapshot).toMatchObject({ version: 1, name: 'daily', window: { start: '2026-02-27T00:00:00.000Z', end: '2026-02-28T00:00:00.000Z' } });
    expect(snapshot.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(snapshot.totals.conversations).toBe(truth.ids.length);

    expect(snapshot.queues.map((q) => q.queueId)).toEqual([...truth.perQueue.keys()].sort());
    for (const queue of snapshot.queues) {
      const expected = truth.perQueue.get(queue.queueId)!;
      expect({ queue: queue.queueId, conversations: queue.conversations, ended: queue.ended, answered: queue.answered, abandoned: queue.abandoned }).toEqual({
        queue: queue.queueId,
        conversations: expected.conversations,
        ended: expected.ended,
        answered: expected.answered,
        abandoned: expected.abandoned,
      });
      expect(queue.handle.count).toBe(expected.handleMs.length);
      expect(queue.handle.totalMs).toBe(expected.handleMs.reduce((a, b) => a + b, 0));
      expect(queue.handle.maxMs).toBe(expected.handleMs.length ? Math.max(...expected.handleMs) : null);
      expect(queue.wait.totalMs).toBe(expected.waitMs.reduce((a, b) => a + b, 0));
    }
    // every conversation sits in one queue here, so the queues add up to the totals
    const sum = (pick: (q: (typeof snapshot.queues)[number]) => number) => snapshot.queues.reduce((total, q) => total + pick(q), 0);
    expect(snapshot.totals.slaBreaches?.total).toBe(sum((q) => q.slaBreaches?.total ?? 0));
    expect(snapshot.totals.slaBreaches?.total).toBeGreaterThan(0);
    expect(snapshot.slaThresholds).toEqual({ deliveredWithinMs: 300_000, readWithinMs: 1_800_000 });

    const again = await job.run({ window: DAY });
    expect(again).toMatchObject({ created: false, snapshot: { version: 1, contentHash: snapshot.contentHash } });
    expect(await job.get()).toEqual(snapshot);
  });

  it('stores a new version when the data changes, diffable against the previous one', async () => {
    const before = await job.get();
    // a supervisor corrects a wrap-up: ten minutes of after-call work for one agent of the day
    const truth = truthOfDay();
    const target = truth.ids
      .map((id) => sandbox.world.conversation(id)!)
      .find((c) => c.participants.some((p) => p.purpose === 'agent' && p.userId && p.endTime !== undefined && (p.wrapup?.durationSeconds ?? 0) < 600))!;
    const agent = target.participants.find((p) => p.purpose === 'agent' && p.userId && p.endTime !== undefined)!;
    const oldAcwMs = (agent.wrapup?.durationSeconds ?? 0) * 1000;
    sandbox.world.patchParticipant(target.id, agent.id, { wrapup: { code: sandbox.truth.catalog.wrapupCodes[0].id, durationSeconds: 600 } });

    const { snapshot, created, previous, diff } = await job.run({ window: DAY });
    expect(created).toBe(true);
    expect(snapshot.version).toBe(2);
    expect(previous?.version).toBe(before?.version);
    const queueId = sandbox.truth.summary(target.id)!.queueId;
    const delta = 600_000 - oldAcwMs;
    expect(diff?.totals['handle.totalMs']).toMatchObject({ before: before!.totals.handle.totalMs, delta });
    expect(diff?.queues.changed.map((c) => c.queueId)).toEqual([queueId]);
    // the live snapshot of the same correction attributes it to the same queue and agent (.messages topics: queue:{id}, user:{id})
    await until(() => liveSnapshots.some((n) => n.conversationId === target.id && n.origin === 'live'), 'the live snapshot of the correction');
    const { snapshot: live } = liveSnapshots.find((n) => n.conversationId === target.id && n.origin === 'live')!;
    expect(snapshotParties(live).queueIds).toEqual([queueId]);
    expect(snapshotParties(live).userIds).toContain(agent.userId);
    expect(live.participants.find((p) => p.id === agent.id)).toMatchObject({ userId: agent.userId, queueId });
    expect(diff?.queues.changed[0].changes['handle.totalMs'].delta).toBe(delta);
    expect(diff?.queues.added).toEqual([]);
    expect(await job.diff(1, 2)).toEqual(diff);
    expect((await store.qaSnapshots.list('daily')).map((s) => s.version)).toEqual([2, 1]);
  });

  it('refuses an empty or reversed window', async () => {
    await expect(job.run({ window: { start: DAY.end, end: DAY.start } })).rejects.toMatchObject({ code: 'INVALID_WINDOW' });
  });
});
