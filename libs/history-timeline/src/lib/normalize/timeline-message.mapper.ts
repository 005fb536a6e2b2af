import { messageAttachments, messageText, type MessageData, type MessageDetails, type NormalizedAttachment } from '@gcm/messaging-client';
import { epochMs, isoUtc } from '../instant';
import type { TimelineAttachment, TimelineMessage, TimelineReceipt } from '../timeline.model';
import { senderRoleOf } from './sender-role';

export interface SenderInfo {
  participantId: string;
  purpose?: string;
}

/**
 * The instant of a message: `MessageData.timestamp`, else the channel time, else the
 * participant list's `messageTime`. Epoch ms, NaN when none is readable.
 */
export function messageInstant(message: MessageData | undefined, details?: MessageDetails): number {
  for (const candidate of [message?.timestamp, message?.normalizedMessage?.channel?.time, details?.messageTime]) {
    const ms = epochMs(candidate);
    if (Number.isFinite(ms)) return ms;
  }
  return Number.NaN;
}

/** MessageData (bulk body) → TimelineMessage. `fetchedAt` stamps its attachment URLs. */
export function toTimelineMessage(message: MessageData, sender: SenderInfo | undefined, at: number, fetchedAt: string): TimelineMessage {
  const normalized = message.normalizedMessage;
  const direction: 'inbound' | 'outbound' =
    message.direction === 'outbound' || (message.direction === undefined && normalized?.direction === 'Outbound') ? 'outbound' : 'inbound';
  const text = messageText(message);
  return dropUndefined({
    id: message.id,
    providerMessageId: message.providerMessageId || undefined,
    timestamp: new Date(at).toISOString(),
    direction,
    type: normalized?.type ?? 'Unknown',
    senderRole: senderRoleOf(sender?.purpose, direction, normalized?.originatingEntity),
    participantId: sender?.participantId,
    userId: message.createdBy?.id,
    messengerType: message.messengerType,
    text: text === undefined || text === null ? undefined : text,
    attachments: messageAttachments(message).map((attachment, index) => toTimelineAttachment(attachment, message.id, index, fetchedAt)),
    status: message.status,
    receipts: (message.normalizedReceipts ?? []).map(toReceipt),
  });
}

export function toTimelineAttachment(attachment: NormalizedAttachment, messageId: string, index: number, fetchedAt: string): TimelineAttachment {
  return dropUndefined({
    // an attachment without an id still needs a stable name inside the record
    id: attachment.id ?? `${messageId}#${index}`,
    messageId,
    mediaType: attachment.mediaType,
    url: attachment.url,
    mime: attachment.mime,
    filename: attachment.filename,
    sizeBytes: typeof attachment.contentSizeBytes === 'number' ? attachment.contentSizeBytes : undefined,
    sha256: typeof attachment.sha256 === 'string' && attachment.sha256 !== '' ? attachment.sha256.toLowerCase() : undefined,
    fetchedAt,
    expiresAt: presignedUrlExpiry(attachment.url),
  });
}

function toReceipt(receipt: NonNullable<MessageData['normalizedReceipts']>[number]): TimelineReceipt {
  return dropUndefined({
    status: receipt.status ?? 'Unknown',
    time: isoUtc(receipt.channel?.time),
    isFinal: receipt.isFinalReceipt,
    reasons: receipt.reasons?.map((reason) => dropUndefined({ code: reason.code, message: reason.message })),
  });
}

/**
 * When a presigned URL stops working, if the URL says: S3 signature v4 (`X-Amz-Date` +
 * `X-Amz-Expires` seconds) or an epoch-seconds `Expires` (S3 v2, CloudFront).
 */
export function presignedUrlExpiry(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let query: URLSearchParams;
  try {
    query = new URL(url).searchParams;
  } catch {
    return undefined;
  }
  const amzDate = query.get('X-Amz-Date');
  const amzExpires = Number(query.get('X-Amz-Expires'));
  if (amzDate && Number.isFinite(amzExpires)) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (m) return isoUtc(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + amzExpires * 1000);
  }
  const expires = query.get('Expires');
  if (expires && /^\d+$/.test(expires)) return isoUtc(Number(expires) * 1000);
  return undefined;
}

/** Leaves absent values out, so JSON and the archive record have no `undefined` holes. */
export function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}
