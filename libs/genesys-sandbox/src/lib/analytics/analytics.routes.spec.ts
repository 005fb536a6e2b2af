import { ManualClock, RunningSandbox } from '../../index';
import { SandboxApiClient, startTestSandbox, TEST_NOW } from '../../test/sandbox-api-client';

const QUERY = '/api/v2/analytics/conversations/details/query';
const JOBS = '/api/v2/analytics/conversations/details/jobs';
const ALL_DAYS = '2025-02-01T00:00:00.000Z/2025-03-02T00:00:00.000Z';

interface AnalyticsConversation {
  conversationId: string;
  conversationStart: string;
  conversationEnd?: string;
  participants: Array<{ purpose: string; sessions: Array<{ messageType: string; segments: Array<{ queueId?: string; segmentType: string }> }> }>;
}

describe('analytics conversation details', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;

  beforeAll(async () => {
    ({ sandbox, clock, api } = await startTestSandbox({ conversations: 150, days: 7, jobDelayMs: 4000, jobTtlMs: 60_000 }));
    await api.login();
  });
  afterAll(() => sandbox.close());

  const summaries = () => sandbox.truth.conversationIds().map((id) => sandbox.truth.summary(id)!);

  describe('synchronous query', () => {
    it('pages with pageSize (default 25) and pageNumber and reports totalHits', async () => {
      const first = await api.post(QUERY, { interval: ALL_DAYS });
      expect(first.status).toBe(200);
      expect(first.body.totalHits).toBe(150);
      expect(first.body.conversations).toHaveLength(25);
      const seen = new Set<string>();
      let page = 1;
      for (;;) {
        const res = await api.post(QUERY, { interval: ALL_DAYS, paging: { pageSize: 40, pageNumber: page } });
        expect(res.body.totalHits).toBe(150);
        if (!res.body.conversations) break;
        for (const c of res.body.conversations as AnalyticsConversation[]) seen.add(c.conversationId);
        page++;
      }
      expect(page).toBe(5);
      expect(seen).toEqual(new Set(sandbox.truth.conversationIds()));
      const starts = first.body.conversations.map((c: AnalyticsConversation) => c.conversationStart);
      expect(starts).toEqual([...starts].sort());
    });

    it('refuses pageSize above 100 with a 400 ErrorBody', async () => {
      const res = await api.post(QUERY, { interval: ALL_DAYS, paging: { pageSize: 101 } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'bad.request', status: 400, messageParams: { max: '100', pageSize: '101' } });
      expect((await api.post(QUERY, { interval: ALL_DAYS, paging: { pageSize: 100 } })).body.conversations).toHaveLength(100);
    });

    it('rejects a missing or malformed interval', async () => {
      expect((await api.post(QUERY, {})).status).toBe(400);
      const bad = await api.post(QUERY, { interval: 'yesterday/today' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('invalid.date');
    });

    it('matches conversations that started on a day the interval touches', async () => {
      const interval = '2025-02-27T10:00:00.000Z/2025-02-27T11:00:00.000Z';
      const res = await api.post(QUERY, { interval, paging: { pageSize: 100 } });
      const expected = summaries()
        .filter((s) => s.startTime >= '2025-02-27T00:00:00.000Z' && s.startTime < '2025-02-28T00:00:00.000Z')
        .map((s) => s.id);
      expect(expected.length).toBeGreaterThan(3);
      expect(res.body.totalHits).toBe(expected.length);
      expect(res.body.conversations.map((c: AnalyticsConversation) => c.conversationId).sort()).toEqual([...expected].sort());
    });

    it('orders by conversationStart or conversationEnd, asc or desc', async () => {
      const desc = await api.post(QUERY, { interval: ALL_DAYS, order: 'desc', paging: { pageSize: 100 } });
      const starts = desc.body.conversations.map((c: AnalyticsConversation) => c.conversationStart);
      expect(starts).toEqual([...starts].sort().reverse());
      const byEnd = await api.post(QUERY, { interval: ALL_DAYS, orderBy: 'conversationEnd', paging: { pageSize: 100 } });
      const ends = byEnd.body.conversations.map((c: AnalyticsConversation) => c.conversationEnd ?? '9999');
      expect(ends).toEqual([...ends].sort());
      const bad = await api.post(QUERY, { interval: ALL_DAYS, order: 'sideways' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('invalid.value');
    });

    it('filters on segment and conversation dimensions', async () => {
      const sms = await api.post(QUERY, {
        interval: ALL_DAYS,
        paging: { pageSize: 100 },
        segmentFilters: [{ type: 'and', predicates: [{ type: 'dimension', dimension: 'messageType', operator: 'matches', value: 'sms' }] }],
      });
      const expectedSms = summaries().filter((s) => s.messengerType === 'sms').length;
      expect(expectedSms).toBeGreaterThan(0);
      expect(sms.body.totalHits).toBe(expectedSms);
      for (const c of sms.body.conversations as AnalyticsConversation[]) {
        expect(c.participants.every((p) => p.sessions.every((s) => s.messageType === 'sms'))).toBe(true);
      }

      const queue = sandbox.truth.catalog.queues[2];
      const inQueue = await api.post(QUERY, {
        interval: ALL_DAYS,
        paging: { pageSize: 100 },
        segmentFilters: [{ type: 'and', predicates: [{ dimension: 'queueId', value: queue.id }, { dimension: 'purpose', value: 'acd' }] }],
      });
      expect(inQueue.body.totalHits).toBe(summaries().filter((s) => s.queueId === queue.id).length);

      const target = sandbox.truth.conversationIds()[17];
      const one = await api.post(QUERY, {
        interval: ALL_DAYS,
        conversationFilters: [{ type: 'or', predicates: [{ dimension: 'conversationId', value: target }, { dimension: 'conversationId', value: 'nope' }] }],
      });
      expect(one.body.totalHits).toBe(1);
      expect(one.body.conversations[0].conversationId).toBe(target);

      const unknown = await api.post(QUERY, {
        interval: ALL_DAYS,
        segmentFilters: [{ type: 'and', predicates: [{ dimension: 'colour', value: 'blue' }] }],
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('invalid.value');
    });

    it('decides filters on participant-level dimensions from the full tree', async () => {
      const code = sandbox.truth.catalog.wrapupCodes[1].id;
      const res = await api.post(QUERY, {
        interval: ALL_DAYS,
        paging: { pageSize: 100 },
        segmentFilters: [{ type: 'and', predicates: [{ dimension: 'wrapUpCode', value: code }] }],
      });
      const expected = sandbox.truth
        .conversationIds()
        .filter((id) => sandbox.truth.conversation(id)!.participants.some((p) => p.wrapupCode === code));
      expect(expected.length).toBeGreaterThan(0);
      expect(res.body.totalHits).toBe(expected.length);
    });

    it('gets one or several conversations by id', async () => {
      const [a, b] = sandbox.truth.conversationIds();
      const single = await api.get(`/api/v2/analytics/conversations/${a}/details`);
      expect(single.body.conversationId).toBe(a);
      const multi = await api.get(`/api/v2/analytics/conversations/details?id=${a},${b}`);
      expect(multi.body.conversations.map((c: AnalyticsConversation) => c.conversationId)).toEqual([a, b]);
    });
  });

  describe('async jobs', () => {
    it('moves QUEUED → PENDING → FULFILLED on the sandbox clock, then EXPIRED', async () => {
      const submitted = await api.post(JOBS, { interval: ALL_DAYS });
      expect(submitted.status).toBe(202);
      expect(submitted.body).toEqual({ jobId: expect.any(String) });
      const status = () => api.get(`${JOBS}/${submitted.body.jobId}`);
      const queued = await status();
      expect(queued.body).toMatchObject({ state: 'QUEUED', submissionDate: TEST_NOW });
      const early = await api.get(`${JOBS}/${submitted.body.jobId}/results`);
      expect(early.status).toBe(400);
      clock.advance(2000);
      expect((await status()).body.state).toBe('PENDING');
      clock.advance(2000);
      const done = await status();
      expect(done.body).toMatchObject({ state: 'FULFILLED', completionDate: expect.any(String), expirationDate: expect.any(String) });
      clock.advance(60_000);
      expect((await status()).body.state).toBe('EXPIRED');
    });

    it('pages results with a cursor until the cursor is absent', async () => {
      const { body } = await api.post(JOBS, { interval: ALL_DAYS });
      clock.advance(4000);
      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await api.get(`${JOBS}/${body.jobId}/results?pageSize=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.dataAvailabilityDate).toMatch(/Z$/);
        ids.push(...res.body.conversations.map((c: AnalyticsConversation) => c.conversationId));
        cursor = res.body.cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(4);
      expect(ids).toHaveLength(150);
      expect(new Set(ids)).toEqual(new Set(sandbox.truth.conversationIds()));
      const badCursor = await api.get(`${JOBS}/${body.jobId}/results?cursor=garbage`);
      expect(badCursor.status).toBe(400);
      expect((await api.get(`${JOBS}/${body.jobId}/results?pageSize=1001`)).status).toBe(400);
    });

    it('matches any activity during the interval, unlike the synchronous query', async () => {
      const interval = { start: '2025-02-27T10:00:00.000Z', end: '2025-02-27T11:00:00.000Z' };
      const { body } = await api.post(JOBS, { interval: `${interval.start}/${interval.end}` });
      clock.advance(4000);
      const res = await api.get(`${JOBS}/${body.jobId}/results?pageSize=1000`);
      const now = new Date(clock.now()).toISOString();
      const expected = summaries()
        .filter((s) => s.startTime < interval.end && (s.endTime ?? now) >= interval.start)
        .map((s) => s.id);
      expect(expected.length).toBeGreaterThan(0);
      expect((res.body.conversations ?? []).map((c: AnalyticsConversation) => c.conversationId).sort()).toEqual(expected.sort());
    });

    it('cancels with DELETE and tells when data is available', async () => {
      const { body } = await api.post(JOBS, { interval: ALL_DAYS });
      expect((await api.request('DELETE', `${JOBS}/${body.jobId}`)).status).toBe(204);
      expect((await api.get(`${JOBS}/${body.jobId}`)).body.state).toBe('CANCELLED');
      expect((await api.get(`${JOBS}/unknown-job`)).status).toBe(404);
      const availability = await api.get(`${JOBS}/availability`);
      expect(availability.status).toBe(200);
      expect(availability.body).toEqual({ dataAvailabilityDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/) });
    });

    it('lags behind now by availabilityLagMs: jobs leave out newer conversations, the details query has them', async () => {
      const { conversation } = sandbox.world.receiveInbound({
        kind: 'open',
        channelId: sandbox.truth.catalog.openIntegrations[0].id,
        from: { id: 'lag-customer', idType: 'Opaque', firstName: 'L', lastName: 'Ag', nickname: 'lag' },
        time: clock.now(),
        text: 'just now',
        attachments: [],
      });
      const now = clock.now();
      const availability = Date.parse((await api.get(`${JOBS}/availability`)).body.dataAvailabilityDate);
      // default lag 5 minutes, to the minute
      expect(now - availability).toBeGreaterThanOrEqual(300_000);
      expect(now - availability).toBeLessThan(360_000);
      const interval = `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 60_000).toISOString()}`;
      const { body } = await api.post(JOBS, { interval });
      clock.advance(4000);
      const results = await api.get(`${JOBS}/${body.jobId}/results?pageSize=1000`);
      expect(results.body.dataAvailabilityDate).toBe(new Date(availability).toISOString());
      expect((results.body.conversations ?? []).map((c: AnalyticsConversation) => c.conversationId)).not.toContain(conversation.id);
      const query = await api.post(QUERY, { interval, paging: { pageSize: 100, pageNumber: 1 } });
      expect(query.body.conversations.map((c: AnalyticsConversation) => c.conversationId)).toContain(conversation.id);
    });

    it('fails jobs when the fault settings say so', async () => {
      sandbox.setFaults({ jobFailure: 1 });
      try {
        const { body } = await api.post(JOBS, { interval: ALL_DAYS });
        clock.advance(4000);
        const status = await api.get(`${JOBS}/${body.jobId}`);
        expect(status.body).toMatchObject({ state: 'FAILED', errorMessage: expect.any(String) });
        expect(sandbox.stats.snapshot().faultsInjected.jobFailure).toBe(1);
      } finally {
        sandbox.setFaults('none');
      }
    });
  });
});
