import { existsSync, readdirSync, statSync } from 'node:fs';
import { ArchiveJob, processOwnerId, type ArchiveRunSummary, type BackfillNotice } from '@gcm/archive';
import { AuditTrail, Redactor } from '@gcm/audit';
import { whoAmI } from '@gcm/genesys-auth';
import { parseArchiveRecord } from '@gcm/history-timeline';
import { MessagingClient } from '@gcm/messaging-client';
import { ConversationSearch } from '@gcm/search-stream';
import { FileSystemArchiveSink, openDatabase, parseDatabaseUrl, parseStoreRetryBudget, redactDatabaseUrl, type StoreDatabase } from '@gcm/store';
import { UsageError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { parseGenesysId } from '../runtime/id-option';
import { parseCountOption, parseInstantOption } from '../runtime/instant-option';
import { RequestBudgetExhaustedError } from '../runtime/request-budget';
import { acquireDirectoryLock } from '../runtime/directory-lock';

export interface ArchiveRunOptions {
  readonly from: string;
  readonly to: string;
  readonly out?: string;
  readonly database?: string;
  readonly match: 'activity' | 'started';
  readonly concurrency: string;
  readonly maxRequests?: string;
  readonly auditDir?: string;
  readonly restart?: boolean;
}

/**
 * `gcm archive run`: a backfill of one window through the archive job — search → work
 * items → history sync → archive sink (content-addressed, so unchanged conversations are
 * not written again) → archive index. It shares the scheduler's job name, hence its run
 * lease: while another process runs the job, gcm helps with that process's queue and
 * takes its turn after, instead of archiving the same conversations twice. The window a
 * relative `--from 8d` resolves to is stored under the command's time flags, so the same
 * command after Ctrl-C or a crash continues that window (`--restart` begins afresh).
 */
export async function runArchive(context: CommandContext, options: ArchiveRunOptions): Promise<ExitCode> {
  const { output, settings } = context;
  const now = Date.now();
  const start = parseInstantOption(options.from, '--from', now);
  const end = Math.min(parseInstantOption(options.to, '--to', now), now);
  if (end <= start) throw new UsageError(`--to must be after --from (got ${iso(start)} … ${iso(end)})`);
  const concurrency = parseCountOption(options.concurrency, '--concurrency', 1, 64);
  const maxRequests = options.maxRequests !== undefined ? parseCountOption(options.maxRequests, '--max-requests', 1) : undefined;
  const databaseUrl = options.database ?? settings.databaseUrl;
  const archiveDir = options.out ?? settings.archiveDir;

  const { connection, budget, signal } = await context.connect({ maxRequests });
  // fail fast (exit 3) on bad credentials, before any state is opened
  await whoAmI(connection.transport, signal);

  const store = await openDatabase(databaseUrl, { urlSource: options.database ? '--database' : 'GCM_DATABASE_URL', storeRetry: { budgetMs: storeRetryBudget(context) } });
  const lock = options.auditDir ? await acquireDirectoryLock(options.auditDir, 'gcm archive run') : undefined;
  const audit = options.auditDir
    ? await AuditTrail.open({ directory: options.auditDir, fsync: 'always', systemActor: 'gcm-cli', redactor: new Redactor({ knownSecrets: settings.clientSecrets }) })
    : undefined;
  const tally = { archived: 0, unchanged: 0, failed: 0, parked: 0 };
  const bar = output.progress('archive');
  try {
    const job = new ArchiveJob({
      store,
      sink: new FileSystemArchiveSink({ root: archiveDir }),
      search: new ConversationSearch({ transport: connection.transport }),
      messaging: new MessagingClient({ transport: connection.transport }),
      transport: connection.transport,
      ...(audit ? { audit } : {}),
      // names this process, so a rerun after kill -9 takes its leases over at once
      owner: processOwnerId('gcm-cli'),
      match: options.match,
      concurrency,
      // a person is waiting: retry a failing conversation a few times quickly, then park it
      retry: { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 },
      shutdownGraceMs: 10_000,
      logger: { warn: (message) => output.debug(message), error: (message) => output.debug(message) },
      observer: {
        conversation: (event) => {
          if (event.outcome in tally) tally[event.outcome as keyof typeof tally]++;
          bar.update({ done: tally.archived + tally.unchanged + tally.parked, detail: `${tally.archived} archived, ${tally.unchanged} unchanged${tally.failed ? `, ${tally.failed} retried` : ''}${tally.parked ? `, ${tally.parked} parked` : ''}` });
        },
      },
    });
    let window = { start, end };
    const onNotice = (notice: BackfillNotice) => {
      if (notice.kind === 'resuming') window = notice.window;
      output.note(describeNotice(notice));
    };
    output.note(`gcm: archiving ${iso(start)} … ${iso(end)} into ${archiveDir} (state in ${redactDatabaseUrl(databaseUrl)})`);
    const summary = await job.backfill(
      { start, end },
      { signal, waitForLease: true, request: { key: requestKey(options), restart: options.restart === true }, onNotice },
    );
    bar.clear();
    report(context, summary, archiveDir);
    return exitCodeOf(context, summary, budget, window.start, window.end);
  } finally {
    bar.clear();
    await audit?.close();
    await lock?.release();
    await store.close();
  }
}

/** GCM_STORE_RETRY: how long a database outage is waited out before the run fails. */
function storeRetryBudget(context: CommandContext): number {
  try {
    return parseStoreRetryBudget(context.env['GCM_STORE_RETRY']);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Names the request by what was typed: the same `--from 8d` (and `--to`, `--match`) means
 * the same request, whose first resolved window is continued until it is complete.
 */
function requestKey(options: ArchiveRunOptions): string {
  const norm = (value: string) => value.trim().toLowerCase();
  return `from=${norm(options.from)},to=${norm(options.to)},match=${options.match}`;
}

function describeNotice(notice: BackfillNotice): string {
  switch (notice.kind) {
    case 'resuming': {
      const window = `${iso(notice.window.start)} … ${iso(notice.window.end)}`;
      const progress = notice.searchDone
        ? `${notice.done.toLocaleString('en-US')} of ${notice.found.toLocaleString('en-US')} done`
        : `${notice.done.toLocaleString('en-US')} done of ${notice.found.toLocaleString('en-US')} found so far; the search continues`;
      return `gcm: resuming window ${window} (the same command started it): ${progress}. Pass --restart to begin afresh.`;
    }
    case 'restarting':
      return `gcm: --restart: dropped the unfinished window ${iso(notice.previous.start)} … ${iso(notice.previous.end)} (${notice.closed} conversations left unarchived there)`;
    case 'waiting':
      return `gcm: ${notice.message} (Ctrl-C to give up)`;
    case 'helping':
      return `gcm: helping ${notice.holder} with ${notice.queue}`;
    case 'took-over':
      return `gcm: took the archive job over from ${notice.takeover.from}: ${
        notice.takeover.processGone ? 'its process is gone' : `its lease expired at ${iso(notice.takeover.expiresAt)}`
      }`;
  }
}

function report(context: CommandContext, summary: ArchiveRunSummary, archiveDir: string): void {
  context.output.result({ ...summary, archiveDir }, () => [
    `archived ${summary.archived} conversation${summary.archived === 1 ? '' : 's'} (${summary.found} found, ${summary.unchanged} unchanged, ${summary.parked} parked) in ${(summary.durationMs / 1_000).toFixed(1)} s, ${summary.apiCalls} API calls`,
    `status ${summary.status}${summary.error ? `: ${summary.error}` : ''}; run ${summary.runId}`,
  ]);
}

function exitCodeOf(context: CommandContext, summary: ArchiveRunSummary, budget: { exhausted: boolean; limit?: number; lastFailureStatus?: number }, start: number, end: number): ExitCode {
  const again = context.commandLineWith({ '--from': iso(start), '--to': iso(end) });
  switch (summary.status) {
    case 'succeeded':
      return ExitCode.Ok;
    case 'partial':
      context.output.warn(`${summary.parked} conversation${summary.parked === 1 ? ' was' : 's were'} parked after failing every attempt; run again to retry them:\n  ${again}`);
      return ExitCode.Failure;
    case 'cancelled':
      if (budget.exhausted) {
        context.output.event({ event: 'stopped', reason: 'request-budget', resume: again }, `gcm: stopped; the same window continues where it stopped:\n  ${again}`);
        throw new RequestBudgetExhaustedError(budget.limit as number);
      }
      context.output.event({ event: 'stopped', reason: 'interrupted', resume: again }, `gcm: interrupted; the same window continues where it stopped:\n  ${again}`);
      return ExitCode.Interrupted;
    default:
      if (summary.storageFault) {
        context.output.error({
          exitCode: ExitCode.Storage,
          code: summary.storageFault.code,
          message: summary.storageFault.message,
          hint: `the run stopped there with nothing lost; once that is fixed, the same command archives what is missing:\n  ${again}`,
        });
        return ExitCode.Storage;
      }
      if (budget.lastFailureStatus === 401 || budget.lastFailureStatus === 403) return ExitCode.Auth;
      if (budget.lastFailureStatus === 429) return ExitCode.RateLimit;
      context.output.warn(`the run ${summary.status}; running it again continues where it stopped:\n  ${again}`);
      return ExitCode.Failure;
  }
}

export interface ArchiveVerifyOptions {
  readonly dir?: string;
  readonly conversation?: string[];
  readonly database?: string;
  readonly index: boolean;
}

interface VerifyProblem {
  readonly conversationId: string;
  readonly version?: number;
  readonly location?: string;
  readonly problem: string;
}

/**
 * `gcm archive verify`: every stored version re-hashed (the file against the hash in its
 * name and envelope), every record's own content hash checked (`parseArchiveRecord`),
 * and — when the state database is there — the archive index compared with the files:
 * an indexed version missing on disk, or a hash that differs, is a problem.
 */
export async function runArchiveVerify(context: CommandContext, options: ArchiveVerifyOptions): Promise<ExitCode> {
  const { output, settings } = context;
  const archiveDir = options.dir ?? settings.archiveDir;
  assertArchiveDirectory(archiveDir);
  const conversationIds = options.conversation?.map((id) => parseGenesysId(id, '--conversation'));
  const sink = new FileSystemArchiveSink({ root: archiveDir });
  const store = options.index ? await openIndex(options.database ?? settings.databaseUrl, options.database !== undefined) : undefined;
  const problems: VerifyProblem[] = [];
  let conversations = 0;
  let versions = 0;
  const bar = output.progress('verify');
  try {
    const ids = conversationIds?.length ? conversationIds : sink.conversationIds();
    for await (const conversationId of ids) {
      if (context.interrupts.interrupted) break;
      conversations++;
      const results = await sink.verify(conversationId);
      if (results.length === 0) problems.push({ conversationId, problem: 'not in the archive' });
      for (const result of results) {
        versions++;
        if (!result.ok) {
          problems.push({ conversationId, version: result.version, location: result.location, problem: result.problem ?? `hash ${result.actualHash} does not match ${result.expectedHash}` });
          continue;
        }
        const stored = await sink.get(conversationId, result.version);
        try {
          parseArchiveRecord(JSON.stringify(stored?.document));
        } catch (error) {
          problems.push({ conversationId, version: result.version, location: result.location, problem: `the archive record does not verify: ${(error as Error).message}` });
        }
      }
      if (store) {
        const indexed = await store.archiveIndex.versions(conversationId);
        const onDisk = new Map((await sink.versions(conversationId)).map((v) => [v.version, v]));
        for (const entry of indexed) {
          const file = onDisk.get(entry.version);
          if (!file) problems.push({ conversationId, version: entry.version, problem: `indexed at ${entry.location} but missing from the archive` });
          else if (file.contentHash !== entry.contentHash) problems.push({ conversationId, version: entry.version, location: file.location, problem: `the index says hash ${entry.contentHash}, the archive holds ${file.contentHash}` });
        }
      }
      bar.update({ done: conversations, detail: `${versions} versions, ${problems.length} problems` });
    }
  } finally {
    bar.clear();
    await store?.close();
  }
  const ok = problems.length === 0;
  output.result({ ok, archiveDir, conversations, versions, indexChecked: Boolean(store), problems }, () => [
    `${ok ? 'ok' : 'FAILED'}: ${conversations} conversations, ${versions} versions in ${archiveDir}${store ? ', compared with the archive index' : ''}`,
    ...problems.map((p) => `  ${p.conversationId}${p.version !== undefined ? ` v${p.version}` : ''}: ${p.problem}`),
  ]);
  if (context.interrupts.interrupted) return ExitCode.Interrupted;
  return ok ? ExitCode.Ok : ExitCode.Failure;
}

/**
 * The directory must be an archive: missing, a file, or a directory of other things
 * (`--dir /etc`) is a usage error rather than "ok: 0 conversations". An archive root holds
 * only its two-hex-digit shard directories (`<id[0..2]>/<id[2..4]>/<id>/v<N>-<hash>.json`);
 * an empty directory is an empty archive.
 */
function assertArchiveDirectory(archiveDir: string): void {
  const hint = 'Pass --dir, or set GCM_ARCHIVE_DIR, to the directory `gcm archive run` (or the scheduler) archives into.';
  if (!existsSync(archiveDir)) throw new UsageError(`There is no archive at ${archiveDir}`, hint);
  if (!statSync(archiveDir).isDirectory()) throw new UsageError(`${archiveDir} is not a directory, so not an archive`, hint);
  const entries = readdirSync(archiveDir, { withFileTypes: true });
  const shards = entries.filter((entry) => entry.isDirectory() && /^[0-9a-f]{2}$/.test(entry.name));
  if (entries.length > 0 && shards.length === 0) {
    const shown = entries.slice(0, 3).map((entry) => entry.name).join(', ');
    throw new UsageError(`${archiveDir} is not a gcm archive: it holds ${shown}${entries.length > 3 ? ', …' : ''} and no archive shard directory (two hex digits, e.g. 3f/)`, hint);
  }
}

/** The state database, if there is one to compare with (never created by a verify). */
async function openIndex(url: string, explicit: boolean): Promise<StoreDatabase | undefined> {
  const target = parseDatabaseUrl(url, explicit ? '--database' : 'GCM_DATABASE_URL');
  if (target.engine === 'sqlite' && (target.filename === ':memory:' || !existsSync(target.filename))) {
    if (explicit) throw new UsageError(`There is no database at ${url}`);
    return undefined;
  }
  return openDatabase(url, { urlSource: explicit ? '--database' : 'GCM_DATABASE_URL' });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
