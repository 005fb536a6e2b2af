import { isoString } from '../clock/sandbox-clock';
import { ConversationRecord, ParticipantRecord } from '../data/conversation-record';

export interface AnalyticsSegment {
  segmentType: 'alert' | 'interact' | 'wrapup';
  segmentStart: string;
  segmentEnd?: string;
  queueId?: string;
  wrapUpCode?: string;
  wrapUpNote?: string;
  disconnectType?: string;
  conference: boolean;
}

export interface AnalyticsSession {
  sessionId: string;
  mediaType: 'message';
  messageType: string;
  direction: 'inbound' | 'outbound';
  addressFrom: string;
  addressTo: string;
  peerId?: string;
  metrics: Array<{ name: string; value: number; emitDate: string }>;
  segments: AnalyticsSegment[];
}

export interface AnalyticsParticipant {
  participantId: string;
  participantName: string;
  purpose: string;
  userId?: string;
  sessions: AnalyticsSession[];
}

/** The analytics conversation tree (conversation → participants → sessions → segments). */
export interface AnalyticsConversation {
  conversationId: string;
  conversationStart: string;
  conversationEnd?: string;
  conversationInitiator: string;
  originatingDirection: 'inbound' | 'outbound';
  divisionIds: string[];
  evaluations?: unknown[];
  surveys?: unknown[];
  participants: AnalyticsParticipant[];
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoString(ms);
}

/** Built from participants only, so it never needs a conversation's messages. */
export function renderAnalyticsConversation(conversation: ConversationRecord): AnalyticsConversation {
  const customer = conversation.participants.find((p) => p.purpose === 'customer');
  return {
    conversationId: conversation.id,
    conversationStart: isoString(conversation.startTime),
    conversationEnd: iso(conversation.endTime),
    conversationInitiator: conversation.originatingDirection === 'inbound' ? 'external' : 'agent',
    originatingDirection: conversation.originatingDirection,
    divisionIds: [conversation.divisionId],
    participants: conversation.participants.map((p) => renderParticipant(conversation, p, customer)),
  };
}

function renderParticipant(
  conversation: ConversationRecord,
  p: ParticipantRecord,
  customer: ParticipantRecord | undefined,
): AnalyticsParticipant {
  const isCustomer = p.purpose === 'customer';
  const session: AnalyticsSession = {
    sessionId: p.communicationId,
    mediaType: 'message',
    messageType: conversation.kind,
    direction: conversation.originatingDirection,
    addressFrom: isCustomer ? conversation.customer.id : conversation.orgAddress,
    addressTo: isCustomer ? conversation.orgAddress : conversation.customer.id,
    peerId: isCustomer || !customer ? undefined : customer.communicationId,
    metrics: metricsOf(p),
    segments: segmentsOf(p),
  };
  return {
    participantId: p.id,
    participantName: p.name,
    purpose: p.purpose,
    userId: p.userId,
    sessions: [session],
  };
}

function segmentsOf(p: ParticipantRecord): AnalyticsSegment[] {
  const segments: AnalyticsSegment[] = [];
  const connected = p.connectedTime ?? p.startTime;
  if (p.startAlertingTime !== undefined && p.startAlertingTime < connected) {
    segments.push({
      segmentType: 'alert',
      segmentStart: isoString(p.startAlertingTime),
      segmentEnd: isoString(connected),
      queueId: p.queueId,
      conference: false,
    });
  }
  segments.push({
    segmentType: 'interact',
    segmentStart: isoString(connected),
    segmentEnd: iso(p.endTime),
    queueId: p.queueId,
    disconnectType: p.disconnectType,
    conference: false,
  });
  if (p.wrapup && p.endTime !== undefined) {
    segments.push({
      segmentType: 'wrapup',
      segmentStart: isoString(p.endTime),
      segmentEnd: iso(p.wrapup.endTime),
      queueId: p.queueId,
      wrapUpCode: p.wrapup.code,
      wrapUpNote: p.wrapup.notes,
      conference: false,
    });
  }
  return segments;
}

function metricsOf(p: ParticipantRecord): AnalyticsSession['metrics'] {
  const metrics: AnalyticsSession['metrics'] = [];
  const connected = p.connectedTime ?? p.startTime;
  if (p.purpose === 'acd') {
    metrics.push({ name: 'nOffered', value: 1, emitDate: isoString(p.startTime) });
    if (p.endTime !== undefined) metrics.push({ name: 'tAcd', value: p.endTime - p.startTime, emitDate: isoString(p.endTime) });
  } else if (p.purpose === 'agent') {
    if (p.startAlertingTime !== undefined) {
      metrics.push({ name: 'tAlert', value: connected - p.startAlertingTime, emitDate: isoString(connected) });
    }
    if (p.endTime !== undefined) {
      const acwMs = (p.wrapup?.durationSeconds ?? 0) * 1000;
      metrics.push({ name: 'tTalkComplete', value: p.endTime - connected, emitDate: isoString(p.endTime) });
      if (acwMs > 0) metrics.push({ name: 'tAcw', value: acwMs, emitDate: isoString(p.endTime + acwMs) });
      metrics.push({ name: 'tHandle', value: p.endTime - connected + acwMs, emitDate: isoString(p.endTime + acwMs) });
    }
  } else {
    metrics.push({ name: 'nConnected', value: 1, emitDate: isoString(connected) });
  }
  return metrics;
}
