import {
  GenesysAbortedError,
  GenesysNotFoundError,
  GenesysServerError,
  GenesysValidationError,
  systemClock,
  type Clock,
  type GenesysRequest,
  type GenesysResponse,
} from '@gcm/genesys-auth';
import type { AnalyticsFilter, AttributeSearchBody, DetailsJobBody, DetailsQueryBody } from '../lib/analytics-request';
import type { AnalyticsJobState } from '../lib/search-stream.error';
import { ATTRIBUTE_SEARCH_PATH, DETAILS_JOBS_PATH, DETAILS_QUERY_PATH, type SearchTransport } from '../lib/sources/search-source';

const DAY = 86_400_000;

/** A conversation as the fake knows it; rendered as analytics rows and attribute search rows. */
export interface FakeConversation {
  conversationId: string;
  conversationStart: string;
  conversationEnd?: string;
  divisionIds?: string[];
  originatingDirection?: 'inbound' | 'outbound';
  messageType?: string;
  queueId?: string;
  externalTag?: string;
  attributes?: Record<string, string>;
}

export interface FakeRequest {
  method: string;
  path: string;
  query?: GenesysRequest['query'];
  body?: unknown;
}

export interface FakeAnalyticsApiOptions {
  /** Time for job expiry; share the search's FakeClock to drive expiry. */
  clock?: Clock;
  /** Status polls a job answers PENDING before FULFILLED (default 1). */
  pollsUntilFulfilled?: number;
  /** How long a fulfilled job's results stay readable (default 1 hour). */
  jobLifetimeMs?: number;
  /** Return results in conversationStart order as asked (default true). */
  honourOrder?: boolean;
  /** How far the fake's clock is ahead of the client's (dates it reports), for skew tests. */
  serverClockOffsetMs?: number;
}

interface FakeJob {
  id: string;
  body: DetailsJobBody;
  state: AnalyticsJobState;
  polls: number;
  submittedAt: number;
  expiresAt?: number;
  results?: FakeConversation[];
  deleted: boolean;
}

/**
 * An in-memory stand-in for the three search endpoints, with the real semantics
 * (the query matches whole UTC start days; jobs match activity; attribute DATE_RANGE is
 * inclusive at both ends) and knobs for the awkward cases: failing, cancelled and
 * expiring jobs, repeated cursors, data arriving between pages. Pair it with the real
 * `ConversationSearch` in unit tests; use the sandbox for HTTP-level tests.
 */
export class FakeAnalyticsApi implements SearchTransport {
  readonly requests: FakeRequest[] = [];
  readonly jobs = new Map<string, FakeJob>();
  /** Called before each request is answered (e.g. to abort, or to add data mid-stream). */
  onRequest?: (request: FakeRequest) => void;
  private conversations: FakeConversation[];
  private readonly clock: Clock;
  private readonly pollsUntilFulfilled: number;
  private readonly jobLifetimeMs: number;
  private readonly honourOrder: boolean;
  private readonly offsetMs: number;
  private nextJob = 1;
  private jobOutcome?: { state: 'FAILED' | 'CANCELLED' | 'EXPIRED'; errorMessage?: string; times: number };
  private expireAfterPages?: { pages: number; times: number };
  private repeatCursor = false;
  private serverErrors = 0;
  private serverErrorFilter: (request: FakeRequest) => boolean = () => true;

  constructor(conversations: FakeConversation[], options: FakeAnalyticsApiOptions = {}) {
    this.conversations = [...conversations];
    this.clock = options.clock ?? systemClock;
    this.pollsUntilFulfilled = options.pollsUntilFulfilled ?? 1;
    this.jobLifetimeMs = options.jobLifetimeMs ?? 3_600_000;
    this.honourOrder = options.honourOrder ?? true;
    this.offsetMs = options.serverClockOffsetMs ?? 0;
  }

  /** Adds conversations, as new analytics data arriving would. */
  add(...conversations: FakeConversation[]): void {
    this.conversations.push(...conversations);
  }

  /** The next `times` jobs end in `state` instead of FULFILLED. */
  failNextJobs(state: 'FAILED' | 'CANCELLED' | 'EXPIRED', times = 1, errorMessage?: string): void {
    this.jobOutcome = { state, errorMessage, times };
  }

  /** Fulfilled jobs vanish (results answer 404) after serving `pages` pages, `times` times. */
  expireJobsAfterPages(pages: number, times = 1): void {
    this.expireAfterPages = { pages, times };
  }

  /** The next `times` requests (that `which` picks) fail with a 500, as a transport that does not retry it passes on. */
  failNextRequests(times: number, which: (request: FakeRequest) => boolean = () => true): void {
    this.serverErrors = times;
    this.serverErrorFilter = which;
  }

  /** Cursor endpoints hand back the cursor they were given instead of the next one. */
  repeatCursors(on = true): void {
    this.repeatCursor = on;
  }

  requestsTo(method: string, pathPrefix: string): FakeRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  async get<T>(path: string, init: Omit<GenesysRequest, 'method' | 'path' | 'body'> = {}): Promise<GenesysResponse<T>> {
    return this.handle<T>({ method: 'GET', path, query: init.query }, init.signal);
  }

  async post<T>(path: string, body?: unknown, init: Omit<GenesysRequest, 'method' | 'path' | 'body'> = {}): Promise<GenesysResponse<T>> {
    return this.handle<T>({ method: 'POST', path, body: structuredClone(body) }, init.signal);
  }

  async delete<T>(path: string, init: Omit<GenesysRequest, 'method' | 'path' | 'body'> = {}): Promise<GenesysResponse<T>> {
    return this.handle<T>({ method: 'DELETE', path }, init.signal);
  }

  private async handle<T>(request: FakeRequest, signal?: AbortSignal): Promise<GenesysResponse<T>> {
    await Promise.resolve();
    this.requests.push(request);
    this.onRequest?.(request);
    if (signal?.aborted) {
      throw new GenesysAbortedError({ message: `Genesys ${request.method} ${request.path} was aborted by the caller`, method: request.method, path: request.path });
    }
    if (this.serverErrors > 0 && this.serverErrorFilter(request)) {
      this.serverErrors--;
      throw new GenesysServerError({
        status: 500,
        code: 'internal.server.error',
        message: `Genesys ${request.method} ${request.path} failed with 500 internal.server.error`,
        method: request.method,
        path: request.path,
        retryable: false,
      });
    }
    const data = this.route(request);
    return { status: 200, data: data as T, headers: {}, attempts: 1 };
  }

  private route(request: FakeRequest): unknown {
    const { method, path } = request;
    if (method === 'POST' && path === DETAILS_QUERY_PATH) return this.query(request.body as DetailsQueryBody);
    if (method === 'POST' && path === ATTRIBUTE_SEARCH_PATH) return this.attributeSearch(request.body as AttributeSearchBody);
    if (method === 'POST' && path === DETAILS_JOBS_PATH) return this.submit(request.body as DetailsJobBody);
    const match = path.startsWith(`${DETAILS_JOBS_PATH}/`) ? path.slice(DETAILS_JOBS_PATH.length + 1).split('/') : undefined;
    if (match) {
      const job = this.jobs.get(decodeURIComponent(match[0]));
      if (!job || job.deleted) throw notFound(method, path);
      if (method === 'DELETE' && match.length === 1) {
        job.deleted = true;
        return undefined;
      }
      if (method === 'GET' && match.length === 1) return this.status(job);
      if (method === 'GET' && match[1] === 'results') return this.results(job, request, method, path);
    }
    throw notFound(method, path);
  }

  private query(body: DetailsQueryBody): unknown {
    const [start, end] = parseInterval(body.interval);
    // "started on a day touched by the interval"
    const dayStart = Math.floor(start / DAY) * DAY;
    const dayEnd = Math.ceil(end / DAY) * DAY;
    const matches = this.sorted(
      this.conversations.filter((c) => {
        const s = Date.parse(c.conversationStart);
        return s >= dayStart && s < dayEnd && matchesFilters(c, body);
      }),
    );
    const { pageSize, pageNumber } = body.paging;
    if (pageSize > 100) {
      throw new GenesysValidationError({ status: 400, code: 'bad.request', message: 'pageSize must be at most 100' });
    }
    const page = matches.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return { ...(page.length > 0 ? { conversations: page.map(toAnalyticsRow) } : {}), totalHits: matches.length };
  }

  private submit(body: DetailsJobBody): unknown {
    const id = `job-${this.nextJob++}`;
    this.jobs.set(id, { id, body, state: 'QUEUED', polls: 0, submittedAt: this.clock.now(), deleted: false });
    return { jobId: id };
  }

  private status(job: FakeJob): unknown {
    job.polls++;
    if (job.state === 'QUEUED' || job.state === 'PENDING') {
      if (job.polls < this.pollsUntilFulfilled) job.state = 'PENDING';
      else if (this.jobOutcome && this.jobOutcome.times > 0) {
        job.state = this.jobOutcome.state;
        this.jobOutcome.times--;
      } else {
        job.state = 'FULFILLED';
        job.expiresAt = this.clock.now() + this.jobLifetimeMs;
        const [start, end] = parseInterval(job.body.interval);
        job.results = this.sorted(
          this.conversations.filter((c) => {
            const s = Date.parse(c.conversationStart);
            const e = c.conversationEnd ? Date.parse(c.conversationEnd) : Infinity;
            return s < end && e >= start && matchesFilters(c, job.body);
          }),
        );
      }
    }
    return {
      state: job.state,
      ...(job.state === 'FAILED' ? { errorMessage: this.jobOutcome?.errorMessage ?? 'analytics failure' } : {}),
      ...(job.expiresAt !== undefined ? { expirationDate: new Date(job.expiresAt + this.offsetMs).toISOString() } : {}),
      submissionDate: new Date(job.submittedAt + this.offsetMs).toISOString(),
    };
  }

  private results(job: FakeJob, request: FakeRequest, method: string, path: string): unknown {
    if (job.state !== 'FULFILLED' || !job.results) {
      throw new GenesysValidationError({ status: 400, code: 'bad.request', message: `job is ${job.state}`, method, path });
    }
    if (job.expiresAt !== undefined && this.clock.now() >= job.expiresAt) throw notFound(method, path);
    const query = request.query ?? {};
    const pageSize = Number(query['pageSize'] ?? 25);
    const cursor = query['cursor'] as string | undefined;
    const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
    const served = offset / pageSize;
    if (this.expireAfterPages && this.expireAfterPages.times > 0 && served >= this.expireAfterPages.pages) {
      this.expireAfterPages.times--;
      job.deleted = true;
      throw notFound(method, path);
    }
    const page = job.results.slice(offset, offset + pageSize);
    const nextOffset = offset + pageSize;
    const next = nextOffset < job.results.length ? Buffer.from(String(nextOffset)).toString('base64url') : undefined;
    return {
      conversations: page.map(toAnalyticsRow),
      ...(next ? { cursor: this.repeatCursor && cursor ? cursor : next } : {}),
      dataAvailabilityDate: new Date(this.clock.now()).toISOString(),
    };
  }

  private attributeSearch(body: AttributeSearchBody): unknown {
    const range = body.query.find((q) => q.type === 'DATE_RANGE');
    const start = Date.parse(range?.startValue ?? '');
    const end = Date.parse(range?.endValue ?? '');
    const exact = body.query.filter((q) => q.type === 'EXACT');
    const matches = this.sorted(
      this.conversations.filter((c) => {
        const s = Date.parse(c.conversationStart);
        // inclusive at both ends, as the real DATE_RANGE
        if (!(s >= start && s <= end)) return false;
        return exact.every((q) => {
          const values = q.values ?? (q.value ? [q.value] : []);
          const field = q.fields[0];
          if (field === 'conversationId') return values.includes(c.conversationId);
          if (field === 'divisionId') return (c.divisionIds ?? []).some((d) => values.includes(d));
          return false;
        });
      }),
    );
    const pageSize = 25;
    const offset = body.cursor ? Number(Buffer.from(body.cursor, 'base64url').toString('utf8')) : 0;
    const page = matches.slice(offset, offset + pageSize);
    const next = offset + pageSize < matches.length ? Buffer.from(String(offset + pageSize)).toString('base64url') : undefined;
    return {
      types: ['participant_attributes'],
      results: page.map((c) => ({
        conversationId: c.conversationId,
        startTime: c.conversationStart,
        ...(c.conversationEnd ? { endTime: c.conversationEnd } : {}),
        divisionIds: c.divisionIds ?? [],
        participantData: [
          { participantId: `p-${c.conversationId}`, participantPurpose: 'customer', participantAttributes: c.attributes ?? {} },
        ],
        truncatedData: false,
      })),
      ...(next ? { cursor: this.repeatCursor && body.cursor ? body.cursor : next } : {}),
    };
  }

  private sorted(list: FakeConversation[]): FakeConversation[] {
    if (!this.honourOrder) return list;
    return [...list].sort(
      (a, b) => Date.parse(a.conversationStart) - Date.parse(b.conversationStart) || a.conversationId.localeCompare(b.conversationId),
    );
  }
}

function notFound(method: string, path: string): GenesysNotFoundError {
  return new GenesysNotFoundError({ status: 404, code: 'not.found', message: `Genesys ${method} ${path} failed with 404 not.found`, method, path });
}

function parseInterval(interval: string): [number, number] {
  const [a, b] = interval.split('/');
  return [Date.parse(a), Date.parse(b)];
}

function matchesFilters(c: FakeConversation, body: { conversationFilters?: AnalyticsFilter[]; segmentFilters?: AnalyticsFilter[] }): boolean {
  const filters = [...(body.conversationFilters ?? []), ...(body.segmentFilters ?? [])];
  return filters.every((filter) => {
    const results = filter.predicates.map((p) => dimensionValues(c, p.dimension).includes(p.value));
    return filter.type === 'or' ? results.some(Boolean) : results.every(Boolean);
  });
}

function dimensionValues(c: FakeConversation, dimension: string): string[] {
  switch (dimension) {
    case 'conversationId':
      return [c.conversationId];
    case 'divisionId':
      return c.divisionIds ?? [];
    case 'originatingDirection':
      return c.originatingDirection ? [c.originatingDirection] : [];
    case 'externalTag':
      return c.externalTag ? [c.externalTag] : [];
    case 'mediaType':
      return ['message'];
    case 'messageType':
      return c.messageType ? [c.messageType] : [];
    case 'queueId':
      return c.queueId ? [c.queueId] : [];
    default:
      return [];
  }
}

function toAnalyticsRow(c: FakeConversation): unknown {
  return {
    conversationId: c.conversationId,
    conversationStart: c.conversationStart,
    ...(c.conversationEnd ? { conversationEnd: c.conversationEnd } : {}),
    ...(c.originatingDirection ? { originatingDirection: c.originatingDirection } : {}),
    divisionIds: c.divisionIds ?? [],
    ...(c.externalTag ? { externalTag: c.externalTag } : {}),
    participants: [
      {
        participantId: `p-${c.conversationId}`,
        purpose: 'customer',
        sessions: [
          {
            mediaType: 'message',
            ...(c.messageType ? { messageType: c.messageType } : {}),
            segments: [{ segmentType: 'interact', ...(c.queueId ? { queueId: c.queueId } : {}) }],
          },
        ],
      },
    ],
  };
}
