import type { ConversationSnapshot, SnapshotParticipant } from '@gcm/messaging-client';
import { ConversationTracker } from './conversation-tracker';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

function snapshot(participants: Array<Partial<SnapshotParticipant> & { id: string }>): ConversationSnapshot {
  return { conversationId: 'c1', participants: participants.map((p) => ({ messages: [], ...p })) };
}

describe('ConversationTracker', () => {
  it('turns snapshot changes into participant events once, whatever repeats', () => {
    const tracker = new ConversationTracker('c1', T0, () => T0);
    const first = snapshot([
      { id: 'cust', purpose: 'customer', state: 'connected' },
      { id: 'agent', purpose: 'agent', userId: 'u1', queueId: 'q1', state: 'alerting' },
    ]);
    expect(tracker.apply(first, 'live', T0).events.map((e) => e.id)).toEqual(['c1:participant:cust:joined', 'c1:participant:agent:joined']);
    expect(tracker.apply(first, 'live', T0 + 1).events).toEqual([]);

    const connected = snapshot([
      { id: 'cust', purpose: 'customer', state: 'connected' },
      { id: 'agent', purpose: 'agent', userId: 'u1', queueId: 'q1', state: 'connected', connectedTime: '2026-03-01T10:00:05.000Z', held: true },
    ]);
    const events = tracker.apply(connected, 'live', T0 + 10_000).events;
    expect(events.map((e) => [e.type, e.id])).toEqual([
      ['participant.state.changed', 'c1:participant:agent:state:connected#1'],
      ['participant.held', 'c1:participant:agent:held#1'],
    ]);
    // the agent's own connectedTime, not the observation time
    expect(events[0].occurredAt).toBe('2026-03-01T10:00:05.000Z');
    expect(events[0].queueIds).toEqual(['q1']);
  });

  it('reports an impossible move but follows Genesys', () => {
    const tracker = new ConversationTracker('c1', T0, () => T0);
    tracker.apply(snapshot([{ id: 'a', state: 'disconnected' }]), 'live', T0);
    const [event] = tracker.apply(snapshot([{ id: 'a', state: 'connected' }]), 'live', T0 + 1).events;
    expect(event).toMatchObject({ type: 'participant.state.changed', from: 'disconnected', to: 'connected', violation: { code: 'illegal-transition' } });
    expect(tracker.statuses()[0].state).toBe('connected');
  });

  it('lists messages newer than its start as new and older ones as known', () => {
    const tracker = new ConversationTracker('c1', T0, () => T0);
    const delta = tracker.apply(
      snapshot([
        {
          id: 'agent',
          purpose: 'agent',
          state: 'connected',
          messages: [
            { id: 'old', status: 'read', time: '2026-03-01T09:00:00.000Z' },
            { id: 'new', status: 'sent', time: '2026-03-01T10:00:01.000Z' },
          ],
        },
      ]),
      'live',
      T0 + 1_000,
    );
    expect(delta.newMessages.map((m) => m.id)).toEqual(['new']);
    // an older message whose receipts may be newer than the start is read, not announced
    expect(delta.statusChanged.map((m) => m.id)).toEqual(['old']);
  });

  it('treats a conversation first seen after it ended as history', () => {
    const tracker = new ConversationTracker('c1', T0, () => T0);
    const ended = snapshot([
      { id: 'cust', purpose: 'customer', state: 'disconnected', endTime: '2026-03-01T09:50:00.000Z' },
      { id: 'agent', purpose: 'agent', state: 'disconnected', endTime: '2026-03-01T09:50:00.000Z' },
    ]);
    const delta = tracker.apply(ended, 'backfill', T0 + 5_000);
    expect(delta.events).toEqual([]);
    expect(delta.ended).toBe(false);
    expect(tracker.ended).toBe(true);
  });

  it('ends a conversation once when every participant has left', () => {
    const tracker = new ConversationTracker('c1', T0, () => T0);
    tracker.apply(snapshot([{ id: 'a', state: 'connected' }, { id: 'b', state: 'connected' }]), 'live', T0 + 1);
    expect(tracker.apply(snapshot([{ id: 'a', state: 'disconnected' }, { id: 'b', state: 'connected' }]), 'live', T0 + 2).ended).toBe(false);
    expect(tracker.apply(snapshot([{ id: 'a', state: 'disconnected' }, { id: 'b', state: 'disconnected' }]), 'live', T0 + 3).ended).toBe(true);
    expect(tracker.apply(snapshot([{ id: 'a', state: 'disconnected' }, { id: 'b', state: 'terminated' }]), 'live', T0 + 4).ended).toBe(false);
  });
});
