/** What went wrong in the archive pipeline, so callers can react without parsing messages. */
export enum ArchiveErrorCode {
  /** An option is missing or out of range; the message names it. */
  InvalidOptions = 'INVALID_OPTIONS',
  /** A backfill window is malformed (unparseable, empty or reversed). */
  InvalidWindow = 'INVALID_WINDOW',
  /** This process no longer holds the run lease: another replica took the run over. */
  RunLeaseLost = 'RUN_LEASE_LOST',
  /** The lease on a work item expired and another worker took the conversation. */
  ItemLeaseLost = 'ITEM_LEASE_LOST',
  /** The stored run state cannot be read (written by an incompatible version). */
  InvalidState = 'INVALID_STATE',
  /** Finding the window's conversations failed; the next run resumes the search. */
  DiscoveryFailed = 'DISCOVERY_FAILED',
  /** The run was stopped (shutdown) before its window was complete. */
  Cancelled = 'CANCELLED',
}

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';

  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
