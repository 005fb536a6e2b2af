import { firstValueFrom, take, toArray } from 'rxjs';
import { LiveEventsErrorCode } from '../live-events.error';
import { LiveEventHub } from './live-event-hub';
import { matchesFilter, type LiveEvent } from './live-event.model';

function event(id: string, conversationId: string | undefined, queueIds: string[], type: LiveEvent['type'] = 'message.received'): LiveEvent {
  const base = { id, conversationId, queueIds, occurredAt: '2026-01-01T00:00:00.000Z', observedAt: '2026-01-01T00:00:00.000Z', origin: 'live' as const };
  if (type === 'stream.channel') return { ...base, type, conversationId: undefined, change: 'dropped', channelId: 'ch' };
  return { ...base, type: 'message.received', message: { id, direction: 'inbound', timestamp: base.occurredAt, participantId: 'p', attachments: [] } };
}

describe('live event filters and the hub', () => {
  it('matches by queue or conversation, and stream events only when asked for', () => {
    const inQ1 = event('a', 'c1', ['q1']);
    const stream = event('s', undefined, [], 'stream.channel');
    expect(matchesFilter(inQ1, {})).toBe(true);
    expect(matchesFilter(inQ1, { queueIds: ['q1'] })).toBe(true);
    expect(matchesFilter(inQ1, { queueIds: ['q2'] })).toBe(false);
    expect(matchesFilter(inQ1, { queueIds: ['q2'], conversationIds: ['c1'] })).toBe(true);
    expect(matchesFilter(inQ1, { types: ['message.sent'] })).toBe(false);
    expect(matchesFilter(stream, {})).toBe(true);
    expect(matchesFilter(stream, { queueIds: ['q1'] })).toBe(false);
    expect(matchesFilter(stream, { queueIds: ['q1'], types: ['stream.channel', 'message.received'] })).toBe(true);
  });

  it('gives each subscriber its own filtered stream, and ends them on close', async () => {
    const hub = new LiveEventHub();
    const q1 = hub.events({ queueIds: ['q1'] });
    const all = hub.events();
    hub.publish([event('a', 'c1', ['q1']), event('b', 'c2', ['q2']), event('c', 'c3', ['q1', 'q2'])]);
    hub.close();
    const read = async (it: AsyncIterable<LiveEvent>) => {
      const ids: string[] = [];
      for await (const e of it) ids.push(e.id);
      return ids;
    };
    expect(await read(q1)).toEqual(['a', 'c']);
    expect(await read(all)).toEqual(['a', 'b', 'c']);
    expect(hub.subscriberCount).toBe(0);
  });

  it('drops a subscriber that falls too far behind instead of buffering without bound', async () => {
    const hub = new LiveEventHub();
    const slow = hub.events({}, { maxBuffered: 2 });
    hub.publish([event('a', 'c', []), event('b', 'c', []), event('c', 'c', [])]);
    expect(hub.subscriberCount).toBe(0);
    expect((await slow.next()).value?.id).toBe('a');
    expect((await slow.next()).value?.id).toBe('b');
    await expect(slow.next()).rejects.toMatchObject({ code: LiveEventsErrorCode.SubscriberOverflow });
  });

  it('unsubscribes on break and on abort', async () => {
    const hub = new LiveEventHub();
    const controller = new AbortController();
    const aborted = hub.events({}, { signal: controller.signal });
    const broken = hub.events();
    expect(hub.subscriberCount).toBe(2);
    controller.abort();
    expect((await aborted.next()).done).toBe(true);
    hub.publish([event('a', 'c', [])]);
    for await (const e of broken) {
      expect(e.id).toBe('a');
      break;
    }
    expect(hub.subscriberCount).toBe(0);
  });

  it('is an rxjs Observable too; unsubscribing detaches it', async () => {
    const hub = new LiveEventHub();
    const two = firstValueFrom(hub.events$({ conversationIds: ['c2'] }).pipe(take(2), toArray()));
    hub.publish([event('a', 'c1', []), event('b', 'c2', []), event('c', 'c2', []), event('d', 'c2', [])]);
    expect((await two).map((e) => e.id)).toEqual(['b', 'c']);
    expect(hub.subscriberCount).toBe(0);
  });
});
