import {
  GenesysApiError,
  GenesysNotFoundError,
  type Clock,
  type GenesysLogger,
  type Sleep,
} from '@gcm/genesys-auth';
import { detailsJobBody } from '../analytics-request';
import type { Chunk } from '../chunk-plan';
import { fromDetailsRow, type AnalyticsConversationRow } from '../conversation-summary';
import type { PagePosition } from '../resume-token';
import { iso, type SearchCriteria } from '../search-criteria';
import { SearchJobError, SearchStreamError, SearchStreamErrorCode, type AnalyticsJobState } from '../search-stream.error';
import { DetailsQuerySource } from './details-query.source';
import type { ReadRetry } from './read-retry';
import { DETAILS_JOBS_PATH, type ChunkSource, type SearchTransport, type SourceContext, type SourcePage } from './search-source';

export interface DetailsJobOptions {
  /** `pageSize` of each results request. */
  resultsPageSize: number;
  /** First wait before polling a submitted job. */
  pollInitialMs: number;
  /** Polling backs off (×2) up to this wait. */
  pollMaxMs: number;
  /** Give up (and cancel the job) when it is not FULFILLED this long after submission. */
  timeoutMs: number;
  /** Resubmissions of an expired job per chunk before failing with JOB_EXPIRED. */
  maxResubmits: number;
  /**
   * Resubmissions of a FAILED job before failing with JOB_FAILED. Analytics jobs fail for
   * passing reasons too (Genesys' own advice is to submit again); a query that is wrong
   * fails every time and surfaces after these few attempts.
   */
  maxFailedResubmits: number;
  /** Treat a job as expired this long before its `expirationDate`, so no page is lost mid-read. */
  expiryMarginMs: number;
}

export const DEFAULT_DETAILS_JOB_OPTIONS: DetailsJobOptions = Object.freeze({
  // 250 rows of ~3 KB: smaller pages kept the consumer's peak memory lower at the same
  // throughput in the benchmark; larger ones save requests against the rate limit.
  resultsPageSize: 250,
  pollInitialMs: 1_000,
  pollMaxMs: 15_000,
  timeoutMs: 30 * 60_000,
  maxResubmits: 3,
  maxFailedResubmits: 2,
  expiryMarginMs: 30_000,
});

interface JobStatus {
  state?: AnalyticsJobState;
  errorMessage?: string;
  expirationDate?: string;
  submissionDate?: string;
}

interface JobResults {
  conversations?: AnalyticsConversationRow[];
  cursor?: string;
  /** "Data available up to at least this datetime" (ISO 8601). */
  dataAvailabilityDate?: string;
}

/** Epoch ms of a `dataAvailabilityDate`, or undefined when absent or unreadable. */
function availabilityOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

interface LiveJob {
  id: string;
  expiresAt?: number;
}

/** Signals that the job must be replaced by a fresh submission. */
class JobGone {
  constructor(readonly reason: string) {}
}

/**
 * Analytics details jobs: submit (`POST …/details/jobs`), poll `GET …/jobs/{id}` with
 * backoff until FULFILLED, then read `GET …/jobs/{id}/results?cursor=` until the cursor
 * runs out. An expired or vanished job is resubmitted and its pages flagged
 * `restarted`, so the stream skips what it already yielded. The caller's abort DELETEs
 * the job; a consumer stopping early keeps it, so a resume token can still read it.
 */
export class DetailsJobSource implements ChunkSource {
  readonly kind = 'jobs' as const;
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly transport: SearchTransport,
    private readonly criteria: SearchCriteria,
    private readonly options: DetailsJobOptions,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
    private readonly includeRaw: boolean,
    private readonly read: ReadRetry,
    /** Page size of the details query that reads a chunk's part after the job's `dataAvailabilityDate`. */
    private readonly tailPageSize: number,
  ) {}

  async *pages(chunk: Chunk, from: PagePosition | undefined, context: SourceContext): AsyncGenerator<SourcePage> {
    let job: LiveJob | undefined = from?.kind === 'job' ? { id: from.jobId, expiresAt: from.expiresAt } : undefined;
    let cursor = from?.kind === 'job' ? from.cursor : undefined;
    let restarted = false;
    let resubmits = 0;
    let yieldedFromJob: string | undefined;
    // fixed for the chunk at its first results page, so every page (and a resumed read) cuts at the same instant
    let availableUntil = from?.kind === 'job' ? from.availableUntil : undefined;
    try {
      if (from?.kind === 'tail') {
        job = { id: from.jobId };
        context.onJob?.(job.id);
        yieldedFromJob = job.id;
        yield* this.tail(chunk, job.id, from.from, from.page, context);
        return;
      }
      if (job) context.onJob?.(job.id);
      else job = await this.submitAndWait(chunk, context);

      for (;;) {
        let results: JobResults;
        try {
          if (job.expiresAt !== undefined && this.clock.now() >= job.expiresAt - this.options.expiryMarginMs) {
            throw new JobGone(`it expires at ${iso(job.expiresAt)}`);
          }
          results = await this.readResults(job, cursor, context);
        } catch (error) {
          if (!(error instanceof JobGone)) throw error;
          resubmits++;
          if (resubmits > this.options.maxResubmits) {
            throw new SearchJobError(
              SearchStreamErrorCode.JobExpired,
              job.id,
              'EXPIRED',
              `The analytics job for ${iso(chunk.startMs)}/${iso(chunk.endMs)} expired ${resubmits} times before its results ` +
                'could be read; read faster (a quicker consumer) or raise job.maxResubmits.',
            );
          }
          context.logger.info?.('Analytics job is gone; resubmitting the chunk', { jobId: job.id, reason: error.reason });
          job = await this.submitAndWait(chunk, context);
          cursor = undefined;
          restarted = true;
          continue;
        }
        const conversations = results.conversations ?? [];
        if (!Array.isArray(conversations)) {
          throw new SearchStreamError(
            SearchStreamErrorCode.UnexpectedResponse,
            `Genesys GET ${DETAILS_JOBS_PATH}/${job.id}/results returned "conversations" that is not an array.`,
          );
        }
        availableUntil ??= availabilityOf(results.dataAvailabilityDate);
        const cut = availableUntil !== undefined && availableUntil < chunk.endMs ? availableUntil : undefined;
        // what started after the job's data availability comes from the details query (the tail), never from the job
        const rows = conversations.map((row) => fromDetailsRow(row, this.includeRaw)).filter((row) => cut === undefined || row.startMs < cut);
        yieldedFromJob = job.id;
        yield {
          rows,
          position: {
            kind: 'job',
            jobId: job.id,
            ...(cursor ? { cursor } : {}),
            ...(job.expiresAt !== undefined ? { expiresAt: job.expiresAt } : {}),
            ...(availableUntil !== undefined ? { availableUntil } : {}),
          },
          ...(restarted ? { restarted } : {}),
        };
        restarted = false;
        const next = results.cursor;
        if (next === undefined || next === null || next === '') break;
        if (next === cursor) {
          context.logger.warn?.('Analytics job returned the cursor it was given; stopping this chunk', { jobId: job.id });
          break;
        }
        cursor = next;
      }
      if (availableUntil !== undefined && availableUntil < chunk.endMs) yield* this.tail(chunk, job.id, availableUntil, 1, context);
    } finally {
      context.onJob?.(undefined);
      // An aborted search's job will never be read; nor will one nobody read a page of
      // (the stream stopped while it ran). A finished chunk's job is deleted by the
      // stream once the consumer has taken every page, since a resume token may need it
      // until then.
      const abandoned = job !== undefined && yieldedFromJob !== job.id;
      if (job && (context.callerSignal?.aborted || abandoned)) {
        await this.cancelJob(job.id, context.logger);
      }
    }
  }

  /**
   * The chunk from the job's data availability on, read with the details query: "data
   * available up to at least" `dataAvailabilityDate` (SDK v262), and the query serves the
   * most recent data (genesys-api.md §6), so the two together cover the chunk. Only
   * conversations that started at or after `from` are kept (the job gave the earlier ones).
   */
  private async *tail(chunk: Chunk, jobId: string, from: number, page: number, context: SourceContext): AsyncGenerator<SourcePage> {
    const tailFrom = Math.max(from, chunk.startMs);
    context.logger.info?.('Analytics job data ends before the chunk does; reading the rest with the details query', {
      jobId,
      dataAvailabilityDate: iso(tailFrom),
      chunkEnd: iso(chunk.endMs),
    });
    const query = new DetailsQuerySource(this.transport, this.criteria, this.tailPageSize, this.includeRaw, this.read);
    const interval: Chunk = { index: chunk.index, startMs: tailFrom, endMs: chunk.endMs };
    for await (const tailPage of query.pages(interval, { kind: 'query', page }, context)) {
      if (tailPage.position.kind !== 'query') continue;
      yield { rows: tailPage.rows.filter((row) => row.startMs >= tailFrom), position: { kind: 'tail', jobId, from: tailFrom, page: tailPage.position.page } };
    }
  }

  async cancelJob(jobId: string, logger: GenesysLogger): Promise<void> {
    if (this.cancelled.has(jobId)) return;
    this.cancelled.add(jobId);
    try {
      // deliberately without the caller's (aborted) signal
      await this.transport.delete(`${DETAILS_JOBS_PATH}/${encodeURIComponent(jobId)}`);
    } catch (error) {
      logger.warn?.('Could not delete analytics job; it will expire on its own', {
        jobId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async readResults(job: LiveJob, cursor: string | undefined, context: SourceContext): Promise<JobResults> {
    try {
      const path = `${DETAILS_JOBS_PATH}/${encodeURIComponent(job.id)}/results`;
      const response = await this.read(
        `GET ${path}`,
        () =>
          this.transport.get<JobResults>(path, {
            query: { ...(cursor ? { cursor } : {}), pageSize: this.options.resultsPageSize },
            signal: context.signal,
          }),
        context.signal,
        context.logger,
      );
      return response.data ?? {};
    } catch (error) {
      if (error instanceof GenesysNotFoundError) throw new JobGone('Genesys no longer knows it (404)');
      // Some deployments answer an expired job's results with another 4xx; ask the job itself.
      if (error instanceof GenesysApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
        const state = await this.stateOf(job.id, context).catch(() => undefined);
        if (state === 'EXPIRED' || state === 'GONE') throw new JobGone(`its state is ${state}`);
        if (state === 'CANCELLED') {
          throw new SearchJobError(
            SearchStreamErrorCode.JobCancelled,
            job.id,
            'CANCELLED',
            `The analytics job ${job.id} was CANCELLED by someone else while its results were read; run the search again.`,
          );
        }
      }
      throw error;
    }
  }

  private async stateOf(jobId: string, context: SourceContext): Promise<AnalyticsJobState | 'GONE'> {
    try {
      const path = `${DETAILS_JOBS_PATH}/${encodeURIComponent(jobId)}`;
      const response = await this.read(`GET ${path}`, () => this.transport.get<JobStatus>(path, { signal: context.signal }), context.signal, context.logger);
      return response.data?.state ?? 'GONE';
    } catch (error) {
      if (error instanceof GenesysNotFoundError) return 'GONE';
      throw error;
    }
  }

  private async submitAndWait(chunk: Chunk, context: SourceContext): Promise<LiveJob> {
    const interval = `${iso(chunk.startMs)}/${iso(chunk.endMs)}`;
    let expired = 0;
    let failed = 0;
    for (;;) {
      const body = detailsJobBody(this.criteria, chunk);
      const submittedAt = this.clock.now();
      const response = await this.read(
        `POST ${DETAILS_JOBS_PATH}`,
        () => this.transport.post<{ jobId?: string }>(DETAILS_JOBS_PATH, body, { retrySafe: true, signal: context.signal }),
        context.signal,
        context.logger,
      );
      const jobId = response.data?.jobId;
      if (typeof jobId !== 'string' || jobId === '') {
        throw new SearchStreamError(
          SearchStreamErrorCode.UnexpectedResponse,
          `Genesys POST ${DETAILS_JOBS_PATH} answered without a jobId for ${interval}.`,
        );
      }
      context.onJob?.(jobId);
      const outcome = await this.waitForJob(jobId, interval, submittedAt, context);
      if (outcome.state === 'FULFILLED') return outcome.job;
      if (outcome.state === 'EXPIRED' && ++expired > this.options.maxResubmits) {
        throw new SearchJobError(
          SearchStreamErrorCode.JobExpired,
          jobId,
          'EXPIRED',
          `The analytics job for ${interval} expired before it was fulfilled, ${expired} times in a row.`,
        );
      }
      if (outcome.state === 'FAILED' && ++failed > this.options.maxFailedResubmits) {
        throw new SearchJobError(
          SearchStreamErrorCode.JobFailed,
          jobId,
          'FAILED',
          `The analytics job ${jobId} for ${interval} FAILED ${failed} times: ${outcome.errorMessage ?? 'no reason given'}.`,
          outcome.errorMessage,
        );
      }
      context.logger.info?.('Analytics job did not complete; submitting it again', { jobId, state: outcome.state, interval });
    }
  }

  /** Polls until the job is FULFILLED, FAILED or EXPIRED (the caller resubmits the last two). */
  private async waitForJob(
    jobId: string,
    interval: string,
    submittedAt: number,
    context: SourceContext,
  ): Promise<{ state: 'FULFILLED'; job: LiveJob } | { state: 'FAILED'; errorMessage?: string } | { state: 'EXPIRED' }> {
    const deadline = this.clock.now() + this.options.timeoutMs;
    let delay = this.options.pollInitialMs;
    for (;;) {
      await this.sleep(Math.max(0, Math.min(delay, deadline - this.clock.now())), context.signal);
      const path = `${DETAILS_JOBS_PATH}/${encodeURIComponent(jobId)}`;
      const status = (await this.read(`GET ${path}`, () => this.transport.get<JobStatus>(path, { signal: context.signal }), context.signal, context.logger))
        .data;
      switch (status?.state) {
        case 'FULFILLED': {
          const expiresAt = localExpiry(status, submittedAt);
          return { state: 'FULFILLED', job: { id: jobId, ...(Number.isFinite(expiresAt) ? { expiresAt } : {}) } };
        }
        case 'FAILED':
          return { state: 'FAILED', errorMessage: status.errorMessage };
        case 'CANCELLED':
          throw new SearchJobError(
            SearchStreamErrorCode.JobCancelled,
            jobId,
            'CANCELLED',
            `The analytics job ${jobId} for ${interval} was CANCELLED by someone else (DELETE on the job); run the search again.`,
          );
        case 'EXPIRED':
          return { state: 'EXPIRED' };
        case 'QUEUED':
        case 'PENDING':
          break;
        default:
          throw new SearchStreamError(
            SearchStreamErrorCode.UnexpectedResponse,
            `Genesys GET ${DETAILS_JOBS_PATH}/${jobId} answered with an unknown state ${JSON.stringify(status?.state)}.`,
          );
      }
      if (this.clock.now() >= deadline) {
        await this.cancelJob(jobId, context.logger);
        throw new SearchJobError(
          SearchStreamErrorCode.JobTimeout,
          jobId,
          status.state,
          `The analytics job ${jobId} for ${interval} was still ${status.state} after ${Math.round(this.options.timeoutMs / 1000)} s; ` +
            'it was cancelled. Try smaller chunks or raise job.timeoutMs.',
        );
      }
      delay = Math.min(this.options.pollMaxMs, delay * 2);
    }
  }
}

/**
 * `expirationDate` on this process's clock. Genesys states it on its own clock; the
 * job's lifetime (expiration minus `submissionDate`) added to when we submitted it is
 * immune to skew between the two clocks, and errs early by the request's latency.
 */
function localExpiry(status: JobStatus, submittedAt: number): number {
  const expiration = status.expirationDate ? Date.parse(status.expirationDate) : NaN;
  const submission = status.submissionDate ? Date.parse(status.submissionDate) : NaN;
  if (Number.isFinite(expiration) && Number.isFinite(submission)) return submittedAt + (expiration - submission);
  return expiration;
}
