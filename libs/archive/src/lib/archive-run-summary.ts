import type { StoreFaultClass } from '@gcm/store';
import type { ConversationOutcome } from './archive-observer';

export type ArchiveRunKind = 'scheduled' | 'backfill';

/**
 * - coordinator: held the run lease: searched, archived, moved the watermark
 * - helper: another replica held it; this one archived part of that replica's queue
 * - none: nothing to do (caught up, or another replica runs and assisting is off)
 */
export type ArchiveRunRole = 'coordinator' | 'helper' | 'none';

/**
 * - succeeded: every window complete, nothing parked
 * - partial: every window complete, some conversations parked (dead-lettered)
 * - failed: a window could not be completed (search failure, lost lease); the next run resumes it
 * - cancelled: stopped on request before its window was complete; the next run resumes it
 * - skipped: another replica holds the run lease and there was nothing to help with
 * - idle: caught up; the next window is not due yet
 */
export type ArchiveRunStatus = 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'skipped' | 'idle';

export interface ArchiveWindowReport {
  /** ISO-8601 UTC; the end is exclusive. */
  readonly start: string;
  readonly end: string;
  readonly queue: string;
  /** Conversations the search found in it (all runs of the window together). */
  readonly found: number;
  /** Every found conversation is archived, unchanged or parked (the watermark moved past it, for scheduled runs). */
  readonly complete: boolean;
  /** This run continued a window an earlier (interrupted) run had started. */
  readonly resumed: boolean;
}

export interface ArchiveRunSummary {
  /** Correlates log lines, audit records and webhook events of one run. */
  readonly runId: string;
  /** The job_runs row, when one was written. */
  readonly jobRunId?: number;
  readonly kind: ArchiveRunKind;
  readonly role: ArchiveRunRole;
  readonly status: ArchiveRunStatus;
  readonly windows: readonly ArchiveWindowReport[];
  /** Conversations found by the search in this run's windows. */
  readonly found: number;
  /** New versions written and indexed by this process. */
  readonly archived: number;
  /** Conversations whose content was archived already (nothing written). */
  readonly unchanged: number;
  /** Failed attempts that will be retried. */
  readonly failed: number;
  /** Conversations dead-lettered after their last attempt. */
  readonly parked: number;
  /** Genesys HTTP exchanges during the run (the transport's requestCount delta). */
  readonly apiCalls: number;
  readonly durationMs: number;
  /** Scheduled runs: where the watermark stands afterwards (ISO-8601). */
  readonly watermark?: string;
  /** Why the run failed or was skipped. */
  readonly error?: string;
  /**
   * When a storage fault stopped the run (a full disk, a database unreachable for the
   * whole retry budget): its class, code and a plain-words message naming the place.
   */
  readonly storageFault?: { readonly faultClass: StoreFaultClass; readonly code: string; readonly message: string };
}

/** Counts outcomes as a run goes. */
export class OutcomeTally {
  archived = 0;
  unchanged = 0;
  failed = 0;
  parked = 0;

  add(outcome: ConversationOutcome): void {
    if (outcome === 'archived' || outcome === 'unchanged' || outcome === 'failed' || outcome === 'parked') this[outcome]++;
  }

  counts(): { archived: number; unchanged: number; failed: number; parked: number } {
    return { archived: this.archived, unchanged: this.unchanged, failed: this.failed, parked: this.parked };
  }
}
