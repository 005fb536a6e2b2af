import type { FakeConversation } from './fake-analytics-api';

export interface FakeConversationSpec {
  count: number;
  /** Window the conversations start in (epoch ms or ISO). */
  from: number | string;
  to: number | string;
  /** Longest conversation, so some span chunk boundaries (default 6 hours). */
  maxDurationMs?: number;
  seed?: number;
  messageTypes?: string[];
  queueIds?: string[];
  divisionIds?: string[];
}

/** Deterministic conversations spread over a window, for tests. */
export function fakeConversations(spec: FakeConversationSpec): FakeConversation[] {
  const from = typeof spec.from === 'string' ? Date.parse(spec.from) : spec.from;
  const to = typeof spec.to === 'string' ? Date.parse(spec.to) : spec.to;
  const maxDuration = spec.maxDurationMs ?? 6 * 3_600_000;
  const messageTypes = spec.messageTypes ?? ['webmessaging', 'open', 'sms'];
  const queueIds = spec.queueIds ?? ['queue-a', 'queue-b'];
  const divisionIds = spec.divisionIds ?? ['division-1'];
  let state = (spec.seed ?? 1) >>> 0 || 1;
  const next = () => {
    // xorshift32: small, deterministic, good enough for test data
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  const out: FakeConversation[] = [];
  for (let i = 0; i < spec.count; i++) {
    const start = from + Math.floor(next() * (to - from));
    const end = start + Math.floor(next() * maxDuration);
    out.push({
      conversationId: `c-${String(i).padStart(6, '0')}`,
      conversationStart: new Date(start).toISOString(),
      conversationEnd: new Date(end).toISOString(),
      divisionIds: [divisionIds[i % divisionIds.length]],
      originatingDirection: i % 5 === 0 ? 'outbound' : 'inbound',
      messageType: messageTypes[i % messageTypes.length],
      queueId: queueIds[i % queueIds.length],
    });
  }
  return out;
}
