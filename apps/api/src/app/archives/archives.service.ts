import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { ArchiveJob, parseArchiveWindow, type ArchiveRunSummary } from '@gcm/archive';
import type { AuditLog } from '@gcm/audit';
import { AUDIT_LOG } from '@gcm/audit/nest';
import type { Clock } from '@gcm/genesys-auth';
import { MessagingClient } from '@gcm/messaging-client';
import { StoreDatabase, type ArchiveSink } from '@gcm/store';
import { ARCHIVE_SINK } from '@gcm/store/nest';
import { API_CLOCK, API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import { GcmLogger } from '@gcm/logging';
import { RequestValidationError } from '../problem/request-validation.error';
import { ArchiveNotFoundError } from './archive-not-found.error';
import { ArchiveRunInProgressError } from './archive-run-in-progress.error';
import { ArchiveRunNotFoundError } from './archive-run-not-found.error';
import { ArchiveRunRegistry } from './archive-run.registry';
import type { ArchiveRunDto, ConversationArchiveDto, StartArchiveDto } from './archives.dto';
import { ConversationIdsArchiver } from './conversation-ids.archiver';

/**
 * Archive runs on request: a window backfilled by the shared ArchiveJob (resumable,
 * leased with the scheduler's runs, so the two never archive at once), or a list of
 * conversations archived now. Runs go on in the background; their status is polled.
 */
@Injectable()
export class ArchivesService implements BeforeApplicationShutdown {
  private readonly stop = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly ids: ConversationIdsArchiver;

  constructor(
    private readonly job: ArchiveJob,
    private readonly runs: ArchiveRunRegistry,
    private readonly store: StoreDatabase,
    @Inject(ARCHIVE_SINK) private readonly sink: ArchiveSink,
    @Inject(AUDIT_LOG) audit: AuditLog,
    @Inject(API_CLOCK) private readonly clock: Clock,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    messaging: MessagingClient,
    private readonly logger: GcmLogger,
  ) {
    this.ids = new ConversationIdsArchiver({ store, sink, messaging, audit, clock, logger: logger.forLibrary('ArchivesService'), actor: job.owner });
  }

  start(request: StartArchiveDto): ArchiveRunDto {
    // JSON null is "not given", as class-validator's IsOptional reads it
    const hasWindow = request.window != null;
    const hasIds = request.conversationIds != null;
    if (hasWindow === hasIds) {
      throw new RequestValidationError(
        ['window', 'conversationIds'].map((field) => ({ field, message: 'exactly one of window and conversationIds is required', code: 'EXACTLY_ONE' })),
      );
    }
    const running = this.runs.running;
    if (running) throw new ArchiveRunInProgressError(running.runId);
    return hasWindow ? this.startWindow(request.window as string) : this.startIds(request.conversationIds as string[]);
  }

  get(runId: string): ArchiveRunDto {
    const run = this.runs.get(runId);
    if (!run) throw new ArchiveRunNotFoundError(runId);
    return run;
  }

  async conversation(conversationId: string, version?: number): Promise<ConversationArchiveDto> {
    const versions = await this.store.archiveIndex.versions(conversationId);
    const wanted = version ?? versions[versions.length - 1]?.version;
    const stored = wanted === undefined ? undefined : await this.sink.get<Record<string, unknown>>(conversationId, wanted);
    if (!stored) throw new ArchiveNotFoundError(conversationId, version);
    return {
      conversationId: stored.conversationId,
      versions: versions.map((v) => ({ version: v.version, contentHash: v.contentHash, location: v.location, archivedAt: new Date(v.archivedAt).toISOString() })),
      version: stored.version,
      document: stored.document,
    };
  }

  /**
   * Stops runs in progress (window runs resume from their checkpoint next time) and waits
   * for them, before the database and the audit trail close.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort(new Error('the API is shutting down'));
    await Promise.allSettled([...this.inFlight]);
  }

  private startWindow(window: string): ArchiveRunDto {
    const parsed = parseArchiveWindow(window);
    if (parsed.start > this.clock.now()) {
      throw new RequestValidationError([{ field: 'window', message: 'starts in the future; nothing can be archived yet', code: 'INVALID_WINDOW' }]);
    }
    const days = this.config.archive.maxWindowMs / 86_400_000;
    if (parsed.end - parsed.start > this.config.archive.maxWindowMs) {
      throw new RequestValidationError([
        { field: 'window', message: `spans more than ${days} days (GCM_API_ARCHIVE_MAX_WINDOW); backfill it in parts`, code: 'WINDOW_TOO_LONG' },
      ]);
    }
    const { runId, result } = this.runs.capture(() => this.job.backfill(parsed, { signal: this.stop.signal }));
    const run: ArchiveRunDto = { runId, kind: 'window', status: 'running', window: `${iso(parsed.start)}/${iso(parsed.end)}`, startedAt: iso(this.clock.now()) };
    this.runs.put(run);
    this.track(
      result.then(
        (summary) => this.finishWindow(run, summary),
        (error: unknown) => this.runs.put({ ...run, status: 'failed', finishedAt: iso(this.clock.now()), error: message(error) }),
      ),
    );
    return run;
  }

  private finishWindow(run: ArchiveRunDto, summary: ArchiveRunSummary): void {
    this.runs.put({
      ...run,
      status: summary.status,
      finishedAt: iso(this.clock.now()),
      found: summary.found,
      archived: summary.archived,
      unchanged: summary.unchanged,
      failed: summary.failed,
      parked: summary.parked,
      ...(summary.error ? { error: summary.error } : {}),
    });
  }

  private startIds(conversationIds: string[]): ArchiveRunDto {
    const runId = randomUUID();
    const run: ArchiveRunDto = { runId, kind: 'conversations', status: 'running', startedAt: iso(this.clock.now()), found: conversationIds.length };
    this.runs.put(run);
    this.track(
      this.ids.archive(runId, conversationIds, this.stop.signal).then(
        (conversations) => {
          const count = (outcome: string) => conversations.filter((c) => c.outcome === outcome).length;
          const failed = count('failed');
          this.runs.put({
            ...run,
            status: this.stop.signal.aborted ? 'cancelled' : failed === 0 ? 'succeeded' : failed === conversations.length ? 'failed' : 'partial',
            finishedAt: iso(this.clock.now()),
            archived: count('archived'),
            unchanged: count('unchanged'),
            failed,
            conversations,
          });
        },
        (error: unknown) => this.runs.put({ ...run, status: 'failed', finishedAt: iso(this.clock.now()), error: message(error) }),
      ),
    );
    return run;
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.logger.write('error', 'Archive run bookkeeping failed', { context: 'Archives', error: message(error) }));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Resolves when every run started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
