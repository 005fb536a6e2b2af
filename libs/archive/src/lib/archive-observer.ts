import type { ArchiveRunSummary } from './archive-run-summary';

/**
 * What happened to one conversation in one attempt:
 * - archived: a new version was written and indexed
 * - unchanged: its content is archived already; nothing was written
 * - failed: the attempt failed and the conversation will be tried again after a backoff
 * - parked: the last allowed attempt failed; it is dead-lettered and the run carries on
 * - released: the run stopped before it finished; handed back untouched
 * - lost: its lease expired and another worker took it over
 */
export type ConversationOutcome = 'archived' | 'unchanged' | 'failed' | 'parked' | 'released' | 'lost';

export interface ConversationEvent {
  readonly runId: string;
  readonly conversationId: string;
  readonly outcome: ConversationOutcome;
  readonly attempt: number;
  readonly durationMs: number;
  /** The archived version (archived and unchanged). */
  readonly version?: number;
  readonly contentHash?: string;
  readonly error?: string;
}

/** Hooks for metrics and progress; every method optional. Must not throw. */
export interface ArchiveObserver {
  runStarted?(event: { readonly runId: string; readonly kind: ArchiveRunSummary['kind'] }): void;
  conversation?(event: ConversationEvent): void;
  runFinished?(summary: ArchiveRunSummary): void;
  /** This replica took the run lease over from one that stopped renewing it. */
  leaseTakenOver?(event: {
    readonly jobName: string;
    readonly from: string;
    readonly by: string;
    readonly expiresAt: number;
    readonly noticedAt: number;
    readonly processGone: boolean;
  }): void;
  /** This replica ended job runs whose holders had stopped renewing them. */
  runsAbandoned?(count: number): void;
}
