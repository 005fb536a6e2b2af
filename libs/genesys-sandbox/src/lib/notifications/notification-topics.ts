import type { WorldCatalog } from '../data/world-catalog';

/** Topics per channel ([STREAM] MAX_SUBSCRIBABLE_TOPICS). */
export const MAX_TOPICS_PER_CHANNEL = 1000;
/** Longest topic id accepted ([STREAM]). */
export const MAX_TOPIC_LENGTH = 200;

export type TopicKind = 'queue' | 'user';

/** A topic the sandbox publishes on, with its parameter resolved. */
export interface ParsedTopic {
  id: string;
  kind: TopicKind;
  /** The queue or user id in the topic. */
  entityId: string;
  /** `.conversations.messages` (message snapshots) or `.conversations` (same snapshot, all media). */
  messagesOnly: boolean;
}

export type TopicVerdict = { state: 'Permitted'; topic: ParsedTopic } | { state: 'Rejected'; id: string; rejectionReason: string };

const TOPIC_PATTERN = /^v2\.(routing\.queues|users)\.([^.?&\s]+)\.conversations(\.messages)?$/;

/** What `GET /api/v2/notifications/availabletopics` lists: the topics the sandbox publishes. */
export const AVAILABLE_TOPICS = [
  {
    id: 'v2.routing.queues.{id}.conversations.messages',
    description: 'Message conversations routed through a queue: a snapshot of the conversation (no message text) on every change.',
    requiresPermissions: ['routing:queue:view'],
  },
  {
    id: 'v2.routing.queues.{id}.conversations',
    description: 'Conversations routed through a queue (the sandbox only has message conversations).',
    requiresPermissions: ['routing:queue:view'],
  },
  {
    id: 'v2.users.{id}.conversations.messages',
    description: 'Message conversations a user takes part in: a snapshot of the conversation (no message text) on every change.',
    requiresPermissions: [],
  },
  {
    id: 'v2.users.{id}.conversations',
    description: 'Conversations a user takes part in (the sandbox only has message conversations).',
    requiresPermissions: [],
  },
].map((t) => ({
  ...t,
  requiresDivisionPermissions: false,
  enforced: false,
  visibility: 'Public',
  topicParameters: ['id'],
  transports: ['All'],
}));

/**
 * Expands the combined form `prefix?a&b` into `prefix.a` and `prefix.b` ([STREAM]); other
 * topics come back as they are.
 */
export function expandTopic(id: string): string[] {
  const q = id.indexOf('?');
  if (q < 0) return [id];
  const prefix = id.slice(0, q);
  const suffixes = id.slice(q + 1).split('&');
  return suffixes.map((suffix) => (suffix ? `${prefix}.${suffix}` : id));
}

/** Decides one (expanded) topic: malformed or unknown topics and unknown queue/user ids are Rejected. */
export function judgeTopic(id: string, catalog: WorldCatalog): TopicVerdict {
  if (id.length === 0 || id.length > MAX_TOPIC_LENGTH) {
    return { state: 'Rejected', id, rejectionReason: `Topic ids are 1 to ${MAX_TOPIC_LENGTH} characters long.` };
  }
  const match = TOPIC_PATTERN.exec(id);
  if (!match) {
    return { state: 'Rejected', id, rejectionReason: 'The topic is malformed or not available; see GET /api/v2/notifications/availabletopics.' };
  }
  const kind: TopicKind = match[1] === 'users' ? 'user' : 'queue';
  const entityId = match[2];
  const known = kind === 'queue' ? catalog.queues.some((q) => q.id === entityId) : catalog.agents.some((a) => a.id === entityId);
  if (!known) {
    return { state: 'Rejected', id, rejectionReason: `The ${kind === 'queue' ? 'queue' : 'user'} ${entityId} does not exist.` };
  }
  return { state: 'Permitted', topic: { id, kind, entityId, messagesOnly: match[3] !== undefined } };
}
