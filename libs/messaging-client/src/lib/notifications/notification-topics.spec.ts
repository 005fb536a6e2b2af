import { NotificationsError, NotificationsErrorCode } from './notifications.error';
import { assertTopicId, parseConversationTopic, planTopicPlacement, queueConversationsTopic, userConversationsTopic } from './notification-topics';

describe('notification topics', () => {
  it('builds and parses queue and user conversation topics', () => {
    expect(queueConversationsTopic('q1')).toBe('v2.routing.queues.q1.conversations.messages');
    expect(parseConversationTopic(userConversationsTopic('u-9'))).toEqual({ topic: 'v2.users.u-9.conversations.messages', kind: 'user', entityId: 'u-9' });
    expect(parseConversationTopic('v2.routing.queues.q1.conversations')).toMatchObject({ kind: 'queue', entityId: 'q1' });
    expect(parseConversationTopic('channel.metadata')).toBeUndefined();
    expect(parseConversationTopic('v2.system.socket_closing')).toBeUndefined();
  });

  it('refuses ids that cannot be part of a topic and topics over 200 characters', () => {
    expect(() => queueConversationsTopic('a.b')).toThrow(NotificationsError);
    expect(() => userConversationsTopic('')).toThrow(/cannot be part of a topic/);
    expect(() => assertTopicId('v2.users.' + 'x'.repeat(200))).toThrow(/at most 200/);
    expect(() => assertTopicId(' ')).toThrow(/empty or contains whitespace/);
    expect(() => assertTopicId('v2.users.u1.conversations.messages')).not.toThrow();
  });

  it('fills the room on existing channels first, then opens new ones', () => {
    const topics = Array.from({ length: 7 }, (_, i) => `t${i}`);
    expect(planTopicPlacement([2, 3], topics, { maxTopicsPerChannel: 3, maxChannels: 5 })).toEqual([
      ['t0'],
      [],
      ['t1', 't2', 't3'],
      ['t4', 't5', 't6'],
    ]);
  });

  it('places 20,000 topics on exactly 20 channels of 1,000 and refuses one more, naming the limit', () => {
    const topics = Array.from({ length: 20_000 }, (_, i) => `v2.users.u${i}.conversations.messages`);
    const placement = planTopicPlacement([], topics, { maxTopicsPerChannel: 1000, maxChannels: 20 });
    expect(placement).toHaveLength(20);
    expect(placement.every((shard) => shard.length === 1000)).toBe(true);
    let error: unknown;
    try {
      planTopicPlacement([1000], topics, { maxTopicsPerChannel: 1000, maxChannels: 20 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotificationsError);
    expect((error as NotificationsError).code).toBe(NotificationsErrorCode.TooManyTopics);
    expect((error as Error).message).toContain('20 channels × 1000 topics = 20000');
  });
});
