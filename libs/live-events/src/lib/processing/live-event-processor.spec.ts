import { FakeClock } from '@gcm/genesys-auth/testing';
import type { BulkResult, ConversationNotification, MessageData, SnapshotParticipant } from '@gcm/messaging-client';
import type { LiveEvent } from '../events/live-event.model';
import { LiveEventProcessor, type LiveEventSink } from './live-event-processor';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Message bodies by id, as the bulk endpoint would return them. */
class FakeBodies {
  readonly bodies = new Map<string, MessageData>();
  failures = 0;
  calls = 0;
  readonly requested: string[][] = [];
  /** While set, reads wait for it (a rate-limited transport). */
  gate?: Promise<void>;

  async getMessagesBulk(_conversationId: string, ids: readonly string[]): Promise<BulkResult> {
    this.calls++;
    this.requested.push([...ids]);
    await this.gate;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('503 from the bulk endpoint');
    }
    const messages = ids.flatMap((id) => this.bodies.get(id) ?? []);
    return { messages, missingIds: ids.filter((id) => !this.bodies.has(id)) };
  }
}

function notification(
  at: number,
  agentMessages: Array<{ id: string; status: string; time: number }>,
  customerMessages: Array<{ id: string; time: number }> = [],
  agent: { held?: boolean } = {},
): ConversationNotification {
  const participants: SnapshotParticipant[] = [
    { id: 'cust', purpose: 'customer', state: 'connected', messages: customerMessages.map((m) => ({ id: m.id, status: 'received', time: iso(m.time) })) },
    { id: 'agent', purpose: 'agent', userId: 'u1', queueId: 'q1', state: 'connected', ...agent, messages: agentMessages.map((m) => ({ id: m.id, status: m.status, time: iso(m.time) })) },
  ];
  return { conversationId: 'c1', origin: 'live', snapshot: { conversationId: 'c1', participants }, receivedAt: at };
}

function outbound(id: string, sentAt: number, receipts: Array<{ status: string; time: number }> = [], status = 'sent'): MessageData {
  return {
    id,
    timestamp: iso(sentAt),
    direction: 'outbound',
    messengerType: 'webmessaging',
    status,
    normalizedMessage: { type: 'Text', text: `text of ${id}` },
    normalizedReceipts: receipts.map((r) => ({ status: r.status, channel: { time: iso(r.time) } })),
  } as MessageData;
}

describe('LiveEventProcessor', () => {
  let clock: FakeClock;
  let bodies: FakeBodies;
  let processor: LiveEventProcessor;
  let sinkWrites: LiveEvent[][];
  let failWrites: number;

  beforeEach(() => {
    clock = new FakeClock(T0);
    bodies = new FakeBodies();
    sinkWrites = [];
    failWrites = 0;
    const sink: LiveEventSink = {
      name: 'memory',
      write: async (events) => {
        if (failWrites > 0) {
          failWrites--;
          throw new Error('database is down');
        }
        sinkWrites.push([...events]);
      },
    };
    processor = new LiveEventProcessor({ bodies, sinks: [sink], clock, sleep: clock.sleep, random: () => 0.5, announceSince: T0 });
  });

  afterEach(() => processor.close());

  const types = (events: LiveEvent[]) => events.map((e) => e.type);

  it('announces a new message with its body, then its receipts, and a late delivery as an SLA breach', async () => {
    bodies.bodies.set('m1', outbound('m1', T0 + 1_000));
    const first = await processor.process(notification(T0 + 1_000, [{ id: 'm1', status: 'sent', time: T0 + 1_000 }]));
    expect(types(first)).toEqual(['participant.joined', 'participant.joined', 'message.sent']);
    const message = first[2];
    expect(message).toMatchObject({ id: 'c1:message:m1', message: { text: 'text of m1', direction: 'outbound', timestamp: iso(T0 + 1_000) }, queueIds: ['q1'] });

    // delivered 6 minutes after sending: over the 5-minute threshold
    clock.set(T0 + 400_000);
    bodies.bodies.set('m1', outbound('m1', T0 + 1_000, [{ status: 'Delivered', time: T0 + 361_000 }], 'delivery-success'));
    const second = await processor.process(notification(T0 + 400_000, [{ id: 'm1', status: 'delivery-success', time: T0 + 1_000 }]));
    expect(second.map((e) => e.id)).toEqual(['c1:receipt:m1:Delivered', 'c1:sla:m1:delivered-late']);
    expect(second[1]).toMatchObject({ kind: 'delivered-late', latencyMs: 360_000, thresholdMs: 300_000 });

    // the same snapshot again changes nothing
    expect(await processor.process(notification(T0 + 401_000, [{ id: 'm1', status: 'delivery-success', time: T0 + 1_000 }]))).toEqual([]);
    expect(sinkWrites.flat().map((e) => e.id)).toEqual([...first, ...second].map((e) => e.id));
  });

  it('finds deliveries that never came, once', async () => {
    bodies.bodies.set('m1', outbound('m1', T0));
    await processor.process(notification(T0, [{ id: 'm1', status: 'sent', time: T0 }]));
    clock.set(T0 + 200_000);
    expect(await processor.checkSla()).toEqual([]);
    clock.set(T0 + 301_000);
    const [breach] = await processor.checkSla();
    expect(breach).toMatchObject({ type: 'receipt.sla.breached', kind: 'delivery-missing', latencyMs: 301_000 });
    clock.set(T0 + 900_000);
    expect(await processor.checkSla()).toEqual([]);
  });

  it('holds the watermark while a sink write is failing and retries it until it lands', async () => {
    failWrites = 2;
    bodies.bodies.set('m1', outbound('m1', T0 + 5));
    const processing = processor.process(notification(T0 + 5, [{ id: 'm1', status: 'sent', time: T0 + 5 }]));
    expect(processor.watermark()).toBe(T0 + 4);
    const events = await processing;
    expect(clock.sleeps).toHaveLength(2);
    expect(sinkWrites).toEqual([events]);
    expect(processor.watermark()).toBe(clock.now());
  });

  it('announces a message without its body when the body cannot be read', async () => {
    bodies.failures = 10;
    const events = await processor.process(notification(T0, [], [{ id: 'in1', time: T0 + 1 }]));
    expect(bodies.calls).toBe(5);
    expect(events.find((e) => e.type === 'message.received')).toMatchObject({ message: { id: 'in1', direction: 'inbound', bodyMissing: true } });
  });

  it('does not replay what was there before it started', async () => {
    bodies.bodies.set('old', outbound('old', T0 - 60_000, [{ status: 'Read', time: T0 - 30_000 }], 'read'));
    const events = await processor.process(notification(T0, [{ id: 'old', status: 'read', time: T0 - 60_000 }]));
    expect(types(events)).toEqual(['participant.joined', 'participant.joined']);
  });

  it('with readBodies off, announces messages without text and receipts from the status, reading nothing', async () => {
    processor.close();
    processor = new LiveEventProcessor({ bodies, clock, sleep: clock.sleep, announceSince: T0, readBodies: false });
    const first = await processor.process(notification(T0 + 1, [{ id: 'm1', status: 'sent', time: T0 + 1 }]));
    expect(first.find((e) => e.type === 'message.sent')).toMatchObject({ message: { id: 'm1', direction: 'outbound', bodySkipped: true } });
    const second = await processor.process(notification(T0 + 60_000, [{ id: 'm1', status: 'delivery-success', time: T0 + 1 }]));
    expect(second).toEqual([expect.objectContaining({ id: 'c1:receipt:m1:Delivered', source: 'status', occurredAt: iso(T0 + 60_000) })]);
    expect(bodies.calls).toBe(0);
    clock.set(T0 + 400_000);
    expect(await processor.checkSla()).toEqual([]);
  });

  it('merges the snapshots that wait behind a slow one: every fact once, in order, one body read for all of them', async () => {
    bodies.bodies.set('m1', outbound('m1', T0 + 1));
    let open!: () => void;
    bodies.gate = new Promise((resolve) => (open = resolve));
    const first = processor.process(notification(T0 + 1, [{ id: 'm1', status: 'sent', time: T0 + 1 }]));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(bodies.requested).toEqual([['m1']]);
    // while m1's body is being read: held, resumed, held again, and two more messages
    for (const id of ['m2', 'm3']) bodies.bodies.set(id, outbound(id, T0 + 10));
    const later = [
      processor.process(notification(T0 + 2, [{ id: 'm1', status: 'sent', time: T0 + 1 }], [], { held: true })),
      processor.process(notification(T0 + 3, [{ id: 'm1', status: 'sent', time: T0 + 1 }, { id: 'm2', status: 'sent', time: T0 + 10 }], [], { held: false })),
      processor.process(notification(T0 + 4, [{ id: 'm1', status: 'sent', time: T0 + 1 }, { id: 'm2', status: 'sent', time: T0 + 10 }, { id: 'm3', status: 'sent', time: T0 + 10 }], [], { held: true })),
    ];
    // the three wait as one batch: one promise, and the watermark stays before the first
    expect(new Set(later).size).toBe(1);
    expect(processor.pendingConversations).toBe(1);
    expect(processor.watermark()).toBe(T0);
    bodies.gate = undefined;
    open();
    expect(types(await first)).toEqual(['participant.joined', 'participant.joined', 'message.sent']);
    const merged = await later[0];
    expect(merged.map((e) => e.id)).toEqual([
      'c1:participant:agent:held#1',
      'c1:participant:agent:unheld#1',
      'c1:participant:agent:held#2',
      'c1:message:m2',
      'c1:message:m3',
    ]);
    // m1 alone, then m2 and m3 together
    expect(bodies.requested).toEqual([['m1'], ['m2', 'm3']]);
    expect(sinkWrites.flat()).toHaveLength(8);
    await processor.drain();
    expect(processor.pendingConversations).toBe(0);
    expect(processor.watermark()).toBe(clock.now());
  });
});
