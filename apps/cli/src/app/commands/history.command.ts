import { HistorySync, integritySummary, neutralizeControls, renderTranscriptMarkdown, renderTranscriptText, type SyncOptions, type Timeline } from '@gcm/history-timeline';
import { MessagingClient } from '@gcm/messaging-client';
import { table } from '../output/table';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { parseGenesysId } from '../runtime/id-option';
import { parseInstantOption } from '../runtime/instant-option';

export interface HistoryCommandOptions {
  readonly format: 'table' | 'text' | 'markdown' | 'json';
  readonly from?: string;
  readonly to?: string;
  readonly messageType?: string[];
  readonly receipts?: boolean;
  readonly strict?: boolean;
}

/**
 * `gcm history <id>`: the conversation synced into a verified timeline (conversation →
 * every participant's message ids → bulk bodies) and shown as a table, a transcript
 * (text, Markdown) or the timeline itself (JSON, also with --json).
 */
export async function runHistory(context: CommandContext, conversationArgument: string, options: HistoryCommandOptions): Promise<ExitCode> {
  const { output } = context;
  const conversationId = parseGenesysId(conversationArgument, 'conversationId');
  const now = Date.now();
  const window = {
    ...(options.from !== undefined ? { from: parseInstantOption(options.from, '--from', now) } : {}),
    ...(options.to !== undefined ? { to: parseInstantOption(options.to, '--to', now) } : {}),
  };
  const { connection, signal } = await context.connect();
  const history = new HistorySync({ source: new MessagingClient({ transport: connection.transport }) });
  const sync: SyncOptions = {
    signal,
    ...(Object.keys(window).length ? { window } : {}),
    ...(options.messageType?.length ? { messageTypes: options.messageType } : {}),
  };
  const timeline = await history.sync(conversationId, sync);

  const format = context.globals.json ? 'json' : options.format;
  const transcript = { integrity: true, receipts: Boolean(options.receipts) };
  switch (format) {
    case 'json':
      output.stdout.write(`${JSON.stringify(timeline, null, output.stdout.isTTY ? 2 : undefined)}\n`);
      break;
    case 'markdown':
      output.stdout.write(ensureNewline(renderTranscriptMarkdown(timeline, transcript)));
      break;
    case 'text':
      output.stdout.write(ensureNewline(renderTranscriptText(timeline, transcript)));
      break;
    case 'table':
      output.stdout.write(`${renderTable(timeline, output.stdout.isTTY ? (output.stdout.columns ?? 120) : undefined).join('\n')}\n`);
      break;
  }
  if (!timeline.integrity.clean) {
    output.warn(`integrity: ${integritySummary(timeline.integrity)} (the JSON format lists each finding)`);
    if (options.strict) return ExitCode.Failure;
  }
  return ExitCode.Ok;
}

/** One row per message; on a terminal the text is cut to the width, in a pipe it is whole (on one line). */
export function renderTable(timeline: Timeline, width?: number): string[] {
  const c = timeline.conversation;
  const names = new Map(timeline.participants.map((p) => [p.id, p.name]));
  const rows = timeline.messages.map((m) => {
    const who = m.participantId && names.get(m.participantId) ? `${m.senderRole} (${names.get(m.participantId)})` : m.senderRole;
    const attachments = m.attachments.length ? ` [${m.attachments.map((a) => a.filename ?? a.mime ?? 'attachment').join(', ')}]` : '';
    const text = neutralizeControls(`${m.text ?? ''}${attachments}`).replace(/\s*\n\s*/g, ' ⏎ ');
    return [m.timestamp, m.direction === 'inbound' ? 'in' : 'out', neutralizeControls(who), m.type, m.status ?? '-', text];
  });
  const head = [
    `Conversation ${c.id}${c.messengerType ? ` (${c.messengerType})` : ''}  ${c.startTime ?? '?'} → ${c.endTime ?? 'ongoing'}`,
    `${timeline.messages.length} messages, ${timeline.participants.length} participants, integrity: ${integritySummary(timeline.integrity)}`,
    '',
  ];
  const lines = table(['TIME', 'DIR', 'FROM', 'TYPE', 'STATUS', 'TEXT'], rows);
  if (width === undefined) return [...head, ...lines];
  return [...head, ...lines.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line))];
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
