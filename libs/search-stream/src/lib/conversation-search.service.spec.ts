import { FakeClock } from '@gcm/genesys-auth/testing';
import { take, toArray as collect, lastValueFrom } from 'rxjs';
import { FakeAnalyticsApi, fakeConversations, type FakeConversation } from '../testing';
import { DAY_MS } from './chunk-plan';
import { ConversationFilter } from './conversation-filter.builder';
import type { SearchProgress } from './conversation-search-stream';
import { ConversationSearch, type ConversationSearchOptions } from './conversation-search.service';
import type { ConversationSummary } from './conversation-summary';
import { decodeResumeToken, encodeResumeToken } from './resume-token';
import {
  ResumeTokenError,
  SearchAbortedError,
  SearchCriteriaError,
  SearchJobError,
  SearchStreamErrorCode,
} from './search-stream.error';
import { DETAILS_JOBS_PATH, DETAILS_QUERY_PATH } from './sources/search-source';

const FROM = Date.parse('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;

function setup(conversations: FakeConversation[], options: Partial<ConversationSearchOptions> = {}, apiOptions = {}) {
  const clock = new FakeClock('2026-03-01T00:00:00.000Z');
  const api = new FakeAnalyticsApi(conversations, { clock, ...apiOptions });
  const search = new ConversationSearch({ transport: api, clock, sleep: clock.sleep, ...options });
  return { clock, api, search };
}

async function drain(iterable: AsyncIterable<ConversationSummary>): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of iterable) ids.push(summary.conversationId);
  return ids;
}

/** Ids that started in [from, to). */
function startedIn(conversations: FakeConversation[], from: number, to: number): string[] {
  return conversations
    .filter((c) => Date.parse(c.conversationStart) >= from && Date.parse(c.conversationStart) < to)
    .map((c) => c.conversationId)
    .sort();
}

function expectExactly(ids: string[], expected: string[]): void {
  expect(new Set(ids).size).toBe(ids.length); // no repeats
  expect([...ids].sort()).toEqual(expected);
}

describe('ConversationSearch', () => {
  const month = fakeConversations({ count: 3_000, from: FROM - 2 * DAY_MS, to: FROM + 32 * DAY_MS, seed: 7 });

  describe('strategy', () => {
    it('uses the details query for a short window and yields exactly the conversations that started in it', async () => {
      const from = FROM + 3 * DAY_MS + 5 * HOUR;
      const to = from + 30 * HOUR;
      const { api, search } = setup(month);
      const ids = await drain(search.search(ConversationFilter.between(from, to).build()));
      expectExactly(ids, startedIn(month, from, to));
      const queries = api.requestsTo('POST', DETAILS_QUERY_PATH);
      expect(queries.length).toBeGreaterThan(1);
      expect(api.requestsTo('POST', DETAILS_JOBS_PATH)).toHaveLength(0);
      // chunked by UTC day, 100 per page
      expect(queries[0].body).toMatchObject({
        interval: `${new Date(from).toISOString()}/2026-01-05T00:00:00.000Z`,
        paging: { pageSize: 100, pageNumber: 1 },
        order: 'asc',
        orderBy: 'conversationStart',
      });
    });

    it('uses details jobs for a long window: one job per day, each DELETEd once read', async () => {
      const to = FROM + 30 * DAY_MS;
      const { api, search } = setup(month);
      const ids = await drain(search.search({ interval: { start: FROM, end: to } }));
      expectExactly(ids, startedIn(month, FROM, to));
      const submitted = api.requestsTo('POST', DETAILS_JOBS_PATH);
      expect(submitted).toHaveLength(30);
      expect(submitted[0].body).toEqual({
        interval: '2026-01-01T00:00:00.000Z/2026-01-02T00:00:00.000Z',
        order: 'asc',
        orderBy: 'conversationStart',
      });
      expect(api.requestsTo('DELETE', DETAILS_JOBS_PATH)).toHaveLength(30);
      expect(api.requestsTo('POST', DETAILS_QUERY_PATH)).toHaveLength(0);
    });

    it('with deferJobCleanup, keeps finished jobs for an earlier saved token until they are released', async () => {
      const to = FROM + 3 * DAY_MS;
      const { api, search } = setup(month);
      const stream = search.search({ interval: { start: FROM, end: to } }, { deferJobCleanup: true });
      let savedToken: string | undefined;
      let seen = 0;
      for await (const summary of stream) {
        void summary;
        // a consumer that saves a token only once, early in the first day
        if (++seen === 1) savedToken = stream.resumeToken();
      }
      expect(api.requestsTo('DELETE', DETAILS_JOBS_PATH)).toHaveLength(0);
      // the early token still resumes: its job was kept
      const resumed = await drain(search.search({ interval: { start: FROM, end: to } }, { resumeFrom: savedToken }));
      expect(resumed.length).toBe(seen - 1);
      await stream.releaseFinishedJobs();
      expect(api.requestsTo('DELETE', DETAILS_JOBS_PATH).length).toBeGreaterThanOrEqual(3);
    });

    it("the same window gives the same conversations whichever strategy reads it", async () => {
      const from = FROM + 2 * DAY_MS + 7 * HOUR;
      const to = from + 20 * HOUR;
      const viaQuery = await drain(setup(month).search.search({ interval: { start: from, end: to } }, { strategy: 'query' }));
      const viaJobs = await drain(setup(month).search.search({ interval: { start: from, end: to } }, { strategy: 'jobs' }));
      expect(viaJobs.sort()).toEqual(viaQuery.sort());
    });

    it("match 'activity' includes conversations that started earlier and yields each spanning conversation once", async () => {
      const list: FakeConversation[] = [
        // started before the window, still going in it
        { conversationId: 'early', conversationStart: '2025-12-31T20:00:00.000Z', conversationEnd: '2026-01-02T03:00:00.000Z' },
        // spans three daily chunks
        { conversationId: 'long', conversationStart: '2026-01-01T22:00:00.000Z', conversationEnd: '2026-01-03T02:00:00.000Z' },
        { conversationId: 'short', conversationStart: '2026-01-02T10:00:00.000Z', conversationEnd: '2026-01-02T10:05:00.000Z' },
        // ended before the window
        { conversationId: 'gone', conversationStart: '2025-12-30T10:00:00.000Z', conversationEnd: '2025-12-30T11:00:00.000Z' },
      ];
      const { search } = setup(list);
      const interval = { start: FROM, end: FROM + 3 * DAY_MS };
      expect((await drain(search.search({ interval }, { match: 'activity' }))).sort()).toEqual(['early', 'long', 'short']);
      expect((await drain(search.search({ interval }, { strategy: 'jobs' }))).sort()).toEqual(['long', 'short']);
    });

    it('passes the filters through and keeps only matching conversations', async () => {
      const { search } = setup(month);
      const to = FROM + 10 * DAY_MS;
      const criteria = ConversationFilter.between(FROM, to).messageTypes('open').queueIds('queue-a').build();
      const expected = month
        .filter((c) => c.messageType === 'open' && c.queueId === 'queue-a')
        .filter((c) => Date.parse(c.conversationStart) >= FROM && Date.parse(c.conversationStart) < to)
        .map((c) => c.conversationId);
      expectExactly(await drain(search.search(criteria)), expected.sort());
    });

    it("refuses match 'activity' with the query strategy", () => {
      const { search } = setup([]);
      expect(() => search.search({ interval: { start: FROM, end: FROM + HOUR } }, { strategy: 'query', match: 'activity' })).toThrow(
        SearchCriteriaError,
      );
    });
  });

  describe('options validation', () => {
    it('names the option and its limit', () => {
      const clock = new FakeClock();
      const api = new FakeAnalyticsApi([]);
      expect(() => new ConversationSearch({ transport: api, queryPageSize: 101 })).toThrow(
        'Invalid search queryPageSize: must be a whole number from 1 to 100, got 101',
      );
      expect(() => new ConversationSearch({ transport: api, jobs: { resultsPageSize: 0 } })).toThrow(/jobs.resultsPageSize/);
      expect(() => new ConversationSearch({ transport: api, attributeChunkMs: 2 * DAY_MS })).toThrow(/24 hours/);
      const search = new ConversationSearch({ transport: api, clock, sleep: clock.sleep });
      expect(() => search.search({ interval: { start: FROM, end: FROM + HOUR } }, { maxResults: 0 })).toThrow(/maxResults/);
    });
  });

  describe('details jobs', () => {
    const day = fakeConversations({ count: 250, from: FROM, to: FROM + DAY_MS, seed: 3 });
    const interval = { start: FROM, end: FROM + DAY_MS };

    it('polls with backoff until FULFILLED, on the injected clock', async () => {
      const { clock, api, search } = setup(day, {}, { pollsUntilFulfilled: 4 });
      expectExactly(await drain(search.search({ interval }, { strategy: 'jobs' })), startedIn(day, FROM, FROM + DAY_MS));
      expect(clock.sleeps).toEqual([1_000, 2_000, 4_000, 8_000]);
      expect(api.requestsTo('GET', DETAILS_JOBS_PATH).filter((r) => !r.path.endsWith('/results'))).toHaveLength(4);
    });

    it('a job that keeps FAILING is a typed error carrying its message', async () => {
      const { search, api } = setup(day);
      api.failNextJobs('FAILED', 3, 'quota exceeded');
      const error = await drain(search.search({ interval }, { strategy: 'jobs' })).catch((e) => e);
      expect(error).toBeInstanceOf(SearchJobError);
      expect(error.code).toBe(SearchStreamErrorCode.JobFailed);
      expect(error.jobId).toBe('job-3');
      expect(error.jobErrorMessage).toBe('quota exceeded');
      expect(error.message).toMatch(/FAILED 3 times: quota exceeded/);
      expect(api.requestsTo('POST', DETAILS_JOBS_PATH)).toHaveLength(3);
    });

    it('a job that FAILED once is submitted again', async () => {
      const { search, api } = setup(day);
      api.failNextJobs('FAILED', 1);
      expectExactly(await drain(search.search({ interval }, { strategy: 'jobs' })), startedIn(day, FROM, FROM + DAY_MS));
      expect(api.requestsTo('POST', DETAILS_JOBS_PATH)).toHaveLength(2);
    });

    it('a CANCELLED job is a typed error', async () => {
      const { search, api } = setup(day);
      api.failNextJobs('CANCELLED', 1);
      const error = await drain(search.search({ interval }, { strategy: 'jobs' })).catch((e) => e);
      expect(error).toBeInstanceOf(SearchJobError);
      expect(error.code).toBe(SearchStreamErrorCode.JobCancelled);
      expect(error.jobId).toBe('job-1');
      expect(error.message).toMatch(/CANCELLED by someone else/);
    });

    it('resubmits a job that expired before it was fulfilled', async () => {
      const { search, api } = setup(day);
      api.failNextJobs('EXPIRED', 1);
      expectExactly(await drain(search.search({ interval }, { strategy: 'jobs' })), startedIn(day, FROM, FROM + DAY_MS));
      expect(api.requestsTo('POST', DETAILS_JOBS_PATH)).toHaveLength(2);
    });

    it('gives up with JOB_EXPIRED when jobs keep expiring', async () => {
      const { search, api } = setup(day, { jobs: { maxResubmits: 2 } });
      api.failNextJobs('EXPIRED', 10);
      const error = await drain(search.search({ interval }, { strategy: 'jobs' })).catch((e) => e);
      expect(error.code).toBe(SearchStreamErrorCode.JobExpired);
      expect(api.requestsTo('POST', DETAILS_JOBS_PATH)).toHaveLength(3);
    });

    it('times out a job that never finishes, and cancels it', async () => {
      const { search, api } = setup(day, { jobs: { timeoutMs: 60_000 } }, { pollsUntilFulfilled: 1_000 });
      const error = await drain(search.search({ interval }, { strategy: 'jobs' })).catch((e) => e);
      expect(error).toBeInstanceOf(SearchJobError);
      expect(error.code).toBe(SearchStreamErrorCode.JobTimeout);
      expect(api.requestsTo('DELETE', `${DETAILS_JOBS_PATH}/job-1`)).toHaveLength(1);
    });

    it('a job that vanishes mid-results is resubmitted and the stream continues without repeats', async () => {
      const { search, api } = setup(day, { jobs: { resultsPageSize: 40 } });
      api.expireJobsAfterPages(3);
      const ids = await drain(search.search({ interval }, { strategy: 'jobs' }));
      expectExactly(ids, startedIn(day, FROM, FROM + DAY_MS));
      expect(api.requestsTo('POST', DETAILS_JOBS_PATH)).toHaveLength(2);
    });

    it('without memory of every id, the conversationStart watermark still prevents repeats', async () => {
      const { search, api } = setup(day, { jobs: { resultsPageSize: 40 }, dedupeWindow: 10 });
      api.expireJobsAfterPages(3);
      expectExactly(await drain(search.search({ interval }, { strategy: 'jobs' })), startedIn(day, FROM, FROM + DAY_MS));
    });

    it('refuses to continue (rather than repeat) when results were unordered and memory overflowed', async () => {
      const unordered = [...day].reverse();
      const { search, api } = setup(unordered, { jobs: { resultsPageSize: 40 }, dedupeWindow: 10 }, { honourOrder: false });
      api.expireJobsAfterPages(3);
      const error = await drain(search.search({ interval }, { strategy: 'jobs' })).catch((e) => e);
      expect(error.code).toBe(SearchStreamErrorCode.ResumeNotExact);
    });

    it('respects expirationDate: a job about to expire is replaced before its next page', async () => {
      const { clock, search, api } = setup(day, { jobs: { resultsPageSize: 50, expiryMarginMs: 60_000 } }, { jobLifetimeMs: 10 * 60_000 });
      const ids: string[] = [];
      for await (const summary of search.search({ interval }, { strategy: 'jobs' })) {
        ids.push(summary.conversationId);
        if (ids.length === 120) clock.set(clock.now() + 9.5 * 60_000); // inside the margin
      }
      expectExactly(ids, startedIn(day, FROM, FROM + DAY_MS));
      expect(api.requestsTo('POST', DETAILS_JOBS_PATH)).toHaveLength(2);
      // the expired job's results were never asked for past its lifetime
      const late = api.requestsTo('GET', `${DETAILS_JOBS_PATH}/job-1/results`);
      expect(late.length).toBeLessThanOrEqual(4);
    });

    it.each([-1, 1])('reads expirationDate relative to submissionDate, so a server clock a year off (%i) does not matter', async (sign) => {
      const { search, api } = setup(day, { jobs: { resultsPageSize: 50 } }, { serverClockOffsetMs: sign * 365 * DAY_MS });
      expectExactly(await drain(search.search({ interval }, { strategy: 'jobs' })), startedIn(day, FROM, FROM + DAY_MS));
      expect(api.requestsTo('POST', DETAILS_JOBS_PATH)).toHaveLength(1);
    });

    it('stops a chunk when the job repeats its cursor', async () => {
      const { search, api } = setup(day, { jobs: { resultsPageSize: 40 } });
      api.repeatCursors();
      const ids = await drain(search.search({ interval }, { strategy: 'jobs' }));
      expect(ids).toHaveLength(80); // page 1, then page 2 handed back the same cursor
      expect(new Set(ids).size).toBe(80);
    });
  });

  describe('server errors', () => {
    const interval = { start: FROM, end: FROM + DAY_MS };

    it('repeats a read answered 500, with growing waits', async () => {
      const { clock, search, api } = setup(month);
      api.failNextRequests(2);
      expectExactly(await drain(search.search({ interval })), startedIn(month, FROM, FROM + DAY_MS));
      expect(clock.sleeps).toEqual([1_000, 2_000]);
    });

    it('ends the stream when the 500s persist', async () => {
      const { search, api } = setup(month, { serverErrorRetries: 1 });
      api.failNextRequests(2);
      await expect(drain(search.search({ interval }))).rejects.toMatchObject({ status: 500 });
    });
  });

  describe('page drift', () => {
    it('a conversation shifting onto the next page is not yielded twice', async () => {
      const day = fakeConversations({ count: 300, from: FROM, to: FROM + DAY_MS, seed: 5 });
      const { search, api } = setup(day);
      const ids: string[] = [];
      let inserted = false;
      for await (const summary of search.search({ interval: { start: FROM, end: FROM + DAY_MS } })) {
        ids.push(summary.conversationId);
        if (ids.length === 100 && !inserted) {
          // late analytics data for an instant already paged past: every later row shifts by one
          api.add({ conversationId: 'late', conversationStart: new Date(FROM + 1_000).toISOString() });
          inserted = true;
        }
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(startedIn(day, FROM, FROM + DAY_MS));
    });
  });

  describe('maxResults and resume tokens', () => {
    const to = FROM + 30 * DAY_MS;
    const criteria = ConversationFilter.between(FROM, to).build();

    it.each(['jobs', 'query'] as const)('stop after N, resume in a new instance (%s): the union is complete, without repeats', async (strategy) => {
      const { search } = setup(month, { jobs: { resultsPageSize: 70 } });
      const first = search.search(criteria, { strategy, maxResults: 1_234 });
      const part1 = await drain(first);
      expect(part1).toHaveLength(1_234);
      expect(first.done).toBe(false);
      const token = first.resumeToken();

      const restarted = setup(month, { jobs: { resultsPageSize: 70 } }); // a new process
      const second = restarted.search.search(criteria, { strategy, resumeFrom: token });
      const part2 = await drain(second);
      expect(second.done).toBe(true);
      expect(second.results).toBe(part1.length + part2.length);
      expectExactly([...part1, ...part2], startedIn(month, FROM, to));
    });

    it('a stream that failed mid-way resumes from its token without repeats', async () => {
      const { search, api } = setup(month, { jobs: { resultsPageSize: 50 }, serverErrorRetries: 0 });
      const first = search.search(criteria);
      const part1: string[] = [];
      const error = await (async () => {
        for await (const summary of first) {
          part1.push(summary.conversationId);
          if (part1.length === 120) api.failNextRequests(1, (r) => r.path.endsWith('/results'));
        }
      })().catch((e) => e);
      expect(error).toMatchObject({ status: 500 });
      expect(part1.length).toBeGreaterThanOrEqual(120);
      const part2 = await drain(search.search(criteria, { resumeFrom: first.resumeToken() }));
      expectExactly([...part1, ...part2], startedIn(month, FROM, to));
    });

    it('resumes from a token whose job has since vanished', async () => {
      const { search, api } = setup(month, { jobs: { resultsPageSize: 30 } });
      const first = search.search(criteria, { maxResults: 45 });
      const part1 = await drain(first);
      const token = first.resumeToken();
      const jobId = (decodeResumeToken(token).at as { jobId: string }).jobId;
      api.jobs.get(jobId)!.deleted = true;
      const part2 = await drain(search.search(criteria, { resumeFrom: token }));
      expectExactly([...part1, ...part2], startedIn(month, FROM, to));
    });

    it('a completed stream gives a token that resumes to nothing', async () => {
      const { search } = setup(month);
      const small = ConversationFilter.between(FROM, FROM + 6 * HOUR).build();
      const stream = search.search(small);
      await drain(stream);
      expect(await drain(search.search(small, { resumeFrom: stream.resumeToken() }))).toEqual([]);
    });

    it('refuses a token of another search, and damaged tokens', () => {
      const { search } = setup(month);
      const token = search.search(criteria).resumeToken();
      const other = ConversationFilter.between(FROM, to).messageTypes('open').build();
      expect(() => search.search(other, { resumeFrom: token })).toThrow(
        expect.objectContaining({ code: SearchStreamErrorCode.ResumeTokenMismatch }),
      );
      expect(() => search.search(criteria, { strategy: 'query', resumeFrom: token })).toThrow(ResumeTokenError);
      expect(() => search.search(criteria, { resumeFrom: 'garbage!' })).toThrow(
        expect.objectContaining({ code: SearchStreamErrorCode.InvalidResumeToken }),
      );
      const state = decodeResumeToken(token);
      expect(() => search.search(criteria, { resumeFrom: encodeResumeToken({ ...state, at: { kind: 'query', page: 1 } }) })).toThrow(/bad at/);
    });

    it('a stream is iterated once', async () => {
      const { search } = setup(month);
      const stream = search.search(ConversationFilter.between(FROM, FROM + HOUR).build());
      await drain(stream);
      await expect(drain(stream)).rejects.toMatchObject({ code: SearchStreamErrorCode.AlreadyIterated });
    });
  });

  describe('cancellation', () => {
    const interval = { start: FROM, end: FROM + 3 * DAY_MS };

    it('aborting DELETEs the job in progress and ends with SearchAbortedError', async () => {
      const { search, api } = setup(month);
      const controller = new AbortController();
      const ids: string[] = [];
      const error = await (async () => {
        for await (const summary of search.search({ interval }, { strategy: 'jobs', signal: controller.signal })) {
          ids.push(summary.conversationId);
          if (ids.length === 10) controller.abort();
        }
      })().catch((e) => e);
      expect(error).toBeInstanceOf(SearchAbortedError);
      expect(error.code).toBe(SearchStreamErrorCode.Aborted);
      expect(ids).toHaveLength(10);
      expect(api.requestsTo('DELETE', `${DETAILS_JOBS_PATH}/job-1`)).toHaveLength(1);
    });

    it('aborting while a job is still running cancels it too', async () => {
      const { search, api } = setup(month, {}, { pollsUntilFulfilled: 50 });
      const controller = new AbortController();
      api.onRequest = (request) => {
        if (request.method === 'GET' && api.requestsTo('GET', DETAILS_JOBS_PATH).length === 3) controller.abort();
      };
      const error = await drain(search.search({ interval }, { strategy: 'jobs', signal: controller.signal })).catch((e) => e);
      expect(error).toBeInstanceOf(SearchAbortedError);
      expect(api.requestsTo('DELETE', `${DETAILS_JOBS_PATH}/job-1`)).toHaveLength(1);
    });

    it('an already aborted signal makes no request', async () => {
      const { search, api } = setup(month);
      const error = await drain(search.search({ interval }, { signal: AbortSignal.abort() })).catch((e) => e);
      expect(error).toBeInstanceOf(SearchAbortedError);
      expect(api.requests).toHaveLength(0);
    });

    it('breaking out of the loop keeps the job for a resume token', async () => {
      const { search, api } = setup(month);
      const stream = search.search({ interval }, { strategy: 'jobs' });
      for await (const _ of stream) break;
      expect(api.requestsTo('DELETE', DETAILS_JOBS_PATH)).toHaveLength(0);
      expect(decodeResumeToken(stream.resumeToken()).at).toMatchObject({ kind: 'job', jobId: 'job-1' });
    });
  });

  describe('pull-based paging', () => {
    it('fetches at most one page ahead of a consumer that stops pulling', async () => {
      const day = fakeConversations({ count: 1_000, from: FROM, to: FROM + DAY_MS, seed: 9 });
      const { search, api } = setup(day);
      const iterator = search.search({ interval: { start: FROM, end: FROM + DAY_MS } })[Symbol.asyncIterator]();
      await iterator.next();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(api.requestsTo('POST', DETAILS_QUERY_PATH)).toHaveLength(2); // the page being read + one ahead
      for (let i = 0; i < 100; i++) await iterator.next();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(api.requestsTo('POST', DETAILS_QUERY_PATH)).toHaveLength(3);
      await iterator.return?.();
    });
  });

  describe('progress', () => {
    it('reports pages, results, chunks and an estimated total for progress bars', async () => {
      const { search } = setup(month);
      const events: SearchProgress[] = [];
      const from = FROM + 5 * DAY_MS;
      const ids = await drain(search.search({ interval: { start: from, end: from + DAY_MS } }, { onProgress: (p) => events.push({ ...p }) }));
      expect(events.length).toBeGreaterThan(1);
      expect(events[0]).toMatchObject({ source: 'query', chunkIndex: 0, chunkCount: 1, pages: 1, results: 0, done: false });
      expect(events[0].estimatedTotal).toBe(ids.length);
      expect(events.at(-1)).toMatchObject({ done: true, results: ids.length, estimatedTotal: ids.length });
      const pages = events.map((e) => e.pages);
      expect([...pages].sort((a, b) => a - b)).toEqual(pages);
    });
  });

  describe('rxjs adapter', () => {
    it('emits the same conversations and stops the search on unsubscribe', async () => {
      const { search, api } = setup(month);
      const criteria = ConversationFilter.between(FROM, FROM + DAY_MS).build();
      const all = await lastValueFrom(search.search(criteria).toObservable().pipe(collect()));
      expect(all.map((s) => s.conversationId).sort()).toEqual(startedIn(month, FROM, FROM + DAY_MS));
      const before = api.requests.length;
      const firstThree = await lastValueFrom(search.search(criteria).toObservable().pipe(take(3), collect()));
      expect(firstThree).toHaveLength(3);
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(api.requests.length - before).toBeLessThanOrEqual(2);
    });
  });

  describe('attribute search', () => {
    it('reads 4-hour DATE_RANGE chunks and drops the boundary repeats of the inclusive range', async () => {
      const list: FakeConversation[] = [
        { conversationId: 'at-boundary', conversationStart: '2026-01-01T04:00:00.000Z', attributes: { nps: '9' } },
        { conversationId: 'inside', conversationStart: '2026-01-01T05:00:00.000Z' },
        { conversationId: 'at-end', conversationStart: '2026-01-01T08:00:00.000Z' },
      ];
      const { search, api } = setup(list);
      const stream = search.searchAttributes({ interval: { start: FROM, end: FROM + 8 * HOUR } });
      const summaries: ConversationSummary[] = [];
      for await (const summary of stream) summaries.push(summary);
      expect(summaries.map((s) => s.conversationId)).toEqual(['at-boundary', 'inside']);
      expect(summaries[0]).toMatchObject({ source: 'attributes', participants: [{ purpose: 'customer', attributes: { nps: '9' } }] });
      expect(api.requests).toHaveLength(2);
    });

    it('pages by cursor and resumes from a token', async () => {
      const list = fakeConversations({ count: 400, from: FROM, to: FROM + DAY_MS, seed: 11 });
      const { search } = setup(list);
      const criteria = ConversationFilter.between(FROM, FROM + DAY_MS).build();
      const first = search.searchAttributes(criteria, { maxResults: 77 });
      const part1 = await drain(first);
      const part2 = await drain(setup(list).search.searchAttributes(criteria, { resumeFrom: first.resumeToken() }));
      expectExactly([...part1, ...part2], startedIn(list, FROM, FROM + DAY_MS));
    });

    it('refuses criteria the endpoint cannot search', () => {
      const { search } = setup([]);
      expect(() => search.searchAttributes(ConversationFilter.between(FROM, FROM + HOUR).queueIds('q').build())).toThrow(
        expect.objectContaining({ field: 'queueIds' }),
      );
    });
  });
});
