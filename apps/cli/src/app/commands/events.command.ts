import { showLine } from '@gcm/text-policy';
import { LiveEvents, LIVE_EVENT_TYPES, type LiveEvent, type LiveEventType } from '@gcm/live-events';
import { RoutingQueueDirectory, type RoutingTransport } from '@gcm/messaging-client';
import { NdjsonWriter } from '../output/ndjson-writer';
import { CliError, UsageError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { isGenesysId, parseGenesysId } from '../runtime/id-option';
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
  const queueArguments = options.queue ?? [];
  const userIds = (options.user ?? []).map((id) => parseGenesysId(id, '--user'));
  if (queueArguments.length === 0 && userIds.length === 0) {
    throw new UsageError('Name what to follow: --queue <name or id> and/or --user <id> (repeatable)', 'Genesys publishes conversation events per queue and per user topic; `gcm queues` lists the queues.');
  }
  const types = (options.type ?? []) as LiveEventType[];
  const unknown = types.filter((type) => !(LIVE_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length) throw new UsageError(`Unknown event type ${unknown.join(', ')}`, `Known types: ${LIVE_EVENT_TYPES.join(', ')}.`);
  const max = options.max !== undefined ? parseCountOption(options.max, '--max', 1) : undefined;
  const since = options.since !== undefined ? parseInstantOption(options.since, '--since', Date.now()) : undefined;

  const { connection, signal } = await context.connect();
  const queues = await resolveQueues(connection.transport, queueArguments, signal);
  const queueIds = queues.map((queue) => queue.id);
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
    output.note(`gcm: following ${describeFollowed(queues, userIds)} (${followed.permitted.length} topic${followed.permitted.length === 1 ? '' : 's'}); Ctrl-C stops`);

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

/**
 * The queues `--queue` names, by id or by name. An id is taken as given (Genesys says
 * whether its topic exists); a name is looked up in the org's routing queues. A value that
 * is neither an id nor a queue's name is a usage error (exit 2), never part of a topic.
 */
async function resolveQueues(transport: RoutingTransport, values: readonly string[], signal: AbortSignal): Promise<Array<{ id: string; name?: string }>> {
  if (values.length === 0) return [];
  const directory = new RoutingQueueDirectory({ transport });
  const resolved: Array<{ id: string; name?: string }> = [];
  for (const value of values) {
    if (isGenesysId(value.trim())) {
      resolved.push({ id: value.trim().toLowerCase() });
      continue;
    }
    const matches = await directory.find(value, { signal });
    if (matches.length === 0) {
      throw new UsageError(`--queue ${JSON.stringify(value.slice(0, 80))} is neither a queue id nor the name of a queue`, 'Run `gcm queues` to list the queues (name and id).');
    }
    if (matches.length > 1) {
      throw new UsageError(`--queue ${JSON.stringify(value)} names ${matches.length} queues: ${matches.map((q) => q.id).join(', ')}`, 'Pass the id of the one to follow.');
    }
    resolved.push({ id: matches[0].id, name: matches[0].name });
  }
  return resolved;
}

function describeFollowed(queues: ReadonlyArray<{ id: string; name?: string }>, userIds: readonly string[]): string {
  const parts = [
    queues.length ? `${queues.length === 1 ? 'queue' : `${queues.length} queues`} ${queues.map((q) => (q.name ? showLine(q.name) : q.id)).join(', ')}` : '',
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
