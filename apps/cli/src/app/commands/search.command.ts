import { ConversationSearch, type DetailsSearchOptions, type MessageType, type MediaType, type SearchCriteriaInput, type SearchProgress } from '@gcm/search-stream';
import { NdjsonWriter } from '../output/ndjson-writer';
import { UsageError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { parseCountOption, parseInstantOption } from '../runtime/instant-option';
import { RequestBudgetExhaustedError } from '../runtime/request-budget';

export interface SearchCommandOptions {
  readonly from: string;
  readonly to: string;
  readonly mediaType?: string;
  readonly messengerType?: string[];
  readonly queue?: string[];
  readonly division?: string[];
  readonly conversation?: string[];
  readonly direction?: 'inbound' | 'outbound';
  readonly externalTag?: string;
  readonly match: 'started' | 'activity';
  readonly strategy: 'auto' | 'query' | 'jobs';
  readonly attributes?: boolean;
  readonly max?: string;
  readonly resume?: string;
  readonly maxRequests?: string;
}

/**
 * `gcm search`: the conversations of a window as NDJSON on stdout, each exactly once.
 * Whatever stops it early — Ctrl-C, --max, --max-requests — it ends cleanly and prints a
 * resume token (and the whole command to continue) on stderr.
 */
export async function runSearch(context: CommandContext, options: SearchCommandOptions): Promise<ExitCode> {
  const { output } = context;
  const now = Date.now();
  const start = parseInstantOption(options.from, '--from', now);
  const end = parseInstantOption(options.to, '--to', now);
  if (end <= start) throw new UsageError(`--to (${iso(end)}) must be after --from (${iso(start)})`);
  const maxResults = options.max !== undefined ? parseCountOption(options.max, '--max', 1) : undefined;
  const maxRequests = options.maxRequests !== undefined ? parseCountOption(options.maxRequests, '--max-requests', 1) : undefined;

  // messaging is what gcm is about; the attribute search has no media type filter
  const mediaType = options.mediaType ?? (options.attributes ? 'any' : 'message');
  const criteria: SearchCriteriaInput = {
    interval: { start, end },
    ...(mediaType !== 'any' ? { mediaType: mediaType as MediaType } : {}),
    ...(options.messengerType?.length ? { messageTypes: options.messengerType as MessageType[] } : {}),
    ...(options.queue?.length ? { queueIds: options.queue } : {}),
    ...(options.division?.length ? { divisionIds: options.division } : {}),
    ...(options.conversation?.length ? { conversationIds: options.conversation } : {}),
    ...(options.direction ? { direction: options.direction } : {}),
    ...(options.externalTag ? { externalTag: options.externalTag } : {}),
  };

  const { connection, budget, signal } = await context.connect({ maxRequests });
  const search = new ConversationSearch({ transport: connection.transport, logger: { debug: (m) => output.debug(m), warn: (m) => output.debug(m) } });
  const bar = output.progress('search');
  const onProgress = (p: SearchProgress) =>
    bar.update({ done: p.results, ...(p.estimatedTotal !== undefined ? { total: Math.max(p.estimatedTotal, p.results) } : {}), detail: `${p.source === 'attributes' ? 'attribute search' : p.source === 'jobs' ? 'analytics job' : 'analytics query'}, chunk ${p.chunkIndex + 1}/${p.chunkCount}` });
  const run: DetailsSearchOptions = {
    signal,
    onProgress,
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(options.resume !== undefined ? { resumeFrom: options.resume } : {}),
  };
  const stream = options.attributes ? search.searchAttributes(criteria, run) : search.search(criteria, { ...run, strategy: options.strategy, match: options.match });

  const writer = new NdjsonWriter(output.stdout, signal);
  try {
    for await (const conversation of stream) {
      await writer.write(conversation);
      bar.update({ done: stream.results });
    }
  } catch (error) {
    // a stop we asked for (Ctrl-C, request budget) ends the stream with SearchAbortedError
    if (!signal.aborted) throw error;
  }
  bar.clear();

  const results = writer.written;
  if (stream.done) {
    output.event({ event: 'done', results }, `gcm: ${results.toLocaleString('en-US')} conversation${results === 1 ? '' : 's'}`);
    return ExitCode.Ok;
  }
  const token = stream.resumeToken();
  const resume = resumeCommand(context, start, end, token);
  if (budget.exhausted) {
    output.event({ event: 'stopped', reason: 'request-budget', results, resumeToken: token }, `gcm: stopped after ${count(results)}; continue with:\n  ${resume}`);
    throw new RequestBudgetExhaustedError(budget.limit as number, 'The resume command above continues the search after its last result.');
  }
  if (context.interrupts.interrupted) {
    output.event({ event: 'stopped', reason: 'interrupted', results, resumeToken: token }, `gcm: interrupted after ${count(results)}; continue with:\n  ${resume}`);
    return ExitCode.Interrupted;
  }
  output.event({ event: 'more', results, resumeToken: token }, `gcm: ${count(results)} (--max); more remain, continue with:\n  ${resume}`);
  return ExitCode.Ok;
}

/** The same command with absolute times (a relative --from would name another window on resume) and the token. */
function resumeCommand(context: CommandContext, start: number, end: number, token: string): string {
  return context.commandLineWith({ '--from': iso(start), '--to': iso(end), '--resume': token });
}

function count(results: number): string {
  return `${results.toLocaleString('en-US')} result${results === 1 ? '' : 's'}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
