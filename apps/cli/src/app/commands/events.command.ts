import { showLine } from '@gcm/text-policy';
import { LiveEvents, LIVE_EVENT_TYPES, type LiveEvent, type LiveEventType } from '@gcm/live-events';
import { NdjsonWriter } from '../output/ndjson-writer';
import { CliError, UsageError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { parseCountOption, parseInstantOption } from '../runtime/instant-option';

export interface EventsTailOptions {
  readonly queue?: string[];
  readonly user?: string[];
  readonly conversation?: string[];
  readonly type?: string[];
  readonly since?: string;
  readonly max?: string;
}

/**
 * `gcm events tail`: live conversation events of queues and users through the
 * Notifications API (channels, topics, heartbeats, gap re-reads — `@gcm/live-events`), one
 * line each — readable, or NDJSON with --json — until Ctrl-C or --max. It prints where it
 * stopped; `--since` that instant re-reads what changed meanwhile, so nothing is missed.
 */
export async function runEventsTail(context: CommandContext, options: EventsTailOptions): Promise<ExitCode> {
  const { output } = context;
  const queueIds = options.queue ?? [];
  const userIds = options.user ?? [];
  if (queueIds.length === 0 && userIds.length === 0) {
    throw new UsageError('Name what to follow: --queue <id> and/or --user <id> (repeatable)', 'Genesys publishes conversation events per queue and per user topic.');
  }
  const types = (options.type ?? []) as LiveEventType[];
  const unknown = types.filter((type) => !(LIVE_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length) throw new UsageError(`Unknown event type ${unknown.join(', ')}`, `Known types: ${LIVE_EVENT_TYPES.join(', ')}.`);
  const max = options.max !== undefined ? parseCountOption(options.max, '--max', 1) : undefined;
  const since = options.since !== undefined ? parseInstantOption(options.since, '--since', Date.now()) : undefined;

  const { connection, signal } = await context.connect();
  const live = LiveEvents.create({
    transport: connection.transport,
    ...(since !== undefined ? { resumeFrom: since, resumeMarginMs: 0 } : {}),
    logger: { warn: (message) => output.debug(message), error: (message) => output.warn(message) },
  });
  let count = 0;
  try {
    await live.start();
    // subscribe before following and catching up: the stream is hot, and what the
    // catch-up announces must not be gone before the loop below starts reading
    const filter = { ...(options.conversation?.length ? { conversationIds: options.conversation } : {}), ...(types.length ? { types } : {}) };
    const events = live.events(filter, { signal });
    const followed = await live.follow({ queueIds, userIds });
    for (const rejected of followed.rejected) output.warn(`topic ${rejected.id} was rejected: ${rejected.rejectionReason ?? 'no reason given'}`);
    if (followed.permitted.length === 0) {
      throw new CliError('Genesys rejected every topic: nothing to follow', { exitCode: ExitCode.Auth, code: 'TOPICS_REJECTED', hint: 'Check the queue and user ids, and that the OAuth client may see their conversations.' });
    }
    if (since !== undefined) {
      const report = await live.catchUp();
      output.debug(`re-read ${report?.backfilled ?? 0} conversations changed since ${iso(since)}`);
    }
    output.note(`gcm: following ${describeFollowed(queueIds, userIds)} (${followed.permitted.length} topic${followed.permitted.length === 1 ? '' : 's'}); Ctrl-C stops`);

    const writer = new NdjsonWriter(output.stdout, signal);
    try {
      for await (const event of events) {
        if (event.type === 'stream.channel' && !types.includes('stream.channel')) {
          // the connection's own news goes to stderr unless asked for as events
          if (event.change !== 'opened' && event.change !== 'closed') output.note(`gcm: notification channel ${event.change}${event.reason ? ` (${event.reason})` : ''}`);
          continue;
        }
        if (context.globals.json) await writer.write(event);
        else output.stdout.write(`${describeEvent(event)}\n`);
        count++;
        if (max !== undefined && count >= max) break;
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  } finally {
    await live.close();
  }
  const resume = iso(live.watermark());
  const again = context.commandLineWith({ '--since': resume });
  output.event(
    { event: 'stopped', reason: context.interrupts.interrupted ? 'interrupted' : 'max', events: count, since: resume },
    `gcm: ${count} event${count === 1 ? '' : 's'}; to continue without missing any:\n  ${again}`,
  );
  return context.interrupts.interrupted ? ExitCode.Interrupted : ExitCode.Ok;
}

function describeFollowed(queueIds: readonly string[], userIds: readonly string[]): string {
  const parts = [
    queueIds.length ? `${queueIds.length} queue${queueIds.length === 1 ? '' : 's'}` : '',
    userIds.length ? `${userIds.length} user${userIds.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return parts.join(' and ');
}

/** One readable line per event: time, type, conversation, and what happened. */
export function describeEvent(event: LiveEvent): string {
  const head = `${event.occurredAt}  ${event.type.padEnd(25)} ${event.conversationId ?? '-'}`;
  switch (event.type) {
    case 'message.received':
    case 'message.sent':
      return `${head}  ${event.message.senderPurpose ?? event.message.direction}: ${oneLine(event.message.text ?? (event.message.attachments.length ? '[attachment]' : ''))}`;
    case 'participant.joined':
      return `${head}  ${event.participant.purpose ?? 'participant'} ${event.participant.name ?? event.participant.participantId} (${event.participant.state ?? '?'})`;
    case 'participant.state.changed':
      return `${head}  ${event.participant.purpose ?? 'participant'} ${event.from} → ${event.to}${event.violation ? ` (${event.violation.code})` : ''}`;
    case 'receipt.received':
      return `${head}  ${event.messageId} ${event.status}`;
    case 'receipt.sla.breached':
      return `${head}  ${event.messageId} ${event.kind} (${Math.round(event.latencyMs / 1_000)} s)`;
    case 'participant.wrapup':
      return `${head}  ${event.wrapupName ?? event.wrapupCode}`;
    case 'stream.channel':
      return `${head}  channel ${event.change}`;
    default:
      return head;
  }
}

function oneLine(text: string): string {
  // message text is untrusted: shown through the one text policy (controls and bidi controls as \u{…}), one line per event
  const flat = showLine(text).replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
