/** What went wrong in a conversation search, for callers that branch on it. */
export enum SearchStreamErrorCode {
  /** A search criterion or option is out of range; `field` names it. */
  InvalidCriteria = 'INVALID_CRITERIA',
  /** The resume token is not one this library issued, or is damaged. */
  InvalidResumeToken = 'INVALID_RESUME_TOKEN',
  /** The resume token belongs to a different search (criteria, window or strategy). */
  ResumeTokenMismatch = 'RESUME_TOKEN_MISMATCH',
  /** The stream cannot continue without risking a repeat (see README, "Guarantees"). */
  ResumeNotExact = 'RESUME_NOT_EXACT',
  /** Genesys reported the analytics job as FAILED. */
  JobFailed = 'JOB_FAILED',
  /** Someone else cancelled the analytics job (state CANCELLED). */
  JobCancelled = 'JOB_CANCELLED',
  /** The analytics job kept expiring; resubmitting did not help. */
  JobExpired = 'JOB_EXPIRED',
  /** The analytics job was not FULFILLED within `job.timeoutMs`. */
  JobTimeout = 'JOB_TIMEOUT',
  /** The caller aborted the search through its AbortSignal. */
  Aborted = 'ABORTED',
  /** A stream was iterated a second time; resume it with its token instead. */
  AlreadyIterated = 'ALREADY_ITERATED',
  /** Genesys answered with a body this library cannot read. */
  UnexpectedResponse = 'UNEXPECTED_RESPONSE',
}

export class SearchStreamError extends Error {
  constructor(
    readonly code: SearchStreamErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A criterion or option failed validation. */
export class SearchCriteriaError extends SearchStreamError {
  constructor(
    /** The option at fault, e.g. `interval.end` or `pageSize`. */
    readonly field: string,
    message: string,
  ) {
    super(SearchStreamErrorCode.InvalidCriteria, `Invalid search ${field}: ${message}`);
  }
}

export type AnalyticsJobState = 'QUEUED' | 'PENDING' | 'FAILED' | 'CANCELLED' | 'FULFILLED' | 'EXPIRED';

/** An analytics details job ended in a state the search cannot use. */
export class SearchJobError extends SearchStreamError {
  constructor(
    code: SearchStreamErrorCode.JobFailed | SearchStreamErrorCode.JobCancelled | SearchStreamErrorCode.JobExpired | SearchStreamErrorCode.JobTimeout,
    readonly jobId: string,
    readonly state: AnalyticsJobState | undefined,
    message: string,
    /** `errorMessage` as Genesys reported it, for FAILED jobs. */
    readonly jobErrorMessage?: string,
  ) {
    super(code, message);
  }
}

/** A resume token could not be used. */
export class ResumeTokenError extends SearchStreamError {
  constructor(
    code: SearchStreamErrorCode.InvalidResumeToken | SearchStreamErrorCode.ResumeTokenMismatch,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The caller's AbortSignal fired; any analytics job in progress was cancelled. */
export class SearchAbortedError extends SearchStreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(SearchStreamErrorCode.Aborted, message, options);
  }
}
