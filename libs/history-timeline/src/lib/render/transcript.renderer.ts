import { inertFileName } from '@gcm/text-policy';
import type { IntegrityReport } from '../integrity/integrity-report';
import type { TimelineAttachment, TimelineConversation, TimelineMessage, TimelineParticipant } from '../timeline.model';
import { escapeMarkdown, markdownLinkDestination, neutralizeControls } from './untrusted-text';

/** What an attachment line shows: a synced timeline has all of it; an archived record has no URL. */
export type TranscriptAttachment = Pick<TimelineAttachment, 'id' | 'filename' | 'mime' | 'sizeBytes' | 'sha256' | 'url'>;
export type TranscriptMessage = Omit<TimelineMessage, 'attachments'> & { attachments: TranscriptAttachment[] };

/** What a transcript is rendered from: a synced `Timeline`, or an archived record (`transcriptSourceOfArchive`). */
export interface TranscriptSource {
  conversationId: string;
  conversation: TimelineConversation;
  participants: TimelineParticipant[];
  messages: TranscriptMessage[];
  integrity: IntegrityReport;
}

export interface TranscriptOptions {
  /** Show participant names next to roles (default true); off for anonymised read-outs. */
  names?: boolean;
  /** List each outbound message's receipts (default false). */
  receipts?: boolean;
  /** Add the integrity summary (default true). */
  integrity?: boolean;
}

interface Resolved {
  names: boolean;
  receipts: boolean;
  integrity: boolean;
}

const resolve = (options: TranscriptOptions): Resolved => ({
  names: options.names ?? true,
  receipts: options.receipts ?? false,
  integrity: options.integrity ?? true,
});

/** One line per finding kind, e.g. `1 out-of-order pair, 2 duplicates`; `clean` when there are none. */
export function integritySummary(report: IntegrityReport): string {
  if (report.clean) return 'clean';
  const parts: Array<[number, string, string]> = [
    [report.outOfOrder.length, 'out-of-order pair', 'out-of-order pairs'],
    [report.duplicates.length, 'duplicate', 'duplicates'],
    [report.missing.length, 'missing message', 'missing messages'],
    [report.outsideConversation.length, 'message outside the conversation', 'messages outside the conversation'],
    [report.gaps.length, 'gap', 'gaps'],
  ];
  return parts
    .filter(([count]) => count > 0)
    .map(([count, one, many]) => `${count} ${count === 1 ? one : many}`)
    .join(', ');
}

function participantsById(timeline: TranscriptSource): Map<string, TimelineParticipant> {
  return new Map(timeline.participants.map((p) => [p.id, p]));
}

function senderName(message: TranscriptMessage, participants: Map<string, TimelineParticipant>): string | undefined {
  return message.participantId ? participants.get(message.participantId)?.name : undefined;
}

function attachmentFacts(attachment: TranscriptAttachment): string[] {
  const facts: string[] = [];
  if (attachment.mime) facts.push(attachment.mime);
  if (attachment.sizeBytes !== undefined) facts.push(`${attachment.sizeBytes} bytes`);
  if (attachment.sha256) facts.push(`sha256 ${attachment.sha256}`);
  return facts;
}

/** Plain text, one block per message, every instant ISO 8601 UTC; control characters in content are shown, not executed. */
export function renderTranscriptText(timeline: TranscriptSource, options: TranscriptOptions = {}): string {
  const o = resolve(options);
  const participants = participantsById(timeline);
  const c = timeline.conversation;
  const safe = (value: string) => neutralizeControls(value).replace(/\n/g, ' ');
  const lines = [`Conversation ${safe(c.id)}${c.messengerType ? ` (${safe(c.messengerType)})` : ''}`];
  lines.push(`Started: ${c.startTime ?? 'unknown'}`, `Ended: ${c.endTime ?? 'ongoing'}`);
  lines.push('Participants:');
  for (const p of timeline.participants) {
    lines.push(`  - ${p.role}${o.names && p.name ? ` · ${safe(p.name)}` : ''} (${safe(p.purpose ?? 'unknown purpose')}, ${safe(p.id)})`);
  }
  if (o.integrity) lines.push(`Integrity: ${integritySummary(timeline.integrity)}`);
  lines.push('');
  for (const message of timeline.messages) {
    const name = o.names ? senderName(message, participants) : undefined;
    const [first, ...rest] = neutralizeControls(message.text ?? '').split('\n');
    lines.push(`[${message.timestamp}] ${message.senderRole}${name ? ` · ${safe(name)}` : ''}:${first ? ` ${first}` : ''}`);
    for (const line of rest) lines.push(`    ${line}`);
    for (const attachment of message.attachments) {
      const facts = attachmentFacts(attachment);
      lines.push(`    [attachment] ${attachment.filename ? inertFileName(attachment.filename) : safe(attachment.id)}${facts.length ? ` (${facts.join(', ')})` : ''}${attachment.url ? ` ${safe(attachment.url)}` : ''}`);
    }
    if (o.receipts) {
      for (const receipt of message.receipts) lines.push(`    [receipt] ${safe(receipt.status)}${receipt.time ? ` at ${receipt.time}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Markdown (CommonMark/GFM): message text and names are escaped so they render literally. */
export function renderTranscriptMarkdown(timeline: TranscriptSource, options: TranscriptOptions = {}): string {
  const o = resolve(options);
  const participants = participantsById(timeline);
  const c = timeline.conversation;
  const inline = (value: string) => escapeMarkdown(value.replace(/\s*\n\s*/g, ' '));
  const out = [`# Conversation ${inline(c.id)}`, ''];
  if (c.messengerType) out.push(`- **Channel:** ${inline(c.messengerType)}`);
  out.push(`- **Started:** ${c.startTime ?? 'unknown'}`, `- **Ended:** ${c.endTime ?? 'ongoing'}`);
  if (o.integrity) out.push(`- **Integrity:** ${escapeMarkdown(integritySummary(timeline.integrity))}`);
  out.push('', '## Participants', '', `| Role | ${o.names ? 'Name | ' : ''}Purpose | Joined | Left |`, `| --- | ${o.names ? '--- | ' : ''}--- | --- | --- |`);
  for (const p of timeline.participants) {
    const cells = [p.role, ...(o.names ? [inline(p.name ?? '')] : []), inline(p.purpose ?? ''), p.startTime ?? '', p.endTime ?? ''];
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push('', '## Messages', '');
  for (const message of timeline.messages) {
    const name = o.names ? senderName(message, participants) : undefined;
    out.push(`- **${message.timestamp}** · ${message.senderRole}${name ? ` · ${inline(name)}` : ''}`);
    if (message.text !== undefined && message.text !== '') {
      for (const line of escapeMarkdown(message.text).split('\n')) out.push(`  ${line}`);
    }
    for (const attachment of message.attachments) {
      const label = escapeMarkdown(attachment.filename ? inertFileName(attachment.filename) : attachment.id.replace(/\n/g, ' '));
      const destination = markdownLinkDestination(attachment.url);
      const facts = attachmentFacts(attachment).map((fact) => escapeMarkdown(fact));
      out.push(`  - attachment: ${destination ? `[${label}](${destination})` : label}${facts.length ? ` · ${facts.join(' · ')}` : ''}`);
    }
    if (o.receipts) {
      for (const receipt of message.receipts) out.push(`  - receipt: ${inline(receipt.status)}${receipt.time ? ` at ${receipt.time}` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** JSON for tools: the transcript's facts without the integrity and SLA detail (see the archive record for those). */
export function renderTranscriptJson(timeline: TranscriptSource, options: TranscriptOptions & { space?: number } = {}): string {
  const o = resolve(options);
  const participants = participantsById(timeline);
  const transcript = {
    conversationId: timeline.conversationId,
    messengerType: timeline.conversation.messengerType,
    startTime: timeline.conversation.startTime,
    endTime: timeline.conversation.endTime,
    integrity: o.integrity ? { clean: timeline.integrity.clean, summary: integritySummary(timeline.integrity) } : undefined,
    participants: timeline.participants.map((p) => ({ id: p.id, role: p.role, purpose: p.purpose, name: o.names ? p.name : undefined })),
    messages: timeline.messages.map((m) => ({
      id: m.id,
      timestamp: m.timestamp,
      direction: m.direction,
      type: m.type,
      senderRole: m.senderRole,
      participantId: m.participantId,
      senderName: o.names ? senderName(m, participants) : undefined,
      text: m.text,
      attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, mime: a.mime, sizeBytes: a.sizeBytes, sha256: a.sha256, url: a.url })),
      receipts: o.receipts ? m.receipts : undefined,
    })),
  };
  return `${JSON.stringify(transcript, null, options.space ?? 2)}\n`;
}
