import { isoString, SandboxClock } from '../clock/sandbox-clock';
import { SandboxWorld } from '../data/sandbox-world';
import { ApiErrors } from '../errors/api-error';
import { FaultInjector } from '../faults/fault-injector';
import { optionalInteger, requireObject } from '../http/body-validation';
import { renderAnalyticsConversation } from '../render/analytics-conversation.mapper';
import { SandboxStats } from '../stats/sandbox-stats';
import { selectConversations } from './conversation-selection';
import { parseSelection } from './details-query.service';

export type JobState = 'QUEUED' | 'PENDING' | 'FAILED' | 'CANCELLED' | 'FULFILLED' | 'EXPIRED';

export const JOB_RESULTS_PAGE_SIZE_DEFAULT = 100;
export const JOB_RESULTS_PAGE_SIZE_MAX = 1000;

interface Job {
  id: string;
  submittedAt: number;
  conversationIds: string[];
  fails: boolean;
  cancelledAt?: number;
}

export interface JobTiming {
  /** Time from submission to FULFILLED (QUEUED for the first half, then PENDING). */
  delayMs: number;
  /** How long results stay available after completion; EXPIRED afterwards. */
  ttlMs: number;
  /** How far the jobs' data lags behind now (`dataAvailabilityDate`). */
  availabilityLagMs: number;
}

/**
 * Async details jobs. The matching conversations are fixed at submission; the state is a
 * pure function of the sandbox clock (no timers), so a test moves a job along by advancing
 * a manual clock.
 */
export class DetailsJobsService {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
    private readonly faults: FaultInjector,
    private readonly stats: SandboxStats,
    private readonly timing: JobTiming,
  ) {}

  submit(rawBody: unknown): { jobId: string } {
    const body = requireObject(rawBody);
    const spec = parseSelection(body, 'activity');
    spec.startOfDayIntervalMatching = body.startOfDayIntervalMatching === true;
    const limit = optionalInteger(body, 'limit');
    if (limit !== undefined) {
      if (limit < 1) throw ApiErrors.badRequest('limit must be at least 1, got {limit}.', { limit: String(limit) }, 'limit');
      spec.limit = Math.min(limit, spec.limit ?? limit);
    }
    const now = this.clock.now();
    // jobs read the data lake, which holds conversations up to the availability date only
    const availableUntil = this.availableUntil();
    const job: Job = {
      id: this.world.ids.uuid('analytics-job'),
      submittedAt: now,
      conversationIds: selectConversations(this.world, now, spec)
        .filter((c) => c.start < availableUntil)
        .map((c) => c.id),
      fails: this.faults.jobFails(),
    };
    if (job.fails) this.stats.recordFault('jobFailure');
    this.jobs.set(job.id, job);
    return { jobId: job.id };
  }

  status(jobId: string): Record<string, unknown> {
    const job = this.require(jobId);
    const state = this.stateOf(job);
    const body: Record<string, unknown> = { state };
    if (state === 'FAILED') body.errorMessage = 'The analytics job failed (injected by the sandbox fault settings); submit it again.';
    body.expirationDate = isoString(this.expiresAt(job));
    body.submissionDate = isoString(job.submittedAt);
    if (state === 'FULFILLED' || state === 'FAILED' || state === 'EXPIRED') body.completionDate = isoString(job.submittedAt + this.timing.delayMs);
    return body;
  }

  results(jobId: string, cursor: string | undefined, pageSizeParam: string | undefined): Record<string, unknown> {
    const job = this.require(jobId);
    const state = this.stateOf(job);
    if (state !== 'FULFILLED') {
      throw ApiErrors.badRequest('Results of job {jobId} are not available: the job is {state}.', { jobId, state }, 'jobId');
    }
    const pageSize = pageSizeParam === undefined ? JOB_RESULTS_PAGE_SIZE_DEFAULT : Number(pageSizeParam);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > JOB_RESULTS_PAGE_SIZE_MAX) {
      throw ApiErrors.badRequest(
        'pageSize must be an integer between 1 and {max}, got {pageSize}.',
        { max: String(JOB_RESULTS_PAGE_SIZE_MAX), pageSize: String(pageSizeParam) },
        'pageSize',
      );
    }
    const offset = cursor === undefined ? 0 : this.decodeCursor(job, cursor);
    const page = job.conversationIds.slice(offset, offset + pageSize);
    const body: Record<string, unknown> = {};
    if (page.length > 0) body.conversations = page.map((id) => renderAnalyticsConversation(this.world.skeletonById(id)!));
    const next = offset + page.length;
    if (next < job.conversationIds.length) body.cursor = Buffer.from(`${job.id}|${next}`).toString('base64url');
    body.dataAvailabilityDate = this.availability().dataAvailabilityDate;
    return body;
  }

  cancel(jobId: string): void {
    const job = this.require(jobId);
    if (job.cancelledAt === undefined) job.cancelledAt = this.clock.now();
  }

  /**
   * "Data available up to at least this datetime" (SDK `AnalyticsConversationAsyncQueryResponse`,
   * `DataAvailabilityResponse`): now minus `availabilityLagMs`, to the minute.
   */
  availability(): { dataAvailabilityDate: string } {
    return { dataAvailabilityDate: isoString(this.availableUntil()) };
  }

  private availableUntil(): number {
    const lagged = this.clock.now() - this.timing.availabilityLagMs;
    return lagged - (((lagged % 60_000) + 60_000) % 60_000);
  }

  private stateOf(job: Job): JobState {
    if (job.cancelledAt !== undefined) return 'CANCELLED';
    const now = this.clock.now();
    const elapsed = now - job.submittedAt;
    if (elapsed < this.timing.delayMs / 2) return 'QUEUED';
    if (elapsed < this.timing.delayMs) return 'PENDING';
    if (job.fails) return 'FAILED';
    if (now >= this.expiresAt(job)) return 'EXPIRED';
    return 'FULFILLED';
  }

  private expiresAt(job: Job): number {
    return job.submittedAt + this.timing.delayMs + this.timing.ttlMs;
  }

  private require(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw ApiErrors.notFound('jobId', jobId);
    return job;
  }

  private decodeCursor(job: Job, cursor: string): number {
    const [id, offsetText] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    const offset = Number(offsetText);
    if (id !== job.id || !Number.isInteger(offset) || offset < 0 || offset > job.conversationIds.length) {
      throw ApiErrors.badRequest('The cursor {cursor} does not belong to job {jobId}.', { cursor, jobId: job.id }, 'cursor');
    }
    return offset;
  }
}
