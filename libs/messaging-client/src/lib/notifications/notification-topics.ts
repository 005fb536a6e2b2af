import { NotificationsError, NotificationsErrorCode } from './notifications.error';

/** Topics per channel (`MAX_SUBSCRIBABLE_TOPICS` of the streaming client, genesys-api.md §5). */
export const MAX_TOPICS_PER_CHANNEL = 1000;
/** Channels per user and OAuth client; a 21st evicts the least recently used one. */
export const MAX_CHANNELS = 20;
/** Longest topic id Genesys accepts. */
export const MAX_TOPIC_LENGTH = 200;

const CONVERSATION_TOPIC = /^v2\.(routing\.queues|users)\.([^.?&\s]+)\.conversations(\.messages)?$/;

/** `v2.routing.queues.{id}.conversations.messages`: message conversations routed through a queue. */
export function queueConversationsTopic(queueId: string): string {
  return `v2.routing.queues.${requireId(queueId, 'queueId')}.conversations.messages`;
}

/** `v2.users.{id}.conversations.messages`: message conversations a user takes part in. */
export function userConversationsTopic(userId: string): string {
  return `v2.users.${requireId(userId, 'userId')}.conversations.messages`;
}

export interface ConversationTopic {
  topic: string;
  kind: 'queue' | 'user';
  /** The queue or user id. */
  entityId: string;
}

/** Parses a conversation topic; undefined for anything else (control topics, other domains). */
export function parseConversationTopic(topic: string): ConversationTopic | undefined {
  const match = CONVERSATION_TOPIC.exec(topic);
  if (!match) return undefined;
  return { topic, kind: match[1] === 'users' ? 'user' : 'queue', entityId: match[2] };
}

/** Throws INVALID_TOPIC for an id Genesys would refuse before judging it. */
export function assertTopicId(topic: string): void {
  if (typeof topic !== 'string' || topic.trim() === '' || /\s/.test(topic)) {
    throw new NotificationsError(NotificationsErrorCode.InvalidTopic, `Topic ${JSON.stringify(topic)} is empty or contains whitespace.`);
  }
  if (topic.length > MAX_TOPIC_LENGTH) {
    throw new NotificationsError(
      NotificationsErrorCode.InvalidTopic,
      `Topic ${topic.slice(0, 40)}… is ${topic.length} characters; Genesys accepts at most ${MAX_TOPIC_LENGTH}.`,
    );
  }
}

/**
 * Places new topics on channels: first into the room left on existing channels (in their
 * order), then onto as many new channels as needed. Returns, per channel slot, the topics
 * to add; slots past `existing` are new channels. Throws TOO_MANY_TOPICS, naming the
 * numbers, when the topics cannot fit in `maxChannels × maxTopicsPerChannel`.
 */
export function planTopicPlacement(
  existing: readonly number[],
  topics: readonly string[],
  limits: { maxTopicsPerChannel: number; maxChannels: number },
): string[][] {
  const placement: string[][] = existing.map(() => []);
  const room = existing.map((used) => Math.max(0, limits.maxTopicsPerChannel - used));
  let next = 0;
  for (const topic of topics) {
    while (next < room.length && room[next] === 0) next++;
    if (next === room.length) {
      if (room.length >= limits.maxChannels) {
        const capacity = limits.maxChannels * limits.maxTopicsPerChannel;
        const used = existing.reduce((a, b) => a + b, 0);
        throw new NotificationsError(
          NotificationsErrorCode.TooManyTopics,
          `Cannot subscribe ${topics.length} more topics: ${used} are already subscribed and the limit is ` +
            `${limits.maxChannels} channels × ${limits.maxTopicsPerChannel} topics = ${capacity}. ` +
            'Subscribe to queues instead of individual users, or run another OAuth client.',
        );
      }
      placement.push([]);
      room.push(limits.maxTopicsPerChannel);
    }
    placement[next].push(topic);
    room[next]--;
  }
  return placement;
}

function requireId(id: string, field: string): string {
  if (typeof id !== 'string' || !/^[^.?&\s]+$/.test(id)) {
    throw new NotificationsError(NotificationsErrorCode.InvalidTopic, `${field} ${JSON.stringify(id)} cannot be part of a topic (no dots, spaces, ? or &).`);
  }
  return id;
}
