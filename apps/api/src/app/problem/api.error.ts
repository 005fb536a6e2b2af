/** A field a request got wrong, as the 400 problem lists it. */
export interface FieldProblem {
  /** Dotted path into the body, or the query/path parameter name, e.g. `attachment.fileName`, `from`. */
  readonly field: string;
  readonly message: string;
  /** A machine-readable reason where one exists (e.g. a messaging ViolationCode). */
  readonly code?: string;
}

export interface ApiErrorInit {
  readonly status: number;
  /** Last part of the problem type URI: `urn:gcm:problem:<slug>`. */
  readonly slug: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly FieldProblem[];
  /** Extra response headers (Retry-After, WWW-Authenticate). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extension members of the problem (RFC 9457 §3.2). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The base of every error the API answers deliberately. Feature errors subclass it in
 * small `*.error.ts` files; `ProblemDetailsFilter` turns it into problem+json.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly errors?: readonly FieldProblem[];
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(init: ApiErrorInit) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.slug = init.slug;
    this.title = init.title;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}
