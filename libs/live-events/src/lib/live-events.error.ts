/** What went wrong in the live events lib; each code says what to do about it. */
export enum LiveEventsErrorCode {
  /** A subscriber fell more than `maxBuffered` events behind; reconnect (e.g. the SSE client) to resume. */
  SubscriberOverflow = 'SUBSCRIBER_OVERFLOW',
  /** The stream was stopped. */
  Closed = 'CLOSED',
  /** An option is out of range; the message names it. */
  InvalidOptions = 'INVALID_OPTIONS',
  /** A QA snapshot window is empty or reversed. */
  InvalidWindow = 'INVALID_WINDOW',
  /** A stored QA snapshot has a schema version this code does not know. */
  UnsupportedSnapshot = 'UNSUPPORTED_SNAPSHOT',
}

export class LiveEventsError extends Error {
  override readonly name = 'LiveEventsError';

  constructor(
    readonly code: LiveEventsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
