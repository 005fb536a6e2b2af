/** Why the channel manager refused or failed something. */
export enum NotificationsErrorCode {
  /** A topic id is malformed (empty, over 200 characters, or not a conversation topic). */
  InvalidTopic = 'INVALID_TOPIC',
  /** More topics than `maxChannels × maxTopicsPerChannel` (20 × 1,000 on Genesys). */
  TooManyTopics = 'TOO_MANY_TOPICS',
  /** Options out of range (e.g. more than 1,000 topics per channel). */
  InvalidOptions = 'INVALID_OPTIONS',
  /** The manager was closed. */
  Closed = 'CLOSED',
  /** Genesys answered a subscriptions request with something unreadable. */
  UnexpectedResponse = 'UNEXPECTED_RESPONSE',
}

export class NotificationsError extends Error {
  override readonly name = 'NotificationsError';

  constructor(
    readonly code: NotificationsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
