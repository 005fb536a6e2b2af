import WebSocket from 'ws';
import { createGenesysConnection } from '@gcm/genesys-auth';
import { ManualClock, SandboxWorkload, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { manualClockTime } from '../testing';
import type { LiveEvent, MessageEvent, ReceiptReceivedEvent, ReceiptSlaBreachedEvent } from './events/live-event.model';
import { LiveEvents } from './live-events.service';
import { seededRandom, settle, until } from './test/event-loop';

/**
 * The acceptance run: 1,000 conversation changes in the sandbox, with every channel socket
 * dropped in the middle (changes made while nobody listens) and every channel rolled over
 * later (changes made while old and new channels both listen). Every change must come out
 * exactly once, and the participant states at the end must equal the sandbox's truth.
 * One ManualClock drives both sides; nothing waits on a real timer.
 */
const NOW = '2026-03-01T09:00:00.000Z';
const CHANGES = 1_000;

interface Expected {
  kind: string;
  to?: string;
}

describe('LiveEvents against the sandbox: 1,000 changes, a socket drop and a rollover', () => {
  jest.setTimeout(60_000);

  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let live: LiveEvents;
  const events: LiveEvent[] = [];
  const failures: string[] = [];
  let framesReceived = 0;
  /** Frames the sandbox sent into sockets it then dropped: they never arrive. */
  let framesLost = 0;
  let conversationFrames = 0;

  beforeAll(async () => {
    clock = new ManualClock(NOW);
    sandbox = await startSandbox({ seed: 5, conversations: 300, days: 10, now: NOW, clock });
    const time = manualClockTime(clock);
    const random = seededRandom(17);
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock: time.clock, sleep: time.sleep, random },
    });
    live = LiveEvents.create({
      transport,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
      channels: {
        // 30 topics on 3 channels: a conversation's queue and its agent's user topic often sit on different ones
        maxTopicsPerChannel: 10,
        webSocketFactory: (url) => {
          const socket = new WebSocket(url);
          socket.on('message', (data) => {
            framesReceived++;
            if (!String(data).includes('"topicName":"channel.metadata"')) conversationFrames++;
          });
          return socket;
        },
      },
    });
    await live.start();
    live.manager.on('failure', (f) => failures.push(`${f.operation}: ${f.error.message}`));
    (async () => {
      for await (const event of live.events()) events.push(event);
    })().catch(() => undefined);
  });

  afterAll(async () => {
    await live?.close();
    await sandbox?.close();
  });

  /** Waits until no frame has arrived for 100 event-loop turns (nothing is on the wire any more). */
  async function quiet(): Promise<void> {
    for (let still = 0, last = framesReceived; still < 100; still = framesReceived === last ? still + 1 : 0, last = framesReceived) {
      await settle(1);
    }
  }

  /** Lets every frame the sandbox sent arrive, then every snapshot be processed. */
  async function caughtUp(): Promise<void> {
    await until(() => framesReceived + framesLost === sandbox.stats.snapshot().sockets.notifications.framesOut, 'the frames to arrive');
    await live.idle();
  }

  it('delivers every change exactly once and ends with the participant states of the truth', async () => {
    const catalog = sandbox.truth.catalog;
    const follow = await live.follow({ queueIds: catalog.queues.map((q) => q.id), userIds: catalog.agents.map((a) => a.id) });
    expect(follow.permitted).toHaveLength(30);
    expect(live.manager.channels()).toHaveLength(3);

    // generated conversations still going at "now" join the workload (their history is not replayed)
    const ongoing = sandbox.truth
      .conversationIds()
      .filter((id) => sandbox.truth.conversation(id)?.endTime === undefined)
      .filter((id) => sandbox.truth.conversation(id)?.participants.some((p) => p.purpose === 'agent' && p.userId && p.state === 'connected'))
      .slice(0, 10);
    expect(ongoing.length).toBeGreaterThan(3);
    const workload = new SandboxWorkload(sandbox, seededRandom(99), ongoing);

    // what each participant went through, as the world saw it after every change
    const expected = new Map<string, Expected[]>();
    const lastSeen = new Map<string, { state: string; held: boolean; wrapup?: string }>();
    sandbox.world.on('conversation.changed', (change) => {
      for (const p of sandbox.world.conversation(change.conversationId)?.participants ?? []) {
        const now = { state: p.state, held: p.held, wrapup: p.wrapup?.code };
        const before = lastSeen.get(p.id);
        const list = expected.get(p.id) ?? [];
        if (!before) list.push({ kind: 'joined', to: now.state });
        else {
          if (before.state !== now.state) list.push({ kind: 'state', to: now.state });
          if (before.held !== now.held) list.push({ kind: now.held ? 'held' : 'resumed' });
          if (before.wrapup !== now.wrapup && now.wrapup) list.push({ kind: 'wrapup', to: now.wrapup });
        }
        if (!before && now.held) list.push({ kind: 'held' });
        if (!before && now.wrapup) list.push({ kind: 'wrapup', to: now.wrapup });
        expected.set(p.id, list);
        lastSeen.set(p.id, now);
      }
    });

    const runUntil = async (changes: number) => {
      while (workload.changeCount < changes) {
        workload.step();
        clock.advance(1_000);
        if (workload.changeCount % 10 === 0) await caughtUp();
      }
      await caughtUp();
    };

    // ── the first 400 changes, live ──
    await runUntil(400);

    // ── a forced drop of every socket; changes while nobody listens ──
    const dropped = () => events.filter((e) => e.type === 'stream.channel' && e.change === 'dropped').length;
    expect(sandbox.notifications.dropSockets()).toBe(3);
    await until(() => dropped() === 3, 'the drops to be noticed');
    await quiet();
    framesLost = sandbox.stats.snapshot().sockets.notifications.framesOut - framesReceived;
    const droppedAt = clock.now();
    workload.beginGap();
    const gapStart = workload.changeCount;
    while (workload.changeCount < gapStart + 40) {
      workload.step();
      clock.advance(100);
    }
    workload.endGap();
    // a resume point saved now must not pass the gap, or a crash would lose what it hides
    expect(live.watermark()).toBeLessThan(droppedAt);
    clock.advance(1_000); // the reconnect backoff
    await until(() => events.filter((e) => e.type === 'gap.backfilled').length === 3, 'the three backfills');
    await caughtUp();
    const gaps = events.filter((e) => e.type === 'gap.backfilled');
    expect(gaps.every((g) => g.type === 'gap.backfilled' && g.failed === 0)).toBe(true);
    expect(events.filter((e) => e.type === 'stream.channel' && e.change === 'reconnected')).toHaveLength(3);
    expect(live.watermark()).toBe(clock.now());

    // ── more live changes, then a forced rollover of every channel with changes during it ──
    await runUntil(700);
    const before = live.manager.channels().map((c) => c.channelId);
    const rolling = live.manager.rollover();
    let finished = false;
    void rolling.then(() => (finished = true));
    while (!finished) {
      workload.step();
      clock.advance(200);
      await settle(3);
    }
    await rolling;
    // frames the sandbox wrote into old sockets after we closed them never arrive; the new
    // channels carried the same changes
    await quiet();
    framesLost = sandbox.stats.snapshot().sockets.notifications.framesOut - framesReceived;
    const rolled = events.filter((e) => e.type === 'stream.channel' && e.change === 'rolled-over');
    expect(rolled).toHaveLength(3);
    const after = live.manager.channels().map((c) => c.channelId);
    expect(after.filter((id) => before.includes(id))).toEqual([]);

    await runUntil(CHANGES);
    clock.advance(30_000); // one more SLA round
    await settle(5);
    await caughtUp();

    const log = workload.log;
    expect(log.changes.length).toBeGreaterThanOrEqual(CHANGES);
    expect(Object.values(log.operations).every((n) => n > 0)).toBe(true);

    // ── nothing twice ──
    const conversationEvents = events.filter((e) => e.conversationId !== undefined);
    const ids = conversationEvents.map((e) => e.id);
    expect(ids.length - new Set(ids).size).toBe(0);
    // the sockets did deliver duplicates (queue + user topics, the rollover's overlap): they were dropped
    expect(conversationFrames).toBeGreaterThan(log.changes.length);

    // ── every message exactly once, with its text ──
    const messageEvents = conversationEvents.filter((e): e is MessageEvent => e.type === 'message.received' || e.type === 'message.sent');
    expect(messageEvents).toHaveLength(log.messages.size);
    for (const event of messageEvents) {
      const made = log.messages.get(event.message.id);
      expect(made).toBeDefined();
      expect(event.message.text).toBe(made?.text);
      expect(event.message.direction).toBe(made?.direction);
      expect(event.type).toBe(made?.direction === 'inbound' ? 'message.received' : 'message.sent');
    }

    // ── every receipt exactly once ──
    const receiptEvents = conversationEvents.filter((e): e is ReceiptReceivedEvent => e.type === 'receipt.received');
    expect(receiptEvents.map((e) => `${e.messageId}:${e.status}`).sort()).toEqual([...log.receipts.keys()].sort());
    expect(receiptEvents.every((e) => e.source === 'receipt')).toBe(true);

    // ── SLA: late deliveries reported once each, with the latency the receipts show ──
    const breaches = conversationEvents.filter((e): e is ReceiptSlaBreachedEvent => e.type === 'receipt.sla.breached');
    const late = breaches.filter((b) => b.kind === 'delivered-late');
    for (const breach of late) {
      const sentAt = log.messages.get(breach.messageId)!.sentAt;
      expect(breach.latencyMs).toBe(log.receipts.get(`${breach.messageId}:Delivered`)! - sentAt);
      expect(breach.latencyMs).toBeGreaterThan(breach.thresholdMs);
    }
    const expectedLate = [...log.receipts].filter(([key, at]) => key.endsWith(':Delivered') && at - log.messages.get(key.split(':')[0])!.sentAt > 300_000);
    expect(late).toHaveLength(expectedLate.length);
    expect(breaches.some((b) => b.kind === 'delivery-missing')).toBe(true);

    // ── participants: exactly the transitions the world went through, and the same final states ──
    for (const [participantId, expectedList] of expected) {
      const actual = conversationEvents
        .filter((e) => 'participant' in e && e.participant.participantId === participantId)
        .map((e): Expected => {
          switch (e.type) {
            case 'participant.joined':
              return { kind: 'joined', to: e.participant.state };
            case 'participant.state.changed':
              return { kind: 'state', to: e.to };
            case 'participant.wrapup':
              return { kind: 'wrapup', to: e.wrapupCode };
            default:
              return { kind: e.type === 'participant.held' ? 'held' : 'resumed' };
          }
        });
      expect({ participantId, transitions: actual }).toEqual({ participantId, transitions: expectedList });
    }
    let compared = 0;
    for (const conversationId of log.conversations) {
      const truth = sandbox.truth.conversation(conversationId)!;
      const states = Object.fromEntries((live.participants(conversationId) ?? []).map((s) => [s.participantId, s.state]));
      expect(states).toEqual(Object.fromEntries(truth.participants.map((p) => [p.id, p.state])));
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    expect(failures).toEqual([]);
    const endedInTruth = [...log.conversations].filter((id) => sandbox.truth.conversation(id)?.endTime !== undefined);
    expect(conversationEvents.filter((e) => e.type === 'conversation.ended').map((e) => e.conversationId).sort()).toEqual(endedInTruth.sort());
  });
});
