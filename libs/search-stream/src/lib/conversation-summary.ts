import { SearchStreamError, SearchStreamErrorCode } from './search-stream.error';

/** One conversation found by a search: enough to decide what to do with it and to fetch it. */
export interface ConversationSummary {
  conversationId: string;
  /** ISO-8601, as Genesys reported it. */
  conversationStart: string;
  /** Absent while the conversation is still going. */
  conversationEnd?: string;
  originatingDirection?: string;
  divisionIds: string[];
  /** Distinct session media types (`message`, …); details sources only. */
  mediaTypes: string[];
  /** Distinct session messenger types (`webmessaging`, `open`, …); details sources only. */
  messageTypes: string[];
  /** Distinct queues the conversation passed through; details sources only. */
  queueIds: string[];
  externalTag?: string;
  /** Participant attributes; attribute search only. */
  participants?: Array<{ participantId?: string; purpose?: string; attributes: Record<string, string> }>;
  /** Which endpoint found it. */
  source: 'details' | 'attributes';
  /** The row exactly as Genesys sent it, when the search was asked for `includeRaw`. */
  raw?: unknown;
}

/** Analytics details conversation (the parts we read). */
export interface AnalyticsConversationRow {
  conversationId?: string;
  conversationStart?: string;
  conversationEnd?: string;
  originatingDirection?: string;
  divisionIds?: string[];
  externalTag?: string;
  participants?: Array<{
    sessions?: Array<{
      mediaType?: string;
      messageType?: string;
      segments?: Array<{ queueId?: string }>;
    }>;
  }>;
}

/**
 * A row of the participant attribute search. The contract does not fix its shape; both the
 * nested form reported for Genesys (`participantData[]`) and a flat one-participant form
 * (`participantId`, `attributes`) are read.
 */
export interface AttributeSearchRow {
  conversationId?: string;
  id?: string;
  startTime?: string;
  endTime?: string;
  divisionIds?: string[];
  participantId?: string;
  attributes?: Record<string, string>;
  participantData?: Array<{
    participantId?: string;
    participantPurpose?: string;
    participantAttributes?: Record<string, string>;
  }>;
}

/** A summary plus its start instant, which ownership and de-duplication work on. */
export interface SourceRow {
  summary: ConversationSummary;
  startMs: number;
}

export function fromDetailsRow(row: AnalyticsConversationRow, includeRaw: boolean): SourceRow {
  const { id, start, startMs } = requireRow(row?.conversationId, row?.conversationStart, 'conversationId/conversationStart');
  const mediaTypes = new Set<string>();
  const messageTypes = new Set<string>();
  const queueIds = new Set<string>();
  for (const participant of row.participants ?? []) {
    for (const session of participant.sessions ?? []) {
      if (session.mediaType) mediaTypes.add(session.mediaType);
      if (session.messageType) messageTypes.add(session.messageType);
      for (const segment of session.segments ?? []) if (segment.queueId) queueIds.add(segment.queueId);
    }
  }
  const summary: ConversationSummary = {
    conversationId: id,
    conversationStart: start,
    ...(row.conversationEnd ? { conversationEnd: row.conversationEnd } : {}),
    ...(row.originatingDirection ? { originatingDirection: row.originatingDirection } : {}),
    divisionIds: row.divisionIds ?? [],
    mediaTypes: [...mediaTypes],
    messageTypes: [...messageTypes],
    queueIds: [...queueIds],
    ...(row.externalTag ? { externalTag: row.externalTag } : {}),
    source: 'details',
    ...(includeRaw ? { raw: row } : {}),
  };
  return { summary, startMs };
}

export function fromAttributeRow(row: AttributeSearchRow, includeRaw: boolean): SourceRow {
  const { id, start, startMs } = requireRow(row?.conversationId ?? row?.id, row?.startTime, 'conversationId/startTime');
  const summary: ConversationSummary = {
    conversationId: id,
    conversationStart: start,
    ...(row.endTime ? { conversationEnd: row.endTime } : {}),
    divisionIds: row.divisionIds ?? [],
    mediaTypes: [],
    messageTypes: [],
    queueIds: [],
    participants: row.participantData
      ? row.participantData.map((p) => ({
          ...(p.participantId ? { participantId: p.participantId } : {}),
          ...(p.participantPurpose ? { purpose: p.participantPurpose } : {}),
          attributes: p.participantAttributes ?? {},
        }))
      : row.participantId || row.attributes
        ? [{ ...(row.participantId ? { participantId: row.participantId } : {}), attributes: row.attributes ?? {} }]
        : [],
    source: 'attributes',
    ...(includeRaw ? { raw: row } : {}),
  };
  return { summary, startMs };
}

function requireRow(id: unknown, start: unknown, fields: string): { id: string; start: string; startMs: number } {
  const startMs = typeof start === 'string' ? Date.parse(start) : NaN;
  if (typeof id !== 'string' || id === '' || typeof start !== 'string' || !Number.isFinite(startMs)) {
    // Skipping it would silently make the stream incomplete.
    throw new SearchStreamError(
      SearchStreamErrorCode.UnexpectedResponse,
      `Genesys returned a search row without a usable ${fields} (id ${JSON.stringify(id)}, start ${JSON.stringify(start)}).`,
    );
  }
  return { id, start, startMs };
}
