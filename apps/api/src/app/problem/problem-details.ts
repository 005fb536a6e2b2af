import type { FieldProblem } from './api.error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_PREFIX = 'urn:gcm:problem:';

/** RFC 9457 problem details, with the API's extension members. */
export interface ProblemDetails {
  /** `urn:gcm:problem:<slug>`, or `about:blank` for plain HTTP errors. */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The request path. */
  readonly instance?: string;
  /** Also in the X-Request-Id response header: quote it when reporting a problem. */
  readonly requestId?: string;
  /** Validation failures: one entry per field problem. */
  readonly errors?: readonly FieldProblem[];
  readonly [extension: string]: unknown;
}
