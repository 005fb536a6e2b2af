import { assessReceiptSla, toArchiveRecord, type ArchiveRecord, type ArchiveRecordOptions, type ReceiptSlaOptions, type Timeline } from '@gcm/history-timeline';

/**
 * The archive record of a timeline, as a function of the conversation alone. HistorySync
 * evaluates receipt SLAs at sync time, so a message still waiting for delivery reports a
 * wait that grows with every sync and the record hash changes although the conversation
 * did not. Here the SLA is evaluated as of the conversation's end, or — while it is still
 * going — as of the end of the window being archived: the same conversation then always
 * gives the same record, and re-archiving it writes nothing.
 */
export function buildArchiveRecord(
  timeline: Timeline,
  ongoingAsOfMs: number,
  options: { record?: ArchiveRecordOptions; sla?: ReceiptSlaOptions } = {},
): ArchiveRecord {
  const endMs = timeline.conversation.endTime === undefined ? NaN : Date.parse(timeline.conversation.endTime);
  const asOfMs = Number.isFinite(endMs) ? endMs : ongoingAsOfMs;
  return toArchiveRecord({ ...timeline, sla: assessReceiptSla(timeline.messages, asOfMs, options.sla) }, options.record);
}
