/**
 * Frames of the Web Messaging Guest WebSocket, as the real service sends them
 * (genesys-api.md §4; shapes checked against the messenger transport SDK's fixtures):
 * `{type: "response" | "message", class, code, body, tracingId?}`. Answers to a request are
 * `response` frames carrying its tracingId; pushes (agent messages, upload results, expiry)
 * are `message` frames. Errors are `class: "string"` frames whose code is the 4xxx below and
 * whose body is a sentence.
 */

export enum GuestErrorCode {
  BadRequest = 400,
  /** The deployment is unknown or inactive (the SDK's corrective action for 403 names the deploymentId). */
  Forbidden = 403,
  FileTypeInvalid = 4001,
  FileSizeInvalid = 4002,
  FileNameInvalid = 4004,
  SessionExpired = 4006,
  SessionNotFound = 4007,
  AttachmentNotFound = 4009,
  AttachmentNotUploaded = 4010,
  MessageTooLong = 4011,
  CustomAttributesTooLarge = 4013,
  MissingParameter = 4020,
  RequestRateTooHigh = 4029,
}

export interface GuestServerFrame {
  type: 'response' | 'message';
  class: string;
  code: number;
  body: unknown;
  tracingId?: string;
}

/** A request the server refuses; becomes an error frame (or a GenerateUrlError for uploads). */
export class GuestFrameError extends Error {
  constructor(
    readonly code: GuestErrorCode,
    message: string,
    /** Seconds, for 4029. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GuestFrameError';
  }
}

export function responseFrame(cls: string, body: unknown, tracingId?: string, code = 200): GuestServerFrame {
  return withTracingId({ type: 'response', class: cls, code, body }, tracingId);
}

export function messageFrame(cls: string, body: unknown, tracingId?: string): GuestServerFrame {
  return withTracingId({ type: 'message', class: cls, code: 200, body }, tracingId);
}

export function errorFrame(error: GuestFrameError, tracingId?: string): GuestServerFrame {
  if (error.code === GuestErrorCode.RequestRateTooHigh) {
    return responseFrame(
      'TooManyRequestsErrorMessage',
      { retryAfter: error.retryAfterSeconds ?? 1, errorCode: GuestErrorCode.RequestRateTooHigh, errorMessage: error.message },
      tracingId,
      429,
    );
  }
  return responseFrame('string', error.message, tracingId, error.code);
}

function withTracingId(frame: GuestServerFrame, tracingId?: string): GuestServerFrame {
  return tracingId === undefined ? frame : { ...frame, tracingId };
}
